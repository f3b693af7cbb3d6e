// REST routes the stand-in emulates, keyed by the OpenAPI spec's method + path template.
// Handlers answer with a Reply or throw DiscordHttpError; auth and schema checks happen before.
import { InteractionType, MessageFlags, MessageType, type APIUser } from 'discord.js';
import {
	DiscordHttpError,
	InvalidFormBody,
	noContent,
	ok,
	type AttachmentHost,
	type RecordedFile,
	type Reply,
} from './discord-http.js';
import {
	application,
	currentUser,
	guildOfChannel,
	humanUser,
	messagePayload,
	nextSnowflake,
	type HostedAttachment,
	type MessageRecord,
	type World,
} from './discord-payloads.js';

export interface InteractionRecord {
	id: string;
	token: string;
	type: InteractionType;
	user: APIUser;
	dispatchedAt: number;
	/** The channel it happened in: where its responses and follow-ups go. */
	channelId: string;
	/** When Discord created it (its id's time): the token's 15 minutes run from here. */
	createdAt: number;
	/** The interaction's `attachment_size_limit`: uploads through its token are held to it. */
	attachmentSizeLimit: number;
	acknowledged: boolean;
	expired: boolean;
	/** Component interactions: the message the component is on. */
	sourceMessageId?: string;
	/** The message `@original` refers to, once a callback created or chose it. */
	originalId?: string;
}

/** Permissions the bot can lose in a channel, as a server admin would take them away. */
export interface ChannelPermissions {
	sendMessages: boolean;
	attachFiles: boolean;
}

export interface StandInState {
	world: World;
	gatewayUrl: string;
	interactionTokenTtlMs: number;
	ackDeadlineMs: number;
	/** Uploads outside an interaction (channel and DM messages) are held to this. */
	attachmentSizeLimit: number;
	/** Messages older than this accept only `oldMessageEditCap` more edits (30046 after that). */
	oldMessageAgeMs: number;
	oldMessageEditCap: number;
	/** What `GET /gateway/bot` recommends. */
	shards: number;
	cdn: AttachmentHost;
	interactions: Map<string, InteractionRecord>;
	byToken: Map<string, InteractionRecord>;
	messages: Map<string, MessageRecord>;
	commands: { global: unknown[]; guild: Map<string, unknown[]> };
	/** The bot's permissions per guild channel; a channel not listed grants all of them. */
	permissions: Map<string, ChannelPermissions>;
	/** DM channel id by user id, created by POST /users/@me/channels. */
	dmChannels: Map<string, string>;
	/** Users whose privacy settings refuse DMs from the bot (50007). */
	dmRefused: Set<string>;
}

export interface RestRequest {
	params: Record<string, string>;
	query: URLSearchParams;
	body: unknown;
	files: RecordedFile[];
}

export interface Route {
	/** Requires `Authorization: Bot <token>`. */
	auth: boolean;
	handle: (state: StandInState, req: RestRequest) => Reply;
}

type Json = Record<string, unknown>;

export const isRecord = (value: unknown): value is Json =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const field = (obj: unknown, key: string): unknown => (isRecord(obj) ? obj[key] : undefined);

const unknownMessage = () => new DiscordHttpError(404, 10008, 'Unknown Message');

const missingPermissions = () => new DiscordHttpError(403, 50013, 'Missing Permissions');

/**
 * The bot's own permissions in a guild channel decide what it may upload there, through its token
 * or an interaction's (Attach Files). Ephemeral messages are only the requester's, and DMs are not
 * a guild channel: neither is checked.
 */
function checkUpload(state: StandInState, channelId: string, files: RecordedFile[], flags = 0): void {
	const granted = state.permissions.get(channelId);
	if (granted === undefined || files.length === 0 || (flags & MessageFlags.Ephemeral) !== 0) return;
	if (!granted.attachFiles) throw missingPermissions();
}

