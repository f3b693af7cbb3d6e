// A local stand-in for Discord (REST + gateway + attachment CDN) that the real discord.js client
// can log in to, for end-to-end tests without network. It behaves as Discord's developer docs
// describe (3 s acknowledgement, 15-minute tokens, upload limits, rate-limit headers).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
	ApplicationCommandOptionType,
	ApplicationCommandType,
	ChannelType,
	ComponentType,
	InteractionContextType,
	InteractionType,
	MessageType,
	type APIInteractionDataResolved,
	PermissionFlagsBits,
	type APIApplicationCommandAutocompleteInteraction,
	type APIApplicationCommandInteractionDataOption,
	type APIChatInputApplicationCommandInteraction,
	type APIMessageApplicationCommandInteraction,
	type APIMessageComponentInteraction,
	type APIModalSubmitInteraction,
} from 'discord.js';
import { FakeGateway } from './discord-gateway.js';
import {
	AttachmentHost,
	DiscordHttpError,
	InvalidFormBody,
	RateLimiter,
	discordError,
	parseBody,
	readRaw,
	scriptedReply,
	send,
	type RecordedFile,
	type Reply,
} from './discord-http.js';
import {
	BOT_PERMISSIONS,
	DEFAULT_MEMBER_PERMISSIONS,
	createWorld,
	guildMember,
	guildCreatePayload,
	guildOfChannel,
	humanUser,
	shardOf,
	role,
	interactionEnvelope,
	interactionToken,
	asDirectMessage,
	messagePayload,
	nextSnowflake,
	readyPayload,
	snowflakeAt,
	toLocale,
	type GuildSpec,
	type MessageRecord,
} from './discord-payloads.js';
import {
	ROUTES,
	isRecord,
	type ChannelPermissions,
	type InteractionRecord,
	type StandInState,
} from './discord-rest.js';
import {
	describeIssues,
	loadOpenApiValidator,
	type OpenApiValidator,
	type RouteMatch,
	type SchemaIssue,
} from './openapi-validator.js';

export type { RecordedFile } from './discord-http.js';

export interface DiscordStandInOptions {
	/**
	 * The servers the bot is in, with their channel and role names (default: one server with a
	 * `general` channel). The first server's first channel is where interactions happen by default.
	 */
	guilds?: GuildSpec[];
	/** Bot token the stand-in accepts (default 'test-bot-token'). */
	token?: string;
	/** Webhook-token routes answer 401 {code:50027} after this (default 15 min). */
	interactionTokenTtlMs?: number;
	/** A callback later than this after dispatch → 404 {code:10062} (default 3000). */
	ackDeadlineMs?: number;
	/** Bytes; larger uploads → 413 {code:40005}; sent in interactions as attachment_size_limit (default 10 MiB). */
	attachmentSizeLimit?: number;
	/** Per-route buckets, the bot token's global limit and 429s, as Discord has them (default on). */
	rateLimits?: boolean;
	/** Messages older than this take at most `oldMessageEditCap` more edits, then 400 {code:30046} (default 1 h). */
	oldMessageAgeMs?: number;
	/** Default 3 (Discord does not publish its number). */
	oldMessageEditCap?: number;
	/** The shards `GET /gateway/bot` recommends (default 1); interactions go to their server's shard. */
	shards?: number;
}

export interface RecordedRequest {
	method: string;
	/** Full path without query (`/api/v10/...`), URL-decoded so `%40original` reads `@original`. */
	path: string;
	query: URLSearchParams;
	/** Lower-case header names. */
	headers: Record<string, string>;
	/** Parsed JSON body, or parsed payload_json for multipart, or undefined. */
	body: unknown;
	files: RecordedFile[];
	/** Date.now() when received. */
	at: number;
	/** Status the stand-in answered. */
	status: number;
	/** The client went away before the answer (a held request whose process was killed). */
	dropped?: boolean;
}

export interface StoredMessage {
	id: string;
	channelId: string;
	content: string;
	components: unknown[];
	embeds: unknown[];
	attachments: Array<{
		id: string;
		filename: string;
		contentType: string;
		data: Buffer;
		size: number;
		url: string;
		description?: string;
	}>;
	flags: number;
	editedAt: number | null;
	createdAt: number;
	/** How it was made: the command's reply, a follow-up, or a channel message (bot token). */
	kind: 'original' | 'followup' | 'channel';
	/** The message it replies to. */
	reference?: string;
}

/** A request the stand-in holds without answering (see `holdNext`). */
export interface HeldRequest {
	/** Resolves when the request has arrived (and, with `apply`, taken effect). */
	readonly arrived: Promise<RecordedRequest>;
	/** Answers it now (and, without `apply`, lets it take effect first). */
	release(): void;
}

export interface InteractionHandle {
	id: string;
	token: string;
	dispatchedAt: number;
}

export interface UploadInput {
	filename: string;
	data: Buffer;
	contentType: string;
	width?: number;
	height?: number;
	/** A link the test crafted, carried in the payload instead of the CDN's (the file is not hosted). */
	url?: string;
	/** The CDN's link answers 302 to this address instead of serving the file. */
	redirectTo?: string;
	/** The option names an attachment id that `resolved.attachments` leaves out (Discord did not resolve it). */
	unresolved?: boolean;
}

