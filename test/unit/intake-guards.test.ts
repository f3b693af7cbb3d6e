import {
	ApplicationCommandOptionType,
	ApplicationCommandType,
	ChatInputCommandInteraction,
	Client,
	InteractionContextType,
	InteractionType,
	Locale,
	PermissionFlagsBits,
	type APIChatInputApplicationCommandInteraction,
} from 'discord.js';
import { afterAll, describe, expect, it } from 'vitest';
import {
	attachmentOption,
	checkCanStart,
	deliveryNeeds,
	missingForDelivery,
	unservedWhere,
} from '../../src/discord/intake-guards.js';
import { BotPermissionError, InvalidRequestError, type BotPermission } from '../../src/errors.js';
import { english, textsFor } from '../../src/texts/index.js';
import { pick, seeded } from '../helpers/random.js';
import {
	asDirectMessage,
	createWorld,
	humanUser,
	interactionEnvelope,
	interactionToken,
	nextSnowflake,
} from '../standins/discord-payloads.js';

/*
 * The intake guards read the interaction Discord sent, so they are tested on real discord.js
 * interactions built from the payloads the Discord stand-in sends (no mock of either).
 */

const client = new Client({ intents: [] });
afterAll(() => client.destroy());
const world = createWorld([{ channels: ['general'] }]);

interface Shape {
	appPermissions?: string;
	context?: InteractionContextType;
	owners?: Record<string, string>;
	/** Attachment options: name → resolved (true) or an id Discord left unresolved (false). */
	attachments?: Record<string, boolean>;
}

function interaction(shape: Shape = {}): ChatInputCommandInteraction {
	const id = nextSnowflake();
	const user = humanUser(nextSnowflake(), world.ownerId);
	const envelope = interactionEnvelope(world, {
		id,
		token: interactionToken(id),
		user,
		locale: Locale.EnglishUS,
		permissions: '0',
		attachmentSizeLimit: 10_485_760,
		channelId: world.channelId,
		roles: [],
		...(shape.appPermissions === undefined ? {} : { appPermissions: shape.appPermissions }),
		...(shape.context === undefined ? {} : { context: shape.context }),
		...(shape.owners === undefined ? {} : { authorizingIntegrationOwners: shape.owners }),
	});
	const attachments = Object.entries(shape.attachments ?? {}).map(([name, resolved]) => ({
		name,
		id: nextSnowflake(),
		resolved,
	}));
	const resolvedAttachments = Object.fromEntries(
		attachments
			.filter((attachment) => attachment.resolved)
			.map((attachment) => [
				attachment.id,
				{
					id: attachment.id,
					filename: 'frame.png',
					size: 10,
					url: `https://cdn.discordapp.com/attachments/1/${attachment.id}/frame.png`,
					proxy_url: `https://media.discordapp.net/attachments/1/${attachment.id}/frame.png`,
					content_type: 'image/png',
				},
			]),
	);
	const payload: APIChatInputApplicationCommandInteraction = {
		...envelope,
		type: InteractionType.ApplicationCommand,
		data: {
			id: nextSnowflake(),
			name: 'video',
			type: ApplicationCommandType.ChatInput,
			guild_id: envelope.guild_id,
			options: attachments.map((attachment) => ({
				name: attachment.name,
				type: ApplicationCommandOptionType.Attachment,
				value: attachment.id,
			})),
			...(Object.keys(resolvedAttachments).length > 0 ? { resolved: { attachments: resolvedAttachments } } : {}),
		},
	};
	const dm =
		shape.context === InteractionContextType.BotDM || shape.context === InteractionContextType.PrivateChannel
			? asDirectMessage(payload, shape.context, nextSnowflake(), shape.owners)
			: payload;
	// discord.js builds the interaction from the raw payload, as it does for one from the gateway.
	const Built = ChatInputCommandInteraction as unknown as new (
		client: Client,
		data: unknown,
	) => ChatInputCommandInteraction;
	return new Built(client, dm);
}