/** Posting with the bot token needs Send Messages (interaction responses do not). */
function checkSend(state: StandInState, channelId: string): void {
	if (state.permissions.get(channelId)?.sendMessages === false) throw missingPermissions();
}

const isDm = (state: StandInState, channelId: string): boolean => [...state.dmChannels.values()].includes(channelId);

// ---------------------------------------------------------------- messages

interface MessageFields {
	content?: string;
	components?: unknown[];
	embeds?: unknown[];
	flags?: number;
	attachments?: Json[];
}

/** Discord numbers a message's components depth-first (1, 2, …) where the bot set no id. */
function numberComponents(components: unknown[]): unknown[] {
	let next = 1;
	const visit = (component: unknown): unknown => {
		if (!isRecord(component)) return component;
		const numbered: Json = { ...component, id: component.id ?? next++ };
		if (Array.isArray(component.components)) numbered.components = component.components.map(visit);
		if (component.component !== undefined) numbered.component = visit(component.component);
		if (component.accessory !== undefined) numbered.accessory = visit(component.accessory);
		return numbered;
	};
	return components.map(visit);
}

/** The message fields of a create/edit body, as Discord stores them; absent means "leave unchanged". */
function messageFields(body: unknown): MessageFields {
	const fields: MessageFields = {};
	const { content, components, embeds, flags, attachments } = isRecord(body) ? body : {};
	if (typeof content === 'string' || content === null) fields.content = content ?? '';
	if (Array.isArray(components) || components === null) fields.components = numberComponents(components ?? []);
	if (Array.isArray(embeds) || embeds === null) {
		fields.embeds = (embeds ?? []).map((embed: unknown) => (isRecord(embed) ? { type: 'rich', ...embed } : embed));
	}
	if (typeof flags === 'number') fields.flags = flags;
	if (Array.isArray(attachments) || attachments === null) fields.attachments = (attachments ?? []).filter(isRecord);
	return fields;
}

function upload(
	state: StandInState,
	channelId: string,
	file: RecordedFile,
	filename: string,
	description?: string,
): HostedAttachment {
	const id = nextSnowflake();
	const urls = state.cdn.host(channelId, id, filename, file.data, file.contentType);
	return {
		id,
		filename,
		contentType: file.contentType,
		data: file.data,
		size: file.data.length,
		...urls,
		...(description === undefined ? {} : { description }),
	};
}

/**
 * Discord's attachment rules: without `attachments`, uploads are added to what is there; with it,
 * the list is the result — existing ids are kept, `{id: "n"}` takes the upload `files[n]`.
 */
function nextAttachments(state: StandInState, m: MessageRecord, listed: Json[] | undefined, files: RecordedFile[]) {
	if (listed === undefined) return [...m.attachments, ...files.map((f) => upload(state, m.channelId, f, f.filename))];
	const uploads = new Map(files.map((f) => [/^files\[(\d+)\]$/.exec(f.field)?.[1] ?? f.field, f]));
	return listed.map((entry, i) => {
		const id = String(entry.id);
		const kept = m.attachments.find((a) => a.id === id);
		if (kept) return kept;
		const file = uploads.get(id);
		if (!file) {
			const problem = `attachments[${i}].id ${id} is neither an existing attachment nor an uploaded files[${id}]`;
			const error = { code: 'ATTACHMENT_NOT_FOUND', message: `No file uploaded for attachment ${id}.` };
			throw new InvalidFormBody(problem, { attachments: { [i]: { _errors: [error] } } });
		}
		const filename = typeof entry.filename === 'string' ? entry.filename : file.filename;
		return upload(
			state,
			m.channelId,
			file,
			filename,
			typeof entry.description === 'string' ? entry.description : undefined,
		);
	});
}

/**
 * Discord's limit on a message's content for bots, whatever the route. The spec says 4000 for
 * channel messages (the limit of members with Nitro); a bot's message over 2000 is refused.
 */
const MAX_CONTENT = 2000;