/** Who acts, and where: any member, with any roles and permissions, in any channel of any server. */
export interface Actor {
	userId?: string;
	locale?: string;
	/** The member's permissions in the channel, as Discord computes them (a bitfield string). */
	memberPermissions?: string;
	/** Role ids of the member (from `guilds[n].roles`). */
	roles?: string[];
	/** The channel (default: the first server's first channel); the server follows from it. */
	channelId?: string;
	/** The interaction's `app_permissions` (default: what the bot holds in the channel, see `setBotPermissions`). */
	appPermissions?: string;
	/**
	 * The interaction's `context`: 0 a server (default); 1 the bot's DM and 2 a group DM carry no
	 * server, no member, and the user's DM as their channel.
	 */
	context?: InteractionContextType;
	/** The interaction's `authorizing_integration_owners` (default: the server's install, or in a DM the user's). */
	authorizingIntegrationOwners?: Record<string, string>;
}

export interface SlashCommandInput extends Actor {
	name: string;
	/** The interaction was created this long ago (its id says so); its token's 15 minutes run from then. */
	createdAgoMs?: number;
	/** The interaction's `attachment_size_limit`, when not the stand-in's default. */
	attachmentSizeLimit?: number;
	/**
	 * e.g. [{name:'prompt',type:3,value:'…'}]; an ATTACHMENT option's value is a key of
	 * `attachments`; USER, CHANNEL and ROLE options name an id, and the stand-in resolves them.
	 */
	options?: unknown[];
	attachments?: Record<string, UploadInput>;
}

export interface AutocompleteInput extends Actor {
	name: string;
	/** Mark the option being typed with `focused: true`; if none is, the last one is. */
	options: unknown[];
}

export interface ComponentInput extends Omit<Actor, 'channelId'> {
	customId: string;
	/** The message the component is on; the interaction happens in its channel. */
	messageId: string;
	/** ComponentType.Button (default) or ComponentType.StringSelect. */
	componentType?: number;
	/** Selected values for a string select. */
	values?: string[];
}

/** A message command (a message's context menu) on a message of the stand-in. */
export interface MessageCommandInput extends Omit<Actor, 'channelId'> {
	name: string;
	/** The message it is used on; the interaction happens in its channel. */
	messageId: string;
}

/** A member posts a message, with files (a sketch to animate, say). */
export interface MemberMessageInput {
	userId: string;
	/** Default: the first server's first channel. */
	channelId?: string;
	content?: string;
	attachments?: UploadInput[];
}

export interface ModalSubmitInput extends Actor {
	customId: string;
	fields: Record<string, string>;
}

/** A server of the stand-in, with its channels and roles by name. */
export interface StandInGuild {
	readonly id: string;
	readonly name: string;
	readonly channels: Readonly<Record<string, string>>;
	readonly roles: Readonly<Record<string, string>>;
}

export interface ScriptedFailure {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
	/** The request takes effect first; only its answer is the failure (a 5xx after the upload landed). */
	apply?: boolean;
}

/** Which requests a scripted failure or a hold applies to. */
export interface RequestMatch {
	method: string;
	path: RegExp;
	/** Only requests that upload files (true) or only those that do not (false). */
	files?: boolean;
}

export interface DiscordStandIn {
	readonly origin: string;
	/** `${origin}/api`: what the bot gets as its REST `api` option. */
	readonly apiUrl: string;
	readonly token: string;
	readonly applicationId: string;
	readonly botUserId: string;
	readonly guildId: string;
	readonly channelId: string;
	/** Every server the bot is in; `guilds[0]` is `guildId`, and its first channel `channelId`. */
	readonly guilds: readonly StandInGuild[];
	/** Every REST request (not the CDN). */
	readonly requests: RecordedRequest[];
	/** Every spec or protocol violation, as `METHOD /template : what is wrong`. */
	readonly violations: string[];
	/** Last bulk-overwritten commands. */
	readonly commands: { global: unknown[]; guild: Map<string, unknown[]> };
	identified(): Promise<void>;
	gatewaySessions(): number;
	/** Every IDENTIFY's shard, `[id, count]`, in order. */
	identifiedShards(): Array<[number, number]>;
	hostFile(filename: string, data: Buffer, contentType: string): { url: string; proxyUrl: string };
	slashCommand(input: SlashCommandInput): InteractionHandle;
	receivedCommand(input: SlashCommandInput): InteractionHandle;
	autocomplete(input: AutocompleteInput): InteractionHandle;
	component(input: ComponentInput): InteractionHandle;
	modalSubmit(input: ModalSubmitInput): InteractionHandle;
	/** A message command (application command type 3) used on a message. */
	messageCommand(input: MessageCommandInput): InteractionHandle;
	/** A member's own message in a channel, with its attachments hosted on the CDN. */
	memberMessage(input: MemberMessageInput): StoredMessage;
	/** Every attachment link handed out so far expires; messages read again carry fresh ones. */
	expireAttachmentLinks(): void;
	callbacks(interactionId: string): RecordedRequest[];
	original(token: string): StoredMessage | undefined;
	channelMessages(channelId?: string): StoredMessage[];
	waitFor<T>(check: () => T | undefined | false, timeoutMs?: number, label?: string): Promise<T>;
	failNext(match: RequestMatch, reply: ScriptedFailure, times?: number): void;
	/**
	 * Calls `listener` with every REST request as it arrives, before it is answered (e.g. to kill
	 * the bot at the moment it shows a command as accepted). Returns a function that stops it.
	 */
	watchRequests(listener: (request: RecordedRequest) => void): () => void;
	/**
	 * Holds the next matching request unanswered until `release()`, or until its client goes away
	 * (a killed process). With `apply`, it takes effect first and only the answer is held (the
	 * upload landed, the sender never heard); without, it takes effect only if released.
	 */
	holdNext(match: RequestMatch, options: { apply: boolean }): HeldRequest;
	expireInteractionTokens(): void;
	/** Any message by id, wherever it is (undefined once deleted). */
	message(id: string): StoredMessage | undefined;
	/** Messages in the DM channel with a user. */
	directMessages(userId: string): StoredMessage[];
	/** A server admin changes what the bot may do in a channel. */
	setBotPermissions(channelId: string, permissions: Partial<ChannelPermissions>): void;
	/** The user's privacy settings refuse DMs from the bot (50007). */
	refuseDirectMessages(userId: string): void;
	/** A moderator deletes a message: later reads and edits answer 10008. */
	deleteMessage(id: string): void;
	/** Makes a message look `ms` older, e.g. past the hour after which edits are capped (30046). */
	backdateMessage(id: string, ms: number): void;
	/** Requests answered 429. */
	rateLimited(): RecordedRequest[];
	close(): Promise<void>;
}