function thrown(run: () => unknown): unknown {
	try {
		run();
		return undefined;
	} catch (error) {
		return error;
	}
}

const ALL: readonly BotPermission[] = [
	'ViewChannel',
	'SendMessages',
	'SendMessagesInThreads',
	'AttachFiles',
	'ReadMessageHistory',
];
const bits = (permissions: readonly BotPermission[]) =>
	String(permissions.reduce((sum, permission) => sum | PermissionFlagsBits[permission], 0n));

describe('where the bot serves', () => {
	it('serves a server that installed it, by context and the guild install owner', () => {
		expect(unservedWhere(interaction())).toBeUndefined();
		expect(unservedWhere(interaction({ owners: { '0': world.guildId, '1': nextSnowflake() } }))).toBeUndefined();
	});

	const TABLE: ReadonlyArray<readonly [string, Shape, string]> = [
		['the bot DM', { context: InteractionContextType.BotDM }, 'bot-dm'],
		['the bot DM, guild-install owner "0"', { context: InteractionContextType.BotDM, owners: { '0': '0' } }, 'bot-dm'],
		['a group DM', { context: InteractionContextType.PrivateChannel }, 'private-channel'],
		[
			'a group DM, both owners',
			{ context: InteractionContextType.PrivateChannel, owners: { '0': '0', '1': '5' } },
			'private-channel',
		],
		['a user install in a server', { owners: { '1': '81234567890123' } }, 'server-without-bot'],
		['no owners at all', { owners: {} }, 'server-without-bot'],
		['another server’s install', { owners: { '0': '1573597093061328898' } }, 'server-without-bot'],
		['a server id "0"', { owners: { '0': '0' } }, 'server-without-bot'],
		['context 1 in a server', { context: InteractionContextType.BotDM, owners: { '0': world.guildId } }, 'bot-dm'],
	];

	it(`refuses ${TABLE.length} contexts it does not serve, each said in English and French`, () => {
		for (const [label, shape, where] of TABLE) {
			const made = interaction(shape);
			expect(unservedWhere(made), label).toBe(where);
			const error = thrown(() => checkCanStart(made));
			expect(error, label).toBeInstanceOf(InvalidRequestError);
			for (const texts of [english, textsFor('fr')])
				expect(texts.commandError(error), label).not.toBe(texts.unexpected);
		}
	});

	it('seed 1204: 300 random owner maps and contexts: served exactly when context 0 and "0" names this server', () => {
		const random = seeded(1204);
		const ids = [world.guildId, '0', nextSnowflake(), nextSnowflake()];
		for (let i = 0; i < 300; i++) {
			const context = pick(random, [
				undefined,
				InteractionContextType.Guild,
				InteractionContextType.BotDM,
				InteractionContextType.PrivateChannel,
			]);
			const owners: Record<string, string> = {};
			if (random() < 0.7) owners['0'] = pick(random, ids);
			if (random() < 0.5) owners['1'] = nextSnowflake();
			const made = interaction({ ...(context === undefined ? {} : { context }), owners });
			const served =
				(context === undefined || context === InteractionContextType.Guild) && owners['0'] === world.guildId;
			expect(unservedWhere(made) === undefined, JSON.stringify({ context, owners })).toBe(served);
		}
	});
});

/** discord.js's flag name in Discord's words: `SendMessagesInThreads` → `Send Messages in Threads`. */
const named = (permission: BotPermission) => permission.replace(/([a-z])([A-Z])/g, '$1 $2').replace(' In ', ' in ');

