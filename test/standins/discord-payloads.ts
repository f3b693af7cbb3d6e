// Payloads the stand-in sends, typed with discord-api-types (re-exported by discord.js) so
// the compiler keeps them in the shape discord.js expects.
import { randomBytes } from 'node:crypto';
import {
	ApplicationIntegrationType,
	ChannelType,
	GuildDefaultMessageNotifications,
	GuildExplicitContentFilter,
	GuildMFALevel,
	GuildNSFWLevel,
	GuildPremiumTier,
	GuildSystemChannelFlags,
	GuildVerificationLevel,
	InteractionContextType,
	InteractionType,
	Locale,
	PermissionFlagsBits,
	type APIApplication,
	type APIAttachment,
	type APIEmbed,
	type APIGuildMember,
	type APIInteractionGuildMember,
	type APIMessage,
	type APIMessageTopLevelComponent,
	type APIRole,
	type APITextChannel,
	type APIUser,
	type ApplicationFlags,
	type ChannelFlags,
	type GuildMemberFlags,
	type RoleFlags,
	type UserFlags,
	type GatewayGuildCreateDispatchData,
	type GatewayReadyDispatchData,
	type MessageType,
} from 'discord.js';

const DISCORD_EPOCH = 1_420_070_400_000n;
let lastMs = 0n;
let increment = 0n;