const DEFAULTS: Required<DiscordStandInOptions> = {
	guilds: [{}],
	token: 'test-bot-token',
	interactionTokenTtlMs: 15 * 60_000,
	ackDeadlineMs: 3000,
	attachmentSizeLimit: 10 * 1024 * 1024,
	rateLimits: true,
	oldMessageAgeMs: 60 * 60_000,
	oldMessageEditCap: 3,
	shards: 1,
};
const API_PREFIX = '/api/v10';

export async function startDiscordStandIn(opts: DiscordStandInOptions = {}): Promise<DiscordStandIn> {
	const validator = loadOpenApiValidator();
	const server = createServer();
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	return new StandIn(server, `http://127.0.0.1:${port}`, { ...DEFAULTS, ...opts }, validator);
}

interface Scripted extends RequestMatch {
	reply: ScriptedFailure;
	remaining: number;
}

type Resolved = {
	-readonly [K in keyof APIInteractionDataResolved]?: Exclude<APIInteractionDataResolved[K], undefined>;
};
interface Hold extends RequestMatch {
	apply: boolean;
	arrived: (request: RecordedRequest) => void;
	released: Promise<void>;
}

const stored = (m: MessageRecord): StoredMessage => m;

// search() ignores a /g regex's lastIndex, so reused patterns match every time.
const matches = (match: RequestMatch, record: RecordedRequest): boolean =>
	match.method === record.method &&
	record.path.search(match.path) !== -1 &&
	(match.files === undefined || match.files === record.files.length > 0);

/** The bot's permission bits in a channel, as `app_permissions` of an interaction there says. */
function appPermissions(granted: ChannelPermissions | undefined): string {
	let bits = BigInt(BOT_PERMISSIONS);
	if (granted?.sendMessages === false) bits &= ~PermissionFlagsBits.SendMessages;
	if (granted?.attachFiles === false) bits &= ~PermissionFlagsBits.AttachFiles;
	return bits.toString();
}

const isOption = <T extends InteractionType>(value: unknown): value is APIApplicationCommandInteractionDataOption<T> =>
	isRecord(value) && typeof value.name === 'string' && typeof value.type === 'number';

function checkedOptions<T extends InteractionType>(
	options: unknown[],
): APIApplicationCommandInteractionDataOption<T>[] {
	return options.map((option) => {
		if (!isOption<T>(option)) throw new TypeError(`option must be {name, type, …}: ${JSON.stringify(option)}`);
		return option;
	});
}

const hasFocus = (options: unknown[]): boolean =>
	options.some((o) => isRecord(o) && (o.focused === true || (Array.isArray(o.options) && hasFocus(o.options))));

/** Marks the last (innermost) option as the one being typed. */
function focusLast(options: unknown[]): unknown[] {
	const last = options.at(-1);
	if (!isRecord(last)) return options;
	const focused = Array.isArray(last.options)
		? { ...last, options: focusLast(last.options) }
		: { ...last, focused: true };
	return [...options.slice(0, -1), focused];
}

function headerRecord(req: IncomingMessage): Record<string, string> {
	return Object.fromEntries(
		Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]),
	);
}

function decodePath(pathname: string): string {
	return pathname
		.split('/')
		.map((segment) => {
			try {
				return decodeURIComponent(segment);
			} catch {
				return segment;
			}
		})
		.join('/');
}