describe('what delivery needs of the bot in the channel', () => {
	it('is View Channel, Send Messages (in a thread, Send Messages in Threads), Attach Files and Read Message History', () => {
		expect(deliveryNeeds(false)).toEqual(['ViewChannel', 'SendMessages', 'AttachFiles', 'ReadMessageHistory']);
		expect(deliveryNeeds(true)).toEqual(['ViewChannel', 'SendMessagesInThreads', 'AttachFiles', 'ReadMessageHistory']);
		expect(missingForDelivery(interaction())).toEqual([]);
		expect(missingForDelivery(interaction({ appPermissions: String(PermissionFlagsBits.Administrator) }))).toEqual([]);
		// A channel the client has not cached may be a thread: Send Messages in Threads is enough there.
		const inThread = bits(['ViewChannel', 'SendMessagesInThreads', 'AttachFiles', 'ReadMessageHistory']);
		expect(missingForDelivery(interaction({ appPermissions: inThread }))).toEqual([]);
		expect(missingForDelivery(interaction({ appPermissions: bits(['ViewChannel', 'AttachFiles']) }))).toEqual([
			'SendMessages',
			'ReadMessageHistory',
		]);
	});

	it('seed 20261204: every one of the 32 subsets of the five permissions, plus 300 random bitfields', () => {
		const random = seeded(20261204);
		const cases: bigint[] = [];
		for (let mask = 0; mask < 32; mask++)
			cases.push(BigInt(bits(ALL.filter((_, index) => (mask & (1 << index)) !== 0))));
		for (let i = 0; i < 300; i++)
			cases.push(BigInt(Math.floor(random() * 2 ** 32)) | (BigInt(Math.floor(random() * 2 ** 20)) << 32n));
		for (const held of cases) {
			const made = interaction({ appPermissions: held.toString() });
			const has = (permission: BotPermission) => (held & PermissionFlagsBits[permission]) !== 0n;
			const admin = (held & PermissionFlagsBits.Administrator) !== 0n;
			const thread = !has('SendMessages') && has('SendMessagesInThreads');
			const expected = admin ? [] : deliveryNeeds(thread).filter((permission) => !has(permission));
			expect(missingForDelivery(made), String(held)).toEqual(expected);
			const error = thrown(() => checkCanStart(made));
			if (expected.length === 0) expect(error).toBeUndefined();
			else {
				expect(error).toBeInstanceOf(BotPermissionError);
				const words = english.commandError(error);
				for (const permission of expected) expect(words).toContain(`**${named(permission)}**`);
				expect((words.match(/\*\*/g) ?? []).length / 2).toBe(expected.length);
				expect(textsFor('fr').commandError(error)).toContain(`<#${world.channelId}>`);
			}
		}
		expect(cases).toHaveLength(332);
	});
});

describe('attachment options Discord did not resolve', () => {
	it('returns a resolved attachment, null for one not given, and refuses one left unresolved', () => {
		const made = interaction({ attachments: { first_frame: true, subject: false } });
		expect(attachmentOption(made, 'first_frame')?.url).toContain('cdn.discordapp.com');
		expect(attachmentOption(made, 'last_frame')).toBeNull();
		const error = thrown(() => attachmentOption(made, 'subject'));
		expect(error).toBeInstanceOf(InvalidRequestError);
		expect((error as InvalidRequestError).problem).toEqual({ kind: 'attachment-unresolved', option: 'subject' });
	});

	it('seed 77: 200 random mixes of the three image options, each unresolved one refused and none dropped', () => {
		const random = seeded(77);
		const names = ['first_frame', 'last_frame', 'subject'];
		for (let i = 0; i < 200; i++) {
			const attachments: Record<string, boolean> = {};
			for (const name of names) if (random() < 0.6) attachments[name] = random() < 0.5;
			const made = interaction({ attachments });
			for (const name of names) {
				const given = attachments[name];
				const error = thrown(() => attachmentOption(made, name));
				if (given === false)
					expect((error as InvalidRequestError).problem, name).toEqual({ kind: 'attachment-unresolved', option: name });
				else {
					expect(error, name).toBeUndefined();
					expect(attachmentOption(made, name) === null, name).toBe(given === undefined);
				}
			}
		}
	});
});