function applyFields(state: StandInState, m: MessageRecord, fields: MessageFields, files: RecordedFile[]): void {
	if (fields.content !== undefined && [...fields.content].length > MAX_CONTENT) {
		const error = { code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${MAX_CONTENT} or fewer in length.` };
		throw new InvalidFormBody(`content is ${[...fields.content].length} characters, over ${MAX_CONTENT}`, {
			content: { _errors: [error] },
		});
	}
	m.attachments = nextAttachments(state, m, fields.attachments, files);
	if (fields.content !== undefined) m.content = fields.content;
	if (fields.components !== undefined) m.components = fields.components;
	if (fields.embeds !== undefined) m.embeds = fields.embeds;
}

function createMessage(
	state: StandInState,
	init: Pick<MessageRecord, 'channelId' | 'kind' | 'type' | 'flags'> & {
		interaction?: InteractionRecord;
		reference?: string;
		nonce?: string;
	},
	body: unknown,
	files: RecordedFile[],
): MessageRecord {
	const { interaction, reference, nonce, ...rest } = init;
	const m: MessageRecord = {
		...rest,
		id: nextSnowflake(),
		content: '',
		components: [],
		embeds: [],
		attachments: [],
		editedAt: null,
		createdAt: Date.now(),
		oldEdits: 0,
		...(interaction ? { interaction: { id: interaction.id, type: interaction.type, user: interaction.user } } : {}),
		...(reference === undefined ? {} : { reference }),
		...(nonce === undefined ? {} : { nonce }),
	};
	applyFields(state, m, messageFields(body), files);
	state.messages.set(m.id, m);
	return m;
}

function editMessage(state: StandInState, m: MessageRecord, body: unknown, files: RecordedFile[]): MessageRecord {
	// Messages older than an hour take only a few edits more (the count is not published).
	if (Date.now() - m.createdAt > state.oldMessageAgeMs && ++m.oldEdits > state.oldMessageEditCap) {
		throw new DiscordHttpError(
			400,
			30046,
			'Maximum number of edits to messages older than 1 hour reached. Try again later',
		);
	}
	checkUpload(state, m.channelId, files, m.flags);
	const fields = messageFields(body);
	applyFields(state, m, fields, files);
	// Editing a deferred response replaces the loading state; ephemerality cannot change.
	const kept = m.flags & MessageFlags.Ephemeral;
	m.flags = ((fields.flags ?? m.flags) & ~MessageFlags.Loading & ~MessageFlags.Ephemeral) | kept;
	m.editedAt = Date.now();
	return m;
}

const ephemeralFlags = (data: unknown): number => Number(field(data, 'flags') ?? 0) & MessageFlags.Ephemeral;

// ---------------------------------------------------------------- interactions

/** Which interaction types each callback type may answer. */
const CALLBACK_FOR: Record<number, InteractionType[]> = {
	4: [InteractionType.ApplicationCommand, InteractionType.MessageComponent, InteractionType.ModalSubmit],
	5: [InteractionType.ApplicationCommand, InteractionType.MessageComponent, InteractionType.ModalSubmit],
	6: [InteractionType.MessageComponent, InteractionType.ModalSubmit],
	7: [InteractionType.MessageComponent, InteractionType.ModalSubmit],
	8: [InteractionType.ApplicationCommandAutocomplete],
	9: [InteractionType.ApplicationCommand, InteractionType.MessageComponent],
};

function responseMessageType(rec: InteractionRecord): MessageType {
	return rec.type === InteractionType.ApplicationCommand ? MessageType.ChatInputCommand : MessageType.Default;
}

/** Applies one callback; returns the message it created or updated, if any. */
function applyCallback(
	state: StandInState,
	rec: InteractionRecord,
	type: number,
	data: unknown,
	files: RecordedFile[],
): MessageRecord | undefined {
	const { channelId } = rec;
	switch (type) {
		case 4:
		case 5: {
			// A deferred response is an empty "thinking…" message; only its ephemeral flag counts.
			const deferred = type === 5;
			const flags = deferred ? ephemeralFlags(data) | MessageFlags.Loading : Number(field(data, 'flags') ?? 0);
			const init = { channelId, kind: 'original' as const, type: responseMessageType(rec), flags, interaction: rec };
			const m = createMessage(state, init, deferred ? undefined : data, deferred ? [] : files);
			rec.originalId = m.id;
			return m;
		}
		case 6:
		case 7: {
			const source = rec.sourceMessageId === undefined ? undefined : state.messages.get(rec.sourceMessageId);
			if (!source) throw unknownMessage();
			rec.originalId = source.id;
			return type === 7 ? editMessage(state, source, data, files) : source;
		}
		default:
			// 8 (choices) and 9 (modal) touch no message; callbacks(id) keeps their bodies.
			return undefined;
	}
}

const callback: Route = {
	auth: false,
	handle(state, req) {
		const rec = state.interactions.get(req.params.interaction_id ?? '');
		const unknownInteraction = () => new DiscordHttpError(404, 10062, 'Unknown interaction');
		if (!rec || rec.token !== req.params.interaction_token) throw unknownInteraction();
		if (rec.acknowledged) throw new DiscordHttpError(400, 40060, 'Interaction has already been acknowledged.');
		if (rec.expired || Date.now() - rec.dispatchedAt > state.ackDeadlineMs) throw unknownInteraction();
		const type = Number(field(req.body, 'type'));
		if (!CALLBACK_FOR[type]?.includes(rec.type)) {
			const error = { code: 'INTERACTION_RESPONSE_TYPE_INVALID', message: 'Invalid interaction response type.' };
			throw new InvalidFormBody(`callback type ${type} cannot answer an interaction of type ${rec.type}`, {
				type: { _errors: [error] },
			});
		}
		if (req.files.length > 0) {
			checkUpload(state, state.world.channelId, req.files, Number(field(field(req.body, 'data'), 'flags') ?? 0));
		}
		const message = applyCallback(state, rec, type, field(req.body, 'data'), req.files);
		rec.acknowledged = true;
		if (req.query.get('with_response') !== 'true') return noContent;
		return ok({
			interaction: {
				id: rec.id,
				type: rec.type,
				...(message
					? {
							response_message_id: message.id,
							response_message_loading: (message.flags & MessageFlags.Loading) !== 0,
							response_message_ephemeral: (message.flags & MessageFlags.Ephemeral) !== 0,
						}
					: {}),
			},
			// Only message-creating (4) and message-updating (7) callbacks return a resource.
			...(message && (type === 4 || type === 7)
				? { resource: { type, message: messagePayload(state.world, message, state.cdn) } }
				: {}),
		});
	},
};

// ---------------------------------------------------------------- interaction webhooks

/** The interaction a webhook route's token belongs to; expired tokens answer 401 50027. */
function tokenOwner(state: StandInState, params: Record<string, string>): InteractionRecord {
	const ownApplication = params.webhook_id === state.world.applicationId;
	const rec = ownApplication ? state.byToken.get(params.webhook_token ?? '') : undefined;
	if (!rec) throw new DiscordHttpError(404, 10015, 'Unknown Webhook');
	if (rec.expired || Date.now() - rec.createdAt > state.interactionTokenTtlMs) {
		throw new DiscordHttpError(401, 50027, 'Invalid Webhook Token');
	}
	return rec;
}

/** `@original` (no message_id param) or a follow-up of the same interaction. */
function webhookMessage(state: StandInState, params: Record<string, string>): MessageRecord {
	const rec = tokenOwner(state, params);
	const id = params.message_id ?? rec.originalId;
	const m = id === undefined ? undefined : state.messages.get(id);
	if (!m || (id !== rec.originalId && m.interaction?.id !== rec.id)) throw unknownMessage();
	return m;
}

const getWebhookMessage: Route = {
	auth: false,
	handle: (state, req) => ok(messagePayload(state.world, webhookMessage(state, req.params), state.cdn)),
};

const editWebhookMessage: Route = {
	auth: false,
	handle: (state, req) =>
		ok(
			messagePayload(
				state.world,
				editMessage(state, webhookMessage(state, req.params), req.body, req.files),
				state.cdn,
			),
		),
};

const deleteWebhookMessage: Route = {
	auth: false,
	handle(state, req) {
		state.messages.delete(webhookMessage(state, req.params).id);
		return noContent;
	},
};

const followUp: Route = {
	auth: false,
	handle(state, req) {
		const rec = tokenOwner(state, req.params);
		// Follow-ups only exist once the interaction has been answered (inferred: Unknown Webhook before).
		if (!rec.acknowledged) throw new DiscordHttpError(404, 10015, 'Unknown Webhook');
		checkUpload(state, state.world.channelId, req.files, ephemeralFlags(req.body));
		const init = {
			channelId: rec.channelId,
			kind: 'followup' as const,
			type: MessageType.Default,
			flags: ephemeralFlags(req.body),
			interaction: rec,
		};
		const m = createMessage(state, init, req.body, req.files);
		return req.query.get('wait') === 'true' ? ok(messagePayload(state.world, m, state.cdn)) : noContent;
	},
};

// ---------------------------------------------------------------- channels

function knownChannel(state: StandInState, params: Record<string, string>): string {
	const channelId = params.channel_id ?? '';
	if (guildOfChannel(state.world, channelId) === undefined && !isDm(state, channelId))
		throw new DiscordHttpError(404, 10003, 'Unknown Channel');
	return channelId;
}

/** Ephemeral messages are invisible to the channel endpoints. */
function channelMessage(state: StandInState, params: Record<string, string>): MessageRecord {
	const channelId = knownChannel(state, params);
	const m = state.messages.get(params.message_id ?? '');
	if (!m || m.channelId !== channelId || (m.flags & MessageFlags.Ephemeral) !== 0) throw unknownMessage();
	return m;
}

/** Discord remembers a nonce sent with `enforce_nonce` for a few minutes. */
const NONCE_MEMORY_MS = 5 * 60_000;

/**
 * The message a reply points to. Discord refuses a reply to a message it cannot find unless the
 * sender says `fail_if_not_exists: false`; then the message is posted without the reference.
 */
function replyTarget(state: StandInState, channelId: string, body: unknown): string | undefined {
	const reference = field(body, 'message_reference');
	if (!isRecord(reference)) return undefined;
	const id = String(reference.message_id);
	const target = state.messages.get(id);
	if (target !== undefined && target.channelId === channelId && (target.flags & MessageFlags.Ephemeral) === 0)
		return id;
	if (reference.fail_if_not_exists === false) return undefined;
	const error = { code: 'REPLIES_UNKNOWN_MESSAGE', message: 'Unknown message' };
	throw new DiscordHttpError(400, 50035, 'Invalid Form Body', { message_reference: { _errors: [error] } });
}

const createChannelMessage: Route = {
	auth: true,
	handle(state, req) {
		const channelId = knownChannel(state, req.params);
		const given = field(req.body, 'nonce');
		const nonce = typeof given === 'string' || typeof given === 'number' ? String(given) : undefined;
		const enforced = field(req.body, 'enforce_nonce') === true && nonce !== undefined;
		if (enforced) {
			const earlier = [...state.messages.values()].find(
				(m) => m.channelId === channelId && m.nonce === nonce && Date.now() - m.createdAt < NONCE_MEMORY_MS,
			);
			if (earlier !== undefined) return ok(messagePayload(state.world, earlier, state.cdn));
		}
		if (isDm(state, channelId)) {
			const [userId] = [...state.dmChannels].find(([, id]) => id === channelId) ?? [];
			if (userId !== undefined && state.dmRefused.has(userId)) {
				throw new DiscordHttpError(403, 50007, 'Cannot send messages to this user');
			}
		} else {
			checkSend(state, channelId);
			checkUpload(state, channelId, req.files);
		}
		const reference = replyTarget(state, channelId, req.body);
		const type = reference === undefined ? MessageType.Default : MessageType.Reply;
		const init = {
			channelId,
			kind: 'channel' as const,
			type,
			flags: 0,
			...(reference === undefined ? {} : { reference }),
			...(nonce === undefined ? {} : { nonce }),
		};
		const m = createMessage(state, init, req.body, req.files);
		return ok(messagePayload(state.world, m, state.cdn));
	},
};

/** Newest first, like Discord; `after`/`before` are message ids, `limit` 1–100 (50 by default). */
const listChannelMessages: Route = {
	auth: true,
	handle(state, req) {
		const channelId = knownChannel(state, req.params);
		const after = req.query.get('after');
		const before = req.query.get('before');
		const limit = Math.min(100, Math.max(1, Number(req.query.get('limit') ?? 50) || 50));
		const later = (a: string, b: string) => BigInt(a) > BigInt(b);
		const listed = [...state.messages.values()]
			.filter((m) => m.channelId === channelId && (m.flags & MessageFlags.Ephemeral) === 0)
			.filter((m) => (after === null || later(m.id, after)) && (before === null || later(before, m.id)))
			.sort((a, b) => (later(a.id, b.id) ? -1 : 1))
			.slice(0, limit);
		return ok(listed.map((m) => messagePayload(state.world, m, state.cdn)));
	},
};

/** A DM channel with a user, the same one every time (Discord keeps one per pair). */
const createDm: Route = {
	auth: true,
	handle(state, req) {
		const given = field(req.body, 'recipient_id');
		const recipient = typeof given === 'string' ? given : '';
		if (!/^\d{17,20}$/.test(recipient)) throw new DiscordHttpError(400, 50035, 'Invalid Form Body');
		let id = state.dmChannels.get(recipient);
		if (id === undefined) state.dmChannels.set(recipient, (id = nextSnowflake()));
		return ok({
			id,
			type: 1,
			last_message_id: null,
			flags: 0,
			recipients: [humanUser(recipient, state.world.ownerId)],
		});
	},
};

// ---------------------------------------------------------------- application commands

function knownApplication(state: StandInState, params: Record<string, string>): void {
	if (params.application_id !== state.world.applicationId) {
		throw new DiscordHttpError(404, 10002, 'Unknown Application');
	}
}

function knownGuild(state: StandInState, params: Record<string, string>): string {
	knownApplication(state, params);
	const guildId = params.guild_id ?? '';
	// Discord answers Missing Access for a server the application was not added to.
	if (!state.world.guilds.some((guild) => guild.id === guildId))
		throw new DiscordHttpError(403, 50001, 'Missing Access');
	return guildId;
}

/** A stored command keeps its id across overwrites (matched by name and type), like Discord. */
function storedCommand(state: StandInState, input: unknown, previous: unknown[], guildId?: string): Json {
	const cmd = isRecord(input) ? input : {};
	const type = cmd.type ?? 1;
	const old = previous.find((p) => field(p, 'name') === cmd.name && (field(p, 'type') ?? 1) === type);
	return {
		default_member_permissions: null,
		description: '',
		...cmd,
		type,
		id: field(old, 'id') ?? nextSnowflake(),
		application_id: state.world.applicationId,
		version: nextSnowflake(),
		...(guildId === undefined ? {} : { guild_id: guildId }),
	};
}

function commandRoutes(scope: (state: StandInState, params: Record<string, string>) => string | undefined) {
	const read = (state: StandInState, guildId: string | undefined) =>
		guildId === undefined ? state.commands.global : (state.commands.guild.get(guildId) ?? []);
	const write = (state: StandInState, guildId: string | undefined, list: unknown[]) => {
		if (guildId === undefined) state.commands.global = list;
		else state.commands.guild.set(guildId, list);
	};
	const list: Route = { auth: true, handle: (state, req) => ok(read(state, scope(state, req.params))) };
	const overwrite: Route = {
		auth: true,
		handle(state, req) {
			const guildId = scope(state, req.params);
			const previous = read(state, guildId);
			const body: unknown[] = Array.isArray(req.body) ? req.body : [];
			const next = body.map((c) => storedCommand(state, c, previous, guildId));
			write(state, guildId, next);
			return ok(next);
		},
	};
	const create: Route = {
		auth: true,
		handle(state, req) {
			const guildId = scope(state, req.params);
			const previous = read(state, guildId);
			const cmd = storedCommand(state, req.body, previous, guildId);
			write(state, guildId, [...previous.filter((p) => field(p, 'id') !== cmd.id), cmd]);
			return ok(cmd, previous.some((p) => field(p, 'id') === cmd.id) ? 200 : 201);
		},
	};
	return { list, overwrite, create };
}

const globalCommands = commandRoutes((state, params) => {
	knownApplication(state, params);
	return undefined;
});
const guildCommands = commandRoutes(knownGuild);

// ---------------------------------------------------------------- table

const GLOBAL_COMMANDS = '/applications/{application_id}/commands';
const GUILD_COMMANDS = '/applications/{application_id}/guilds/{guild_id}/commands';
const ORIGINAL = '/webhooks/{webhook_id}/{webhook_token}/messages/@original';
const FOLLOW_UP = '/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}';
const CHANNEL_MESSAGE = '/channels/{channel_id}/messages/{message_id}';

export const ROUTES: Record<string, Route> = {
	'GET /gateway/bot': {
		auth: true,
		handle: (state) =>
			ok({
				url: state.gatewayUrl,
				shards: state.shards,
				session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
			}),
	},
	'GET /users/@me': { auth: true, handle: (state) => ok(currentUser(state.world)) },
	'GET /applications/@me': { auth: true, handle: (state) => ok(application(state.world)) },
	[`GET ${GLOBAL_COMMANDS}`]: globalCommands.list,
	[`PUT ${GLOBAL_COMMANDS}`]: globalCommands.overwrite,
	[`POST ${GLOBAL_COMMANDS}`]: globalCommands.create,
	[`GET ${GUILD_COMMANDS}`]: guildCommands.list,
	[`PUT ${GUILD_COMMANDS}`]: guildCommands.overwrite,
	[`POST ${GUILD_COMMANDS}`]: guildCommands.create,
	'POST /interactions/{interaction_id}/{interaction_token}/callback': callback,
	'POST /webhooks/{webhook_id}/{webhook_token}': followUp,
	[`GET ${ORIGINAL}`]: getWebhookMessage,
	[`PATCH ${ORIGINAL}`]: editWebhookMessage,
	[`DELETE ${ORIGINAL}`]: deleteWebhookMessage,
	[`GET ${FOLLOW_UP}`]: getWebhookMessage,
	[`PATCH ${FOLLOW_UP}`]: editWebhookMessage,
	[`DELETE ${FOLLOW_UP}`]: deleteWebhookMessage,
	'POST /channels/{channel_id}/messages': createChannelMessage,
	'GET /channels/{channel_id}/messages': listChannelMessages,
	'POST /users/@me/channels': createDm,
	[`GET ${CHANNEL_MESSAGE}`]: {
		auth: true,
		handle: (state, req) => ok(messagePayload(state.world, channelMessage(state, req.params), state.cdn)),
	},
	[`PATCH ${CHANNEL_MESSAGE}`]: {
		auth: true,
		handle: (state, req) =>
			ok(
				messagePayload(
					state.world,
					editMessage(state, channelMessage(state, req.params), req.body, req.files),
					state.cdn,
				),
			),
	},
	[`DELETE ${CHANNEL_MESSAGE}`]: {
		auth: true,
		handle(state, req) {
			state.messages.delete(channelMessage(state, req.params).id);
			return noContent;
		},
	},
};