/** Discord's nested `errors` object for 50035 Invalid Form Body. */
function formErrors(issues: SchemaIssue[]): Record<string, unknown> {
	const root: Record<string, unknown> = {};
	for (const issue of issues) {
		let node = root;
		for (const key of issue.where.split('/').slice(1)) {
			const child = node[key];
			node = isRecord(child) ? child : (node[key] = {});
		}
		const errors = Array.isArray(node._errors) ? node._errors : (node._errors = []);
		const code = `BASE_TYPE_${issue.keyword.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`; // maxLength → MAX_LENGTH
		errors.push({ code, message: issue.message });
	}
	return root;
}

class StandIn implements DiscordStandIn {
	readonly apiUrl: string;
	readonly token: string;
	readonly applicationId: string;
	readonly botUserId: string;
	readonly guildId: string;
	readonly channelId: string;
	readonly guilds: readonly StandInGuild[];
	readonly requests: RecordedRequest[] = [];
	readonly violations: string[] = [];
	private readonly listeners = new Set<(request: RecordedRequest) => void>();
	private readonly state: StandInState;
	private readonly gateway: FakeGateway;
	private readonly scripted: Scripted[] = [];
	private readonly holds: Hold[] = [];
	private readonly commandIds = new Map<string, string>();
	private readonly limiter: RateLimiter;

	constructor(
		private readonly server: Server,
		readonly origin: string,
		private readonly options: Required<DiscordStandInOptions>,
		private readonly validator: OpenApiValidator,
	) {
		const world = createWorld(options.guilds, options.shards);
		const gatewayUrl = `${origin.replace(/^http/, 'ws')}/gateway`;
		this.apiUrl = `${origin}/api`;
		this.token = options.token;
		this.applicationId = world.applicationId;
		this.botUserId = world.botUserId;
		this.guildId = world.guildId;
		this.channelId = world.channelId;
		this.guilds = world.guilds.map((guild) => ({
			id: guild.id,
			name: guild.name,
			channels: Object.fromEntries(guild.channels.map((channel) => [channel.name, channel.id])),
			roles: Object.fromEntries(guild.roles.map((custom) => [custom.name, custom.id])),
		}));
		this.state = {
			world,
			gatewayUrl,
			interactionTokenTtlMs: options.interactionTokenTtlMs,
			ackDeadlineMs: options.ackDeadlineMs,
			attachmentSizeLimit: options.attachmentSizeLimit,
			oldMessageAgeMs: options.oldMessageAgeMs,
			oldMessageEditCap: options.oldMessageEditCap,
			shards: options.shards,
			cdn: new AttachmentHost(origin),
			interactions: new Map(),
			byToken: new Map(),
			messages: new Map(),
			commands: { global: [], guild: new Map() },
			permissions: new Map(),
			dmChannels: new Map(),
			dmRefused: new Set(),
		};
		this.limiter = new RateLimiter(options.rateLimits);
		this.gateway = new FakeGateway({
			token: options.token,
			onIdentify: (sessionId, shard) => [
				{ t: 'READY', d: readyPayload(world, sessionId, gatewayUrl, shard) },
				...world.guilds
					.filter((guild) => shardOf(guild.id, shard[1]) === shard[0])
					.map((guild) => ({ t: 'GUILD_CREATE', d: guildCreatePayload(world, guild) })),
			],
			shardOf,
		});
		server.on('request', (req, res) => void this.onRequest(req, res));
		server.on('upgrade', (req, socket, head: Buffer) => {
			if (new URL(req.url ?? '/', origin).pathname === '/gateway') this.gateway.handleUpgrade(req, socket, head);
			else socket.destroy();
		});
	}

	get commands() {
		return this.state.commands;
	}

	identified(): Promise<void> {
		return this.gateway.whenIdentified();
	}

	identifiedShards(): Array<[number, number]> {
		return [...this.gateway.identified];
	}

	gatewaySessions(): number {
		return this.gateway.identifyCount;
	}

	hostFile(filename: string, data: Buffer, contentType: string) {
		return this.state.cdn.host(this.channelId, nextSnowflake(), filename, data, contentType);
	}

	slashCommand(input: SlashCommandInput): InteractionHandle {
		return this.dispatchInteraction(input, (envelope) => {
			const resolved: Resolved = {};
			const options = checkedOptions<InteractionType.ApplicationCommand>(input.options ?? []).map((option) =>
				this.resolveOption(option, input.attachments ?? {}, resolved, envelope.guild_id),
			);
			const payload: APIChatInputApplicationCommandInteraction = {
				...envelope,
				type: InteractionType.ApplicationCommand,
				data: {
					id: this.commandId(input.name),
					name: input.name,
					type: ApplicationCommandType.ChatInput,
					guild_id: envelope.guild_id,
					...(input.options === undefined ? {} : { options }),
					...(Object.keys(resolved).length > 0 ? { resolved } : {}),
				},
			};
			return { payload, record: { type: InteractionType.ApplicationCommand } };
		});
	}

	autocomplete(input: AutocompleteInput): InteractionHandle {
		return this.dispatchInteraction(input, (envelope) => {
			const options = hasFocus(input.options) ? input.options : focusLast(input.options);
			const payload: APIApplicationCommandAutocompleteInteraction = {
				...envelope,
				type: InteractionType.ApplicationCommandAutocomplete,
				data: {
					id: this.commandId(input.name),
					name: input.name,
					type: ApplicationCommandType.ChatInput,
					guild_id: envelope.guild_id,
					options: checkedOptions<InteractionType.ApplicationCommandAutocomplete>(options),
				},
			};
			return { payload, record: { type: InteractionType.ApplicationCommandAutocomplete } };
		});
	}