/** Timestamp-based snowflake (18–19 digits); @discordjs/rest only buckets ids of 17–19 digits. */
export function nextSnowflake(): string {
	const now = BigInt(Date.now());
	if (now > lastMs) {
		lastMs = now;
		increment = 0n;
	} else if (++increment > 0xfffn) {
		lastMs += 1n;
		increment = 0n;
	}
	return (((lastMs - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

let pastIncrement = 0n;
/** A snowflake made at an earlier time (`ms`): what Discord gave something created back then. */
export function snowflakeAt(ms: number): string {
	pastIncrement = (pastIncrement + 1n) & 0xfffn;
	return (((BigInt(Math.floor(ms)) - DISCORD_EPOCH) << 22n) | (2n << 17n) | pastIncrement).toString();
}

/** Interaction tokens are long opaque strings; Discord's start with base64 "interaction:". */
export function interactionToken(id: string): string {
	return `${Buffer.from(`interaction:${id}:`).toString('base64url')}${randomBytes(64).toString('base64url')}`;
}

/** A server of the stand-in world: its text channels and roles, by id and name. */
export interface GuildWorld {
	id: string;
	name: string;
	channels: Array<{ id: string; name: string }>;
	/** Roles besides @everyone and the bot's own. */
	roles: Array<{ id: string; name: string }>;
	botRoleId: string;
}

/** What a test asks of a server: channel and role names (the first channel is its system channel). */
export interface GuildSpec {
	name?: string;
	channels?: string[];
	roles?: string[];
	/** The shard the server's id puts it on, of `shards` in all (Discord: (id >> 22) % shards). */
	shard?: number;
}

/** The shard a server's events go to: `(guild_id >> 22) % shards`, as Discord routes them. */
export const shardOf = (guildId: string, shards: number): number => Number((BigInt(guildId) >> 22n) % BigInt(shards));

/** A server id that lands on `shard` of `shards`. */
function guildIdOn(shard: number, shards: number): string {
	for (let back = 0; ; back++) {
		const id = snowflakeAt(Date.now() - 1_000 - back);
		if (shardOf(id, shards) === shard) return id;
	}
}

/** The fixed ids of one stand-in world. */
export interface World {
	applicationId: string;
	botUserId: string;
	/** The first server and its first channel: where interactions happen unless a test says otherwise. */
	guildId: string;
	channelId: string;
	botRoleId: string;
	ownerId: string;
	createdAt: number;
	guilds: GuildWorld[];
}

export function createWorld(specs: readonly GuildSpec[] = [{}], shards = 1): World {
	// A modern application's id equals its bot user's id.
	const applicationId = nextSnowflake();
	const guilds = (specs.length === 0 ? [{}] : specs).map((spec, index): GuildWorld => ({
		id: spec.shard === undefined ? nextSnowflake() : guildIdOn(spec.shard, shards),
		name: spec.name ?? (index === 0 ? 'Clapper Test Guild' : `Clapper Test Guild ${index + 1}`),
		channels: (spec.channels ?? ['general']).map((name) => ({ id: nextSnowflake(), name })),
		roles: (spec.roles ?? []).map((name) => ({ id: nextSnowflake(), name })),
		botRoleId: nextSnowflake(),
	}));
	const first = guilds[0] as GuildWorld;
	return {
		applicationId,
		botUserId: applicationId,
		guildId: first.id,
		channelId: first.channels[0]?.id ?? nextSnowflake(),
		botRoleId: first.botRoleId,
		ownerId: nextSnowflake(),
		createdAt: Date.now(),
		guilds,
	};
}

/** The server a channel belongs to. */
export function guildOfChannel(world: World, channelId: string): GuildWorld | undefined {
	return world.guilds.find((guild) => guild.channels.some((channel) => channel.id === channelId));
}

// Bit-flag enums have no 0 member, hence the `0 as …Flags` casts below.
const flags = (...bits: bigint[]): string => bits.reduce((a, b) => a | b, 0n).toString();

/** What a freshly invited bot with "send + attach" rights holds in the channel. */
export const BOT_PERMISSIONS = flags(
	PermissionFlagsBits.ViewChannel,
	PermissionFlagsBits.SendMessages,
	PermissionFlagsBits.EmbedLinks,
	PermissionFlagsBits.AttachFiles,
	PermissionFlagsBits.ReadMessageHistory,
	PermissionFlagsBits.AddReactions,
	PermissionFlagsBits.UseExternalEmojis,
);
/** Discord's default @everyone permission set, used for invoking members. */
export const DEFAULT_MEMBER_PERMISSIONS = '2248473465835073';

export function botUser(world: World): APIUser {
	return {
		id: world.botUserId,
		username: 'clapper',
		discriminator: '0000',
		global_name: null,
		avatar: null,
		bot: true,
		flags: 0 as UserFlags,
		public_flags: 0 as UserFlags,
		primary_guild: null,
	};
}

export function humanUser(userId: string, ownerId: string): APIUser {
	const name = userId === ownerId ? 'tester' : `user${userId.slice(-4)}`;
	return {
		id: userId,
		username: name,
		discriminator: '0',
		global_name: name[0]?.toUpperCase() + name.slice(1),
		avatar: null,
		flags: 0 as UserFlags,
		public_flags: 0 as UserFlags,
		primary_guild: null,
	};
}

/** GET /users/@me adds the account fields only the user itself sees. */
export function currentUser(world: World): APIUser {
	return { ...botUser(world), mfa_enabled: false, locale: Locale.EnglishUS, verified: true, email: null };
}

/** GET /applications/@me; the spec requires a few fields discord-api-types does not model. */
export function application(world: World): APIApplication & Record<string, unknown> {
	return {
		id: world.applicationId,
		name: 'clapper',
		icon: null,
		description: '',
		summary: '',
		type: null,
		bot_public: true,
		bot_require_code_grant: false,
		bot: botUser(world),
		owner: humanUser(world.ownerId, world.ownerId),
		verify_key: randomBytes(32).toString('hex'),
		team: null,
		flags: 0 as ApplicationFlags,
		flags_new: '0',
		redirect_uris: [],
		interactions_endpoint_url: null,
		role_connections_verification_url: null,
		approximate_guild_count: 1,
		approximate_user_install_count: 0,
		approximate_user_authorization_count: 0,
		explicit_content_filter: 0,
		eligible_oauth2_scopes: ['applications.commands', 'bot'],
		integration_types_config: { [ApplicationIntegrationType.GuildInstall]: {} },
	};
}

export function readyPayload(
	world: World,
	sessionId: string,
	gatewayUrl: string,
	shard: [id: number, count: number] = [0, 1],
): GatewayReadyDispatchData {
	return {
		v: 10,
		user: botUser(world),
		guilds: world.guilds
			.filter((guild) => shardOf(guild.id, shard[1]) === shard[0])
			.map((guild) => ({ id: guild.id, unavailable: true })),
		session_id: sessionId,
		resume_gateway_url: gatewayUrl,
		shard,
		application: { id: world.applicationId, flags: 0 as ApplicationFlags, flags_new: '0' },
	};
}

export function role(id: string, name: string, permissions: string, position: number, botId?: string): APIRole {
	return {
		id,
		name,
		color: 0,
		colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
		hoist: false,
		position,
		permissions,
		managed: botId !== undefined,
		mentionable: false,
		flags: 0 as RoleFlags,
		...(botId === undefined ? {} : { tags: { bot_id: botId } }),
	};
}

export function textChannel(guild: GuildWorld, channel: { id: string; name: string }): APITextChannel {
	return {
		id: channel.id,
		type: ChannelType.GuildText,
		guild_id: guild.id,
		name: channel.name,
		position: guild.channels.indexOf(channel),
		permission_overwrites: [],
		parent_id: null,
		nsfw: false,
		topic: null,
		last_message_id: null,
		rate_limit_per_user: 0,
		flags: 0 as ChannelFlags,
	};
}

export function guildMember(user: APIUser, roles: string[], joinedAt: number): APIGuildMember {
	return {
		user,
		roles,
		joined_at: new Date(joinedAt).toISOString(),
		deaf: false,
		mute: false,
		flags: 0 as GuildMemberFlags,
		nick: null,
		avatar: null,
		premium_since: null,
		pending: false,
		communication_disabled_until: null,
	};
}

export function interactionMember(
	user: APIUser,
	joinedAt: number,
	permissions: string,
	roles: string[] = [],
): APIInteractionGuildMember {
	return { ...guildMember(user, roles, joinedAt), user, permissions };
}

/** A complete guild: discord.js marks the shard ready only once every READY guild arrived. */
export function guildCreatePayload(world: World, guild: GuildWorld): GatewayGuildCreateDispatchData {
	return {
		id: guild.id,
		name: guild.name,
		icon: null,
		splash: null,
		discovery_splash: null,
		banner: null,
		description: null,
		owner_id: world.ownerId,
		afk_channel_id: null,
		afk_timeout: 300,
		verification_level: GuildVerificationLevel.Low,
		default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
		explicit_content_filter: GuildExplicitContentFilter.AllMembers,
		roles: [
			role(guild.id, '@everyone', DEFAULT_MEMBER_PERMISSIONS, 0),
			role(guild.botRoleId, 'clapper', BOT_PERMISSIONS, 1, world.botUserId),
			...guild.roles.map((custom, index) => role(custom.id, custom.name, '0', index + 2)),
		],
		emojis: [],
		stickers: [],
		features: [],
		mfa_level: GuildMFALevel.None,
		application_id: null,
		system_channel_id: guild.channels[0]?.id ?? null,
		system_channel_flags: GuildSystemChannelFlags.SuppressJoinNotificationReplies,
		rules_channel_id: null,
		public_updates_channel_id: null,
		safety_alerts_channel_id: null,
		vanity_url_code: null,
		premium_tier: GuildPremiumTier.None,
		premium_subscription_count: 0,
		premium_progress_bar_enabled: false,
		preferred_locale: Locale.EnglishUS,
		nsfw_level: GuildNSFWLevel.Default,
		hub_type: null,
		incidents_data: null,
		max_members: 500_000,
		max_video_channel_users: 25,
		joined_at: new Date(world.createdAt).toISOString(),
		large: false,
		unavailable: false,
		member_count: 2,
		voice_states: [],
		members: [guildMember(botUser(world), [guild.botRoleId], world.createdAt)],
		channels: guild.channels.map((channel) => textChannel(guild, channel)),
		threads: [],
		presences: [],
		stage_instances: [],
		guild_scheduled_events: [],
		soundboard_sounds: [],
	};
}

/** Fields every interaction from a guild text channel carries. */
export function interactionEnvelope(
	world: World,
	input: {
		id: string;
		token: string;
		user: APIUser;
		locale: Locale;
		permissions: string;
		attachmentSizeLimit: number;
		channelId: string;
		roles: string[];
		/** What the bot may do in the channel now; all it was invited with by default. */
		appPermissions?: string;
		/** 0 a server (default); for 1 and 2 (DMs) see `asDirectMessage`. */
		context?: InteractionContextType;
		/** Default: the server's guild install, `{"0": guild id}` (`{"1": user id}` is a user install). */
		authorizingIntegrationOwners?: Record<string, string>;
	},
) {
	const guild = guildOfChannel(world, input.channelId);
	const where = guild?.channels.find((candidate) => candidate.id === input.channelId);
	if (guild === undefined || where === undefined) throw new TypeError(`the stand-in has no channel ${input.channelId}`);
	for (const id of input.roles) {
		if (!guild.roles.some((candidate) => candidate.id === id))
			throw new TypeError(`the server of channel ${input.channelId} has no role ${id}`);
	}
	const channel = textChannel(guild, where);
	return {
		id: input.id,
		application_id: world.applicationId,
		guild_id: guild.id,
		guild: { id: guild.id, locale: Locale.EnglishUS, features: [] },
		channel_id: channel.id,
		channel: { id: channel.id, type: channel.type, guild_id: guild.id, name: channel.name },
		member: interactionMember(input.user, world.createdAt, input.permissions, input.roles),
		token: input.token,
		version: 1 as const,
		app_permissions: input.appPermissions ?? BOT_PERMISSIONS,
		locale: input.locale,
		guild_locale: Locale.EnglishUS,
		entitlements: [],
		authorizing_integration_owners: input.authorizingIntegrationOwners ?? {
			[ApplicationIntegrationType.GuildInstall]: guild.id,
		},
		context: input.context ?? InteractionContextType.Guild,
		attachment_size_limit: input.attachmentSizeLimit,
	};
}

/**
 * An interaction payload as it comes from a DM (context 1, the bot's DM; 2, a group DM or another
 * DM): no server, no member but the user themself, the DM as its channel, and (by default) the
 * user's own install as the authorizing integration.
 */
export function asDirectMessage<T extends { guild_id?: string; member?: { user: APIUser } }>(
	payload: T,
	context: InteractionContextType.BotDM | InteractionContextType.PrivateChannel,
	channelId: string,
	owners: Record<string, string> | undefined,
): Record<string, unknown> {
	const { guild_id: _guildId, member, ...rest } = payload as T & { guild?: unknown; guild_locale?: unknown };
	const { guild: _guild, guild_locale: _locale, ...dm } = rest as Record<string, unknown>;
	const user = member?.user;
	return {
		...dm,
		...(user === undefined ? {} : { user }),
		channel_id: channelId,
		channel: {
			id: channelId,
			type: context === InteractionContextType.BotDM ? ChannelType.DM : ChannelType.GroupDM,
			...(user === undefined ? {} : { recipients: [user] }),
		},
		context,
		authorizing_integration_owners: owners ?? { [ApplicationIntegrationType.UserInstall]: user?.id ?? '0' },
	};
}

export function toLocale(value: string): Locale {
	const locale = Object.values(Locale).find((l: string) => l === value);
	if (!locale) throw new TypeError(`unknown Discord locale "${value}"`);
	return locale;
}

export interface HostedAttachment {
	id: string;
	filename: string;
	contentType: string;
	data: Buffer;
	size: number;
	url: string;
	proxyUrl: string;
	width?: number;
	height?: number;
	/** Alt text the sender gave. */
	description?: string;
	/** A link the test wrote (not the CDN's): payloads carry it as it is, never signed afresh. */
	crafted?: boolean;
}

/** A message as the stand-in keeps it; `StoredMessage` in discord.ts is its public view. */
export interface MessageRecord {
	id: string;
	channelId: string;
	content: string;
	components: unknown[];
	embeds: unknown[];
	attachments: HostedAttachment[];
	flags: number;
	editedAt: number | null;
	createdAt: number;
	/** Edits made since the message turned an hour old (Discord caps them: 30046). */
	oldEdits: number;
	type: MessageType;
	kind: 'original' | 'followup' | 'channel';
	/** The message this one replies to. */
	reference?: string;
	/** The sender's nonce (remembered for `enforce_nonce`). */
	nonce?: string;
	/** The command interaction this message answers (originals and follow-ups). */
	interaction?: { id: string; type: InteractionType; user: APIUser };
	/** A member's own message (the bot's when absent). */
	authorId?: string;
}

/** Signs attachment links afresh for a payload (Discord's links expire; every payload carries fresh ones). */
export interface LinkSigner {
	fresh(url: string): { url: string; proxyUrl: string };
}

export function attachmentPayload(a: HostedAttachment, links?: LinkSigner): APIAttachment {
	const urls = a.crafted === true ? { url: a.url, proxyUrl: a.proxyUrl } : (links?.fresh(a.url) ?? a);
	return {
		id: a.id,
		filename: a.filename,
		size: a.size,
		url: urls.url,
		proxy_url: urls.proxyUrl,
		content_type: a.contentType,
		...(a.width === undefined ? {} : { width: a.width }),
		...(a.height === undefined ? {} : { height: a.height }),
		...(a.description === undefined ? {} : { description: a.description }),
	};
}

export function messagePayload(world: World, m: MessageRecord, links?: LinkSigner): APIMessage {
	const viaInteraction = m.interaction !== undefined;
	return {
		id: m.id,
		channel_id: m.channelId,
		author: m.authorId === undefined ? botUser(world) : humanUser(m.authorId, world.ownerId),
		content: m.content,
		timestamp: new Date(m.createdAt).toISOString(),
		edited_timestamp: m.editedAt === null ? null : new Date(m.editedAt).toISOString(),
		tts: false,
		mention_everyone: false,
		mentions: [],
		mention_roles: [],
		attachments: m.attachments.map((a) => attachmentPayload(a, links)),
		// Stored as the bot sent them (already checked against the spec).
		embeds: m.embeds as APIEmbed[],
		components: m.components as APIMessageTopLevelComponent[],
		pinned: false,
		type: m.type,
		flags: m.flags,
		...(viaInteraction ? { webhook_id: world.applicationId, application_id: world.applicationId } : {}),
		...(m.reference === undefined
			? {}
			: { message_reference: { type: 0, channel_id: m.channelId, guild_id: world.guildId, message_id: m.reference } }),
		...(m.nonce === undefined ? {} : { nonce: m.nonce }),
		...(m.interaction?.type === InteractionType.ApplicationCommand
			? {
					interaction_metadata: {
						id: m.interaction.id,
						type: InteractionType.ApplicationCommand,
						user: m.interaction.user,
						authorizing_integration_owners: {
							[ApplicationIntegrationType.GuildInstall]: guildOfChannel(world, m.channelId)?.id ?? world.guildId,
						},
					},
				}
			: {}),
	};
}