	component(input: ComponentInput): InteractionHandle {
		const message = this.state.messages.get(input.messageId);
		if (!message) throw new Error(`component(): the stand-in has no message ${input.messageId}`);
		const componentType = (input.componentType ?? ComponentType.Button) as ComponentType;
		if (componentType !== ComponentType.Button && componentType !== ComponentType.StringSelect) {
			throw new TypeError(`component(): componentType ${componentType} is not supported (button or string select)`);
		}
		return this.dispatchInteraction({ ...input, channelId: message.channelId }, (envelope) => {
			const payload: APIMessageComponentInteraction = {
				...envelope,
				type: InteractionType.MessageComponent,
				message: messagePayload(this.state.world, message, this.state.cdn),
				data:
					componentType === ComponentType.Button
						? { custom_id: input.customId, component_type: ComponentType.Button }
						: { custom_id: input.customId, component_type: ComponentType.StringSelect, values: input.values ?? [] },
			};
			return { payload, record: { type: InteractionType.MessageComponent, sourceMessageId: message.id } };
		});
	}

	messageCommand(input: MessageCommandInput): InteractionHandle {
		const message = this.state.messages.get(input.messageId);
		if (!message) throw new Error(`messageCommand(): the stand-in has no message ${input.messageId}`);
		return this.dispatchInteraction({ ...input, channelId: message.channelId }, (envelope) => {
			const payload: APIMessageApplicationCommandInteraction = {
				...envelope,
				type: InteractionType.ApplicationCommand,
				data: {
					id: this.commandId(input.name),
					name: input.name,
					type: ApplicationCommandType.Message,
					guild_id: envelope.guild_id,
					target_id: message.id,
					resolved: { messages: { [message.id]: messagePayload(this.state.world, message, this.state.cdn) } },
				},
			};
			return { payload, record: { type: InteractionType.ApplicationCommand } };
		});
	}

	memberMessage(input: MemberMessageInput): StoredMessage {
		const channelId = input.channelId ?? this.channelId;
		if (guildOfChannel(this.state.world, channelId) === undefined)
			throw new TypeError(`memberMessage(): the stand-in has no channel ${channelId}`);
		const attachments = (input.attachments ?? []).map((upload) => {
			const id = nextSnowflake();
			const urls =
				upload.url === undefined
					? this.state.cdn.host(channelId, id, upload.filename, upload.data, upload.contentType, upload.redirectTo)
					: { url: upload.url, proxyUrl: upload.url };
			return {
				id,
				...(upload.url === undefined ? {} : { crafted: true }),
				filename: upload.filename,
				contentType: upload.contentType,
				data: upload.data,
				size: upload.data.length,
				...urls,
				...(upload.width === undefined ? {} : { width: upload.width }),
				...(upload.height === undefined ? {} : { height: upload.height }),
			};
		});
		const message: MessageRecord = {
			id: nextSnowflake(),
			channelId,
			content: input.content ?? '',
			components: [],
			embeds: [],
			attachments,
			flags: 0,
			editedAt: null,
			createdAt: Date.now(),
			oldEdits: 0,
			type: MessageType.Default,
			kind: 'channel',
			authorId: input.userId,
		};
		this.state.messages.set(message.id, message);
		return stored(message);
	}

	expireAttachmentLinks(): void {
		this.state.cdn.expireAll();
	}

	modalSubmit(input: ModalSubmitInput): InteractionHandle {
		return this.dispatchInteraction(input, (envelope) => {
			const payload: APIModalSubmitInteraction = {
				...envelope,
				type: InteractionType.ModalSubmit,
				data: {
					custom_id: input.customId,
					components: Object.entries(input.fields).map(([customId, value]) => ({
						type: ComponentType.ActionRow,
						components: [{ type: ComponentType.TextInput, custom_id: customId, value }],
					})),
				},
			};
			return { payload, record: { type: InteractionType.ModalSubmit } };
		});
	}

	callbacks(interactionId: string): RecordedRequest[] {
		const prefix = `${API_PREFIX}/interactions/${interactionId}/`;
		return this.requests.filter(
			(r) => r.method === 'POST' && r.path.startsWith(prefix) && r.path.endsWith('/callback'),
		);
	}

	original(token: string): StoredMessage | undefined {
		const id = this.state.byToken.get(token)?.originalId;
		const m = id === undefined ? undefined : this.state.messages.get(id);
		return m === undefined ? undefined : stored(m);
	}

	channelMessages(channelId: string = this.channelId): StoredMessage[] {
		return [...this.state.messages.values()].filter((m) => m.channelId === channelId && m.kind !== 'original');
	}

	message(id: string): StoredMessage | undefined {
		const m = this.state.messages.get(id);
		return m === undefined ? undefined : stored(m);
	}

	directMessages(userId: string): StoredMessage[] {
		const channelId = this.state.dmChannels.get(userId);
		return channelId === undefined ? [] : this.channelMessages(channelId);
	}

	setBotPermissions(channelId: string, permissions: Partial<ChannelPermissions>): void {
		const current = this.state.permissions.get(channelId) ?? { sendMessages: true, attachFiles: true };
		this.state.permissions.set(channelId, { ...current, ...permissions });
	}

	refuseDirectMessages(userId: string): void {
		this.state.dmRefused.add(userId);
	}

	deleteMessage(id: string): void {
		if (!this.state.messages.delete(id)) throw new Error(`deleteMessage(): the stand-in has no message ${id}`);
	}

	backdateMessage(id: string, ms: number): void {
		const m = this.state.messages.get(id);
		if (m === undefined) throw new Error(`backdateMessage(): the stand-in has no message ${id}`);
		m.createdAt -= ms;
	}

	rateLimited(): RecordedRequest[] {
		return this.requests.filter((r) => r.status === 429);
	}

	holdNext(match: RequestMatch, options: { apply: boolean }): HeldRequest {
		let arrived: (request: RecordedRequest) => void = () => undefined;
		let release: () => void = () => undefined;
		const hold: Hold = {
			...match,
			method: match.method.toUpperCase(),
			apply: options.apply,
			arrived: (request) => arrived(request),
			released: new Promise<void>((resolve) => (release = resolve)),
		};
		this.holds.push(hold);
		return { arrived: new Promise((resolve) => (arrived = resolve)), release: () => release() };
	}

	async waitFor<T>(check: () => T | undefined | false, timeoutMs = 5000, label = 'condition'): Promise<T> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const value = check();
			if (value !== undefined && value !== false) return value;
			if (Date.now() >= deadline) {
				throw new Error(`waitFor(${label}) timed out after ${timeoutMs} ms\n${this.recentRequests()}`);
			}
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
	}

	watchRequests(listener: (request: RecordedRequest) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	failNext(match: RequestMatch, reply: ScriptedFailure, times = 1): void {
		this.scripted.push({ ...match, method: match.method.toUpperCase(), reply, remaining: times });
	}

	expireInteractionTokens(): void {
		for (const rec of this.state.interactions.values()) rec.expired = true;
	}

	async close(): Promise<void> {
		await this.gateway.close();
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	// ------------------------------------------------------------ interactions

	/**
	 * A slash command that some bot process received and must answer, without a gateway here: for
	 * tests of the worker side alone, which acknowledge it themselves over REST.
	 */
	receivedCommand(input: SlashCommandInput): InteractionHandle {
		return this.dispatchInteraction(
			input,
			(envelope) => ({
				payload: envelope,
				record: { type: InteractionType.ApplicationCommand },
			}),
			false,
		);
	}

	private dispatchInteraction(
		input: Actor & { createdAgoMs?: number; attachmentSizeLimit?: number },
		build: (envelope: ReturnType<typeof interactionEnvelope>) => {
			payload: unknown;
			record: Pick<InteractionRecord, 'type' | 'sourceMessageId'>;
		},
		overGateway = true,
	): InteractionHandle {
		const { world } = this.state;
		const dispatchedAt = Date.now();
		const createdAt = dispatchedAt - (input.createdAgoMs ?? 0);
		const id = input.createdAgoMs === undefined ? nextSnowflake() : snowflakeAt(createdAt);
		const token = interactionToken(id);
		const user = humanUser(input.userId ?? world.ownerId, world.ownerId);
		const channelId = input.channelId ?? world.channelId;
		const attachmentSizeLimit = input.attachmentSizeLimit ?? this.options.attachmentSizeLimit;
		const envelope = interactionEnvelope(world, {
			id,
			token,
			user,
			locale: toLocale(input.locale ?? 'en-US'),
			permissions: input.memberPermissions ?? DEFAULT_MEMBER_PERMISSIONS,
			attachmentSizeLimit,
			channelId,
			roles: input.roles ?? [],
			appPermissions: input.appPermissions ?? appPermissions(this.state.permissions.get(channelId)),
			...(input.context === undefined ? {} : { context: input.context }),
			...(input.authorizingIntegrationOwners === undefined
				? {}
				: { authorizingIntegrationOwners: input.authorizingIntegrationOwners }),
		});
		const built = build(envelope);
		const { record } = built;
		const dm =
			input.context === InteractionContextType.BotDM || input.context === InteractionContextType.PrivateChannel
				? input.context
				: undefined;
		let dmChannel: string | undefined;
		if (dm !== undefined) {
			dmChannel = this.state.dmChannels.get(user.id) ?? nextSnowflake();
			this.state.dmChannels.set(user.id, dmChannel);
		}
		const payload =
			dm === undefined || dmChannel === undefined
				? built.payload
				: asDirectMessage(
						built.payload as Parameters<typeof asDirectMessage>[0],
						dm,
						dmChannel,
						input.authorizingIntegrationOwners,
					);
		const rec: InteractionRecord = {
			...record,
			id,
			token,
			user,
			dispatchedAt,
			channelId: dmChannel ?? channelId,
			createdAt,
			attachmentSizeLimit,
			acknowledged: false,
			expired: false,
		};
		this.state.interactions.set(id, rec);
		this.state.byToken.set(token, rec);
		// Discord sends DMs' events to shard 0, as it would a server with id 0.
		const guildId = dm === undefined ? guildOfChannel(world, channelId)?.id : '0';
		if (overGateway && this.gateway.dispatch('INTERACTION_CREATE', payload, guildId) === 0) {
			throw new Error('no identified gateway connection: log the client in and await standIn.identified() first');
		}
		return { id, token, dispatchedAt };
	}

	/** Registered commands keep their ids in interactions; unknown names get a stable one. */
	private commandId(name: string): string {
		const all = [this.state.commands.global, ...this.state.commands.guild.values()].flat();
		const registered = all.find((c) => isRecord(c) && c.name === name);
		if (isRecord(registered) && typeof registered.id === 'string') return registered.id;
		let id = this.commandIds.get(name);
		if (id === undefined) this.commandIds.set(name, (id = nextSnowflake()));
		return id;
	}

	/**
	 * ATTACHMENT options name a key of `attachments`: the stand-in hosts the file and resolves it.
	 * USER, CHANNEL and ROLE options name an id, resolved as Discord does (a user with their member
	 * in this server, a channel with the member's permissions in it, a role of this server).
	 */
	private resolveOption<T extends InteractionType>(
		option: APIApplicationCommandInteractionDataOption<T>,
		uploads: Record<string, UploadInput>,
		resolved: Resolved,
		guildId: string,
	): APIApplicationCommandInteractionDataOption<T> {
		const { Subcommand, SubcommandGroup, Attachment, User, Channel, Role } = ApplicationCommandOptionType;
		const { world } = this.state;
		if (option.type === Subcommand || option.type === SubcommandGroup) {
			const nested = checkedOptions<T>(option.options ?? []).map((o) =>
				this.resolveOption(o, uploads, resolved, guildId),
			);
			return { ...option, options: nested } as APIApplicationCommandInteractionDataOption<T>;
		}
		if (option.type === User) {
			const user = humanUser(option.value, world.ownerId);
			(resolved.users ??= {})[user.id] = user;
			const { user: _user, ...member } = guildMember(user, [], world.createdAt);
			(resolved.members ??= {})[user.id] = { ...member, permissions: DEFAULT_MEMBER_PERMISSIONS };
			return option;
		}
		if (option.type === Channel) {
			const guild = guildOfChannel(world, option.value);
			const channel = guild?.channels.find((candidate) => candidate.id === option.value);
			if (guild?.id !== guildId || channel === undefined)
				throw new TypeError(
					`slashCommand(): option ${option.name} names ${option.value}, not a channel of this server`,
				);
			(resolved.channels ??= {})[channel.id] = {
				id: channel.id,
				type: ChannelType.GuildText,
				name: channel.name,
				permissions: DEFAULT_MEMBER_PERMISSIONS,
			};
			return option;
		}
		if (option.type === Role) {
			const guild = world.guilds.find((candidate) => candidate.id === guildId);
			const index = guild?.roles.findIndex((candidate) => candidate.id === option.value) ?? -1;
			const found = guild?.roles[index];
			if (found === undefined)
				throw new TypeError(`slashCommand(): option ${option.name} names ${option.value}, not a role of this server`);
			(resolved.roles ??= {})[found.id] = role(found.id, found.name, '0', index + 2);
			return option;
		}
		if (option.type !== Attachment) return option;
		const upload = uploads[option.value];
		if (!upload) {
			throw new TypeError(`slashCommand(): option ${option.name} names "${option.value}", which is not in attachments`);
		}
		const id = nextSnowflake();
		if (upload.unresolved === true) return { ...option, value: id };
		const urls =
			upload.url === undefined
				? this.state.cdn.host(this.channelId, id, upload.filename, upload.data, upload.contentType, upload.redirectTo)
				: { url: upload.url, proxyUrl: upload.url };
		(resolved.attachments ??= {})[id] = {
			id,
			filename: upload.filename,
			size: upload.data.length,
			url: urls.url,
			proxy_url: urls.proxyUrl,
			content_type: upload.contentType,
			ephemeral: true,
			...(upload.width === undefined ? {} : { width: upload.width }),
			...(upload.height === undefined ? {} : { height: upload.height }),
		};
		return { ...option, value: id };
	}

	// ------------------------------------------------------------ REST

	private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
		try {
			const url = new URL(req.url ?? '/', this.origin);
			if (this.state.cdn.serve(url, res)) return;
			const at = Date.now();
			const parsed = await parseBody(req.headers['content-type'] ?? '', await readRaw(req));
			const record: RecordedRequest = {
				method: (req.method ?? 'GET').toUpperCase(),
				path: decodePath(url.pathname),
				query: url.searchParams,
				headers: headerRecord(req),
				body: parsed.body,
				files: parsed.files,
				at,
				status: 0,
			};
			const hold = this.takeHold(record);
			const gone = new Promise<void>((resolve) => res.once('close', () => resolve()));
			if (hold !== undefined && !hold.apply) {
				hold.arrived(record);
				// Killed before the upload finished: Discord never saw it whole, nothing happens.
				if ((await Promise.race([hold.released.then(() => 'released'), gone.then(() => 'gone')])) === 'gone') {
					record.dropped = true;
					this.requests.push(record);
					return;
				}
			}
			const { reply, headers } = this.respond(record, parsed.problem);
			record.status = reply.status;
			this.requests.push(record);
			for (const listener of this.listeners) listener(record);
			if (hold !== undefined && hold.apply) {
				hold.arrived(record);
				// It took effect; the sender hears nothing until released (or dies waiting).
				if ((await Promise.race([hold.released.then(() => 'released'), gone.then(() => 'gone')])) === 'gone') {
					record.dropped = true;
					return;
				}
			}
			send(res, reply, headers);
		} catch (error) {
			// Never let a stand-in bug crash the test run; surface it as a violation instead.
			this.violations.push(`${req.method ?? '?'} ${req.url ?? '?'} : stand-in error: ${String(error)}`);
			if (!res.headersSent) send(res, discordError(500, 0, '500: Internal Server Error'));
		}
	}

	private takeHold(record: RecordedRequest): Hold | undefined {
		const hold = this.holds.find((h) => matches(h, record));
		if (hold !== undefined) this.holds.splice(this.holds.indexOf(hold), 1);
		return hold;
	}

	/**
	 * Validate and record first, then scripted failures, then the rate limits, then Discord's own
	 * checks, then the route.
	 */
	private respond(
		record: RecordedRequest,
		problem: string | undefined,
	): { reply: Reply; headers: Record<string, string> } {
		const apiPath = record.path.startsWith(`${API_PREFIX}/`) ? record.path.slice(API_PREFIX.length) : undefined;
		const route = apiPath === undefined ? undefined : this.validator.match(record.method, apiPath);
		const template = route?.template ?? record.path;
		const violation = (text: string) => this.violations.push(`${record.method} ${template} : ${text}`);
		if (!route) violation('no route');
		const rejection = route ? this.check(record, route, problem, violation) : undefined;

		const botToken = record.headers.authorization === `Bot ${this.token}`;
		const limits = this.limiter.take(record.method, template, route?.params ?? {}, botToken);
		const scripted = this.takeScripted(record);
		if (scripted?.apply === true && route) this.route(record, route, rejection, violation);
		if (scripted) return { reply: scriptedReply(scripted), headers: limits.headers };
		if (limits.refused) return { reply: limits.refused, headers: limits.headers };
		if (!route) return { reply: discordError(404, 0, '404: Not Found'), headers: limits.headers };
		return { reply: this.route(record, route, rejection, violation), headers: limits.headers };
	}

	/** Uploads through an interaction's token are held to its `attachment_size_limit`, others to the server's. */
	private uploadLimit(route: RouteMatch): number {
		const token = route.params.webhook_token ?? route.params.interaction_token;
		const rec = token === undefined ? undefined : this.state.byToken.get(token);
		return rec?.attachmentSizeLimit ?? this.options.attachmentSizeLimit;
	}

	/** Records spec violations; returns the 400 Discord would answer for the body, if any. */
	private check(
		record: RecordedRequest,
		route: RouteMatch,
		problem: string | undefined,
		violation: (text: string) => void,
	): Reply | undefined {
		const paramIssues = this.validator.checkParams(record.method, route);
		if (paramIssues.length > 0) violation(describeIssues(paramIssues, 'path'));
		if (problem) {
			violation(problem);
			return discordError(400, 50109, 'The request body contains invalid JSON.');
		}
		const bodyIssues = this.validator.checkBody(record.method, route, record.body);
		if (bodyIssues.length === 0) return undefined;
		violation(describeIssues(bodyIssues));
		return discordError(400, 50035, 'Invalid Form Body', formErrors(bodyIssues));
	}

	private route(
		record: RecordedRequest,
		route: RouteMatch,
		rejection: Reply | undefined,
		violation: (text: string) => void,
	): Reply {
		const handler = ROUTES[`${record.method} ${route.template}`];
		if (!handler) {
			violation('no route (the spec has it, the stand-in does not emulate it)');
			return discordError(404, 0, '404: Not Found');
		}
		if (handler.auth && record.headers.authorization !== `Bot ${this.token}`) {
			return discordError(401, 0, '401: Unauthorized');
		}
		if (record.files.some((f) => f.data.length > this.uploadLimit(route))) {
			return discordError(413, 40005, 'Request entity too large');
		}
		if (rejection) return rejection;
		try {
			const { params } = route;
			return handler.handle(this.state, { params, query: record.query, body: record.body, files: record.files });
		} catch (error) {
			if (error instanceof InvalidFormBody) violation(error.problem);
			if (error instanceof DiscordHttpError) return error.reply;
			throw error;
		}
	}

	private takeScripted(record: RecordedRequest): ScriptedFailure | undefined {
		// search() ignores a /g regex's lastIndex, so reused patterns match every time.
		const entry = this.scripted.find((s) => matches(s, record));
		if (!entry) return undefined;
		if (--entry.remaining <= 0) this.scripted.splice(this.scripted.indexOf(entry), 1);
		return entry.reply;
	}

	private recentRequests(): string {
		// Interaction tokens are ~100 characters; shorten them so the dump stays readable.
		const short = (path: string) => path.replace(/[\w-]{40,}/g, (token) => `${token.slice(0, 12)}…`);
		const lines = this.requests.slice(-10).map((r) => `  ${r.method} ${short(r.path)} → ${r.status}`);
		return lines.length > 0 ? `recent requests:\n${lines.join('\n')}` : 'no requests yet';
	}
}
