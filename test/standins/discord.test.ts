// Proves the Discord stand-in against the real discord.js client: login over the fake gateway,
// interactions, multipart uploads, rate limits, token expiry and OpenAPI checks.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
	ApplicationCommandOptionType,
	ApplicationIntegrationType,
	Client,
	DiscordAPIError,
	Events,
	GatewayIntentBits,
	InteractionContextType,
	PermissionFlagsBits,
	REST,
	Routes,
	type Attachment,
	type Interaction,
	type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { rawText } from './discord-gateway.js';
import { startDiscordStandIn, type DiscordStandIn, type DiscordStandInOptions } from './discord.js';
import { loadOpenApiValidator } from './openapi-validator.js';

type Handler = (interaction: Interaction) => Promise<void>;

interface Harness {
	standIn: DiscordStandIn;
	client: Client;
	/** Errors thrown inside the client's interaction handler. */
	handlerErrors: unknown[];
	/** waitFor that fails fast with the handler's error instead of timing out. */
	until<T>(check: () => T | undefined | false, label: string): Promise<T>;
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts a stand-in and logs a real discord.js client in to it. */
async function harness(handler: Handler, options: DiscordStandInOptions = {}): Promise<Harness> {
	const standIn = await startDiscordStandIn(options);
	cleanups.push(() => standIn.close());
	const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: standIn.apiUrl } });
	cleanups.push(() => client.destroy());
	const handlerErrors: unknown[] = [];
	client.on(Events.InteractionCreate, (interaction) => {
		handler(interaction).catch((e: unknown) => handlerErrors.push(e));
	});
	const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
	await client.login(standIn.token);
	await ready;
	await standIn.identified();
	const until = <T>(check: () => T | undefined | false, label: string) =>
		standIn.waitFor(
			() => {
				if (handlerErrors.length > 0) throw handlerErrors[0];
				return check();
			},
			3000,
			label,
		);
	return { standIn, client, handlerErrors, until };
}

function separateRest(standIn: DiscordStandIn): REST {
	const rest = new REST({ api: standIn.apiUrl }).setToken(standIn.token);
	cleanups.push(async () => {
		rest.clearHashSweeper();
		rest.clearHandlerSweeper();
	});
	return rest;
}

/** A bare gateway client: collects frames so tests can look for them. */
async function rawGateway(standIn: DiscordStandIn) {
	const ws = new WebSocket(`${standIn.origin.replace(/^http/, 'ws')}/gateway?v=10&encoding=json`);
	const frames: unknown[] = [];
	let closeCode: number | undefined;
	ws.on('message', (raw) => frames.push(JSON.parse(rawText(raw))));
	ws.on('close', (code) => (closeCode = code));
	cleanups.push(async () => ws.terminate());
	await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
	return {
		send: (op: number, d: unknown) => ws.send(JSON.stringify({ op, d })),
		close: () => ws.close(),
		closed: () => standIn.waitFor(() => closeCode, 2000, 'gateway close'),
		frame: (shape: Record<string, unknown>) => {
			const matcher = expect.objectContaining(shape);
			return standIn.waitFor(() => frames.find((f) => matcher.asymmetricMatch(f)), 2000, JSON.stringify(shape));
		},
	};
}

const validator = loadOpenApiValidator();

/** The stand-in's own answers must match the spec's response schemas too. */
function responseIssues(method: string, path: string, status: number, body: unknown) {
	const route = validator.match(method, decodeURIComponent(path));
	if (!route) throw new Error(`no spec route for ${method} ${path}`);
	return validator.checkResponse(method, route, status, body);
}

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('not really a png')]);
const choices = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `style ${i}`, value: `style-${i}` }));

describe('Discord stand-in with the real discord.js client', () => {
	it('logs in over the fake gateway with one IDENTIFY', async () => {
		const { standIn, client } = await harness(async () => {});
		expect(client.user?.id).toBe(standIn.botUserId);
		expect(client.application?.id).toBe(standIn.applicationId);
		expect(client.channels.cache.get(standIn.channelId)?.isTextBased()).toBe(true);
		expect(standIn.gatewaySessions()).toBe(1);
		expect(standIn.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['GET /api/v10/gateway/bot 200']);
	});

	it('defers, reads the attachment option, downloads it and edits the reply with a file', async () => {
		let seen: { attachment: Attachment; bytes: Buffer } | undefined;
		const { standIn, until } = await harness(async (interaction) => {
			if (!interaction.isChatInputCommand()) return;
			await interaction.deferReply();
			const frame = interaction.options.getAttachment('first_frame', true);
			const bytes = Buffer.from(await (await fetch(frame.url)).arrayBuffer());
			seen = { attachment: frame, bytes };
			const clip = { attachment: Buffer.from('mp4bytes'), name: 'clip.mp4' };
			await interaction.editReply({ content: 'hi', files: [clip] });
		});

		const handle = standIn.slashCommand({
			name: 'clip',
			options: [
				{ name: 'prompt', type: ApplicationCommandOptionType.String, value: 'a cat on a skateboard' },
				{ name: 'first_frame', type: ApplicationCommandOptionType.Attachment, value: 'frame' },
			],
			attachments: { frame: { filename: 'frame.png', data: PNG, contentType: 'image/png', width: 640, height: 360 } },
		});
		const original = await until(
			() => (standIn.original(handle.token)?.attachments.length ? standIn.original(handle.token) : undefined),
			'edited reply with a file',
		);

		expect(seen?.attachment).toMatchObject({ contentType: 'image/png', size: PNG.length, width: 640, height: 360 });
		expect(seen?.bytes.equals(PNG)).toBe(true);
		const signed = /\/attachments\/\d+\/\d+\/frame\.png\?ex=[0-9a-f]+&is=[0-9a-f]+&hm=[0-9a-f]+/;
		expect(seen?.attachment.url.startsWith(standIn.origin)).toBe(true);
		expect(seen?.attachment.url).toMatch(signed);
		expect(original.content).toBe('hi');
		expect(original.attachments).toHaveLength(1);
		expect(original.attachments[0]).toMatchObject({ filename: 'clip.mp4', contentType: 'video/mp4', size: 8 });
		expect(original.attachments[0]?.data.equals(Buffer.from('mp4bytes'))).toBe(true);

		const [defer] = standIn.callbacks(handle.id);
		expect(defer?.body).toEqual({ type: 5, data: { flags: 0 } });
		expect(defer!.at - handle.dispatchedAt).toBeLessThan(3000);
		const edit = standIn.requests.find((r) => r.method === 'PATCH');
		expect(edit?.path).toBe(`/api/v10/webhooks/${standIn.applicationId}/${handle.token}/messages/@original`);
		expect(edit?.files.map((f) => f.field)).toEqual(['files[0]']);
		expect(standIn.violations).toEqual([]);
	});

	it('records a valid 25-choice autocomplete answer and flags 26 choices', async () => {
		const { standIn, client, until } = await harness(async (interaction) => {
			if (!interaction.isAutocomplete() || interaction.options.getFocused() === 'manual') return;
			await interaction.respond(choices(25));
		});

		const typing = [{ name: 'style', type: 3, value: 'noi', focused: true }];
		const answered = standIn.autocomplete({ name: 'clip', options: typing });
		const callback = await until(() => standIn.callbacks(answered.id)[0], 'autocomplete answer');
		expect(callback.status).toBe(204);
		expect(callback.body).toEqual({ type: 8, data: { choices: choices(25) } });
		expect(standIn.violations).toEqual([]);

		const manual = standIn.autocomplete({ name: 'clip', options: [{ name: 'style', type: 3, value: 'manual' }] });
		const tooMany = client.rest.post(Routes.interactionCallback(manual.id, manual.token), {
			body: { type: 8, data: { choices: choices(26) } },
			auth: false,
		});
		await expect(tooMany).rejects.toMatchObject({ status: 400, code: 50035 });
		expect(standIn.violations).toHaveLength(1);
		expect(standIn.violations[0]).toBe(
			'POST /interactions/{interaction_id}/{interaction_token}/callback : ' +
				'data/data/choices must NOT have more than 25 items',
		);
	});

	it('lets a separate REST client edit @original until the token expires', async () => {
		const { standIn, until } = await harness(async (interaction) => {
			if (interaction.isChatInputCommand()) await interaction.deferReply();
		});
		const handle = standIn.slashCommand({ name: 'clip', options: [{ name: 'prompt', type: 3, value: 'x' }] });
		await until(() => standIn.original(handle.token), 'deferred reply');

		const rest = separateRest(standIn);
		const route = Routes.webhookMessage(standIn.applicationId, handle.token, '@original');
		const edited = await rest.patch(route, { body: { content: 'edited' }, auth: false });
		expect(edited).toMatchObject({
			content: 'edited',
			channel_id: standIn.channelId,
			author: { id: standIn.botUserId },
		});
		expect(responseIssues('PATCH', route, 200, edited)).toEqual([]);
		expect(standIn.original(handle.token)?.content).toBe('edited');

		standIn.expireInteractionTokens();
		const late = rest.patch(route, { body: { content: 'too late' }, auth: false });
		const error: unknown = await late.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(DiscordAPIError);
		expect(error).toMatchObject({ status: 401, code: 50027 });
		expect(standIn.violations).toEqual([]);
	});

	it('has discord.js wait out a scripted 429 on PATCH @original and retry', async () => {
		const { standIn, client, until } = await harness(async (interaction) => {
			if (!interaction.isChatInputCommand()) return;
			await interaction.deferReply();
			await interaction.editReply('after the rate limit');
		});
		const rateLimited: number[] = [];
		client.rest.on('rateLimited', (info) => rateLimited.push(info.retryAfter));
		standIn.failNext(
			{ method: 'PATCH', path: /\/messages\/@original$/ },
			{
				status: 429,
				headers: {
					'Retry-After': '1',
					'X-RateLimit-Limit': '5',
					'X-RateLimit-Remaining': '0',
					'X-RateLimit-Reset-After': '1',
				},
			},
		);

		const handle = standIn.slashCommand({ name: 'clip' });
		await until(() => standIn.original(handle.token)?.content === 'after the rate limit', 'edit after 429');

		const patches = standIn.requests.filter((r) => r.method === 'PATCH');
		expect(patches.map((r) => r.status)).toEqual([429, 200]);
		expect(patches[1]!.at - patches[0]!.at).toBeGreaterThanOrEqual(1000);
		expect(rateLimited).toHaveLength(1);
		expect(standIn.violations).toEqual([]);
	});

	it('validates bulk command overwrites', async () => {
		const commandIds: string[] = [];
		const { standIn, client, until } = await harness(async (interaction) => {
			if (interaction.isChatInputCommand()) commandIds.push(interaction.commandId);
		});
		const clip: RESTPostAPIChatInputApplicationCommandsJSONBody = {
			name: 'clip',
			description: 'Direct a short video clip',
			options: [
				{
					type: ApplicationCommandOptionType.Attachment,
					name: 'first_frame',
					description: 'Opening frame',
					required: true,
				},
				{ type: ApplicationCommandOptionType.String, name: 'style', description: 'Visual style', autocomplete: true },
			],
			contexts: [InteractionContextType.Guild],
			integration_types: [ApplicationIntegrationType.GuildInstall],
		};

		const registered = await client.application!.commands.set([clip]);
		expect(registered.first()?.name).toBe('clip');
		await client.application!.commands.set([clip], standIn.guildId);
		expect(standIn.commands.global).toEqual([expect.objectContaining({ name: 'clip', id: registered.first()?.id })]);
		expect(standIn.commands.guild.get(standIn.guildId)).toHaveLength(1);
		expect(standIn.violations).toEqual([]);

		standIn.slashCommand({ name: 'clip' });
		expect(await until(() => commandIds[0], 'command interaction')).toBe(registered.first()?.id);

		const tooLong = client.application!.commands.set([{ ...clip, name: 'x'.repeat(33) }]);
		await expect(tooLong).rejects.toMatchObject({ status: 400, code: 50035 });
		expect(standIn.violations).toEqual([
			'PUT /applications/{application_id}/commands : data/0/name must NOT have more than 32 characters',
		]);
	});

	it('supports buttons, modals and channel messages', async () => {
		const { standIn, until } = await harness(async (interaction) => {
			if (interaction.isChatInputCommand()) {
				await interaction.showModal({
					custom_id: 'retry',
					title: 'Retry',
					components: [{ type: 1, components: [{ type: 4, custom_id: 'prompt', label: 'Prompt', style: 1 }] }],
				});
			} else if (interaction.isModalSubmit()) {
				const prompt = interaction.fields.getTextInputValue('prompt');
				await interaction.reply({
					content: `queued: ${prompt}`,
					components: [{ type: 1, components: [{ type: 2, style: 1, custom_id: 'cancel', label: 'Cancel' }] }],
				});
			} else if (interaction.isButton()) {
				await interaction.update({ content: 'cancelled', components: [] });
				if (interaction.channel?.isSendable()) await interaction.channel.send('bye');
			}
		});

		const command = standIn.slashCommand({ name: 'clip' });
		await until(() => standIn.callbacks(command.id)[0], 'modal');
		expect(standIn.callbacks(command.id)[0]?.body).toMatchObject({ type: 9, data: { custom_id: 'retry' } });

		const submit = standIn.modalSubmit({ customId: 'retry', fields: { prompt: 'a dog' } });
		const reply = await until(() => standIn.original(submit.token), 'modal reply');
		expect(reply.content).toBe('queued: a dog');

		const click = standIn.component({ customId: 'cancel', messageId: reply.id });
		await until(() => standIn.channelMessages()[0], 'channel message');
		expect(standIn.original(click.token)).toMatchObject({ id: reply.id, content: 'cancelled', components: [] });
		expect(standIn.channelMessages().map((m) => m.content)).toEqual(['bye']);
		expect(standIn.violations).toEqual([]);
	});

	it('posts members’ messages with files, and dispatches message commands on them that discord.js reads', async () => {
		const seen: Array<{ name: string; target: string; author: string; files: string[]; url: string }> = [];
		const { standIn, until } = await harness(async (interaction) => {
			if (!interaction.isMessageContextMenuCommand()) return;
			const files = [...interaction.targetMessage.attachments.values()];
			seen.push({
				name: interaction.commandName,
				target: interaction.targetId,
				author: interaction.targetMessage.author.id,
				files: files.map((file) => `${file.name} ${file.contentType ?? ''} ${file.width ?? 0}x${file.height ?? 0}`),
				url: files[0]?.url ?? '',
			});
			await interaction.reply({ content: 'ok', flags: 64 });
		});
		const sketch = Buffer.from('a picture');
		const message = standIn.memberMessage({
			userId: '812345678901234599',
			content: 'my sketch',
			attachments: [{ filename: 'sketch.png', data: sketch, contentType: 'image/png', width: 640, height: 360 }],
		});
		const command = standIn.messageCommand({ name: 'Animate', messageId: message.id });
		await until(() => seen[0], 'the message command');
		expect(seen[0]).toMatchObject({
			name: 'Animate',
			target: message.id,
			author: '812345678901234599',
			files: ['sketch.png image/png 640x360'],
		});
		await until(() => standIn.callbacks(command.id)[0], 'the answer');

		// Links expire; the message read again carries a fresh one.
		const first = seen[0]?.url ?? '';
		expect(Buffer.from(await (await fetch(first)).arrayBuffer())).toEqual(sketch);
		standIn.expireAttachmentLinks();
		expect((await fetch(first)).status).toBe(404);
		const reread = (await separateRest(standIn).get(Routes.channelMessage(standIn.channelId, message.id))) as {
			author: { id: string };
			attachments: Array<{ url: string }>;
		};
		expect(reread.author.id).toBe('812345678901234599');
		const fresh = reread.attachments[0]?.url ?? '';
		expect(fresh).not.toBe(first);
		expect(Buffer.from(await (await fetch(fresh)).arrayBuffer())).toEqual(sketch);
		expect(standIn.violations).toEqual([]);
	});

	it('puts any member, with any roles and permissions, in any channel of several servers', async () => {
		const seen: Array<Record<string, unknown>> = [];
		const { standIn, until, client } = await harness(
			async (interaction) => {
				if (!interaction.isChatInputCommand() || !interaction.inCachedGuild()) return;
				const { options } = interaction;
				seen.push({
					guild: interaction.guildId,
					channel: interaction.channelId,
					roles: [...interaction.member.roles.cache.keys()].sort(),
					manager: interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild),
					user: options.getUser('user')?.id,
					role: options.getRole('role')?.name,
					target: options.getChannel('where')?.id,
				});
				await interaction.reply({ content: `in ${interaction.channel?.name ?? '?'}`, flags: 64 });
				// The reply goes where the command was used.
				await interaction.followUp({ content: 'again', flags: 64 });
			},
			{
				guilds: [
					{ channels: ['general', 'clips'], roles: ['newcomer', 'patron'] },
					{ name: 'Second', channels: ['chat'], roles: ['vip'] },
				],
			},
		);
		const [first, second] = standIn.guilds;
		if (first === undefined || second === undefined) throw new Error('two servers expected');
		expect(client.guilds.cache.map((guild) => guild.id).sort()).toEqual([first.id, second.id].sort());
		expect(first.id).toBe(standIn.guildId);
		expect(first.channels['general']).toBe(standIn.channelId);

		const manage = String(PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ViewChannel);
		const clips = first.channels['clips'] ?? '';
		const user = '812345678901230001';
		const command = standIn.slashCommand({
			name: 'admin',
			channelId: clips,
			roles: [first.roles['patron'] ?? ''],
			memberPermissions: manage,
			options: [
				{
					name: 'set',
					type: ApplicationCommandOptionType.Subcommand,
					options: [
						{ name: 'user', type: ApplicationCommandOptionType.User, value: user },
						{ name: 'role', type: ApplicationCommandOptionType.Role, value: first.roles['newcomer'] },
						{ name: 'where', type: ApplicationCommandOptionType.Channel, value: clips },
					],
				},
			],
		});
		const reply = await until(() => standIn.original(command.token), 'reply in #clips');
		expect(reply).toMatchObject({ channelId: clips, content: 'in clips' });
		const other = standIn.slashCommand({
			name: 'admin',
			channelId: second.channels['chat'] ?? '',
			roles: [second.roles['vip'] ?? ''],
		});
		await until(() => seen.length === 2, 'the second server’s command');
		expect(seen).toEqual([
			{
				guild: first.id,
				channel: clips,
				roles: [first.id, first.roles['patron']].sort(),
				manager: true,
				user,
				role: 'newcomer',
				target: clips,
			},
			{
				guild: second.id,
				channel: second.channels['chat'],
				roles: [second.id, second.roles['vip']].sort(),
				manager: false,
				user: undefined,
				role: undefined,
				target: undefined,
			},
		]);
		await until(() => standIn.callbacks(other.id)[0], 'second reply');
		await until(
			() => standIn.requests.filter((r) => r.method === 'POST' && r.path.includes('/webhooks/')).length === 2,
			'follow-ups',
		);
		expect(() => standIn.slashCommand({ name: 'x', channelId: clips, roles: [second.roles['vip'] ?? ''] })).toThrow(
			/has no role/,
		);
		expect(standIn.violations).toEqual([]);
	});

	it('sets app_permissions, context, install owners, unresolved attachments, crafted links and CDN redirects', async () => {
		const seen: Array<Record<string, unknown>> = [];
		const { standIn, until } = await harness(async (interaction) => {
			if (!interaction.isChatInputCommand()) return;
			const file = interaction.options.get('file');
			seen.push({
				context: interaction.context,
				guild: interaction.guildId,
				member: interaction.member !== null,
				channel: interaction.channelId,
				owners: {
					guild: interaction.authorizingIntegrationOwners.guildId,
					user: interaction.authorizingIntegrationOwners.userId,
				},
				attachFiles: interaction.appPermissions.has(PermissionFlagsBits.AttachFiles),
				file: file === null ? undefined : (file.attachment?.url ?? 'unresolved'),
			});
			await interaction.reply({ content: 'seen', flags: 64 });
		});
		const png = { filename: 'a.png', data: Buffer.from('png'), contentType: 'image/png' };
		const fileOption = [{ name: 'file', type: ApplicationCommandOptionType.Attachment, value: 'f' }];
		const userId = '812345678901230002';
		standIn.slashCommand({ name: 'x', userId, appPermissions: '0' });
		standIn.slashCommand({ name: 'x', userId, context: InteractionContextType.BotDM });
		standIn.slashCommand({ name: 'x', userId, context: InteractionContextType.PrivateChannel });
		standIn.slashCommand({ name: 'x', userId, authorizingIntegrationOwners: { '1': userId } });
		standIn.slashCommand({ name: 'x', userId, options: fileOption, attachments: { f: { ...png, unresolved: true } } });
		standIn.slashCommand({
			name: 'x',
			userId,
			options: fileOption,
			attachments: { f: { ...png, url: 'http://10.0.0.1/a.png' } },
		});
		standIn.slashCommand({
			name: 'x',
			userId,
			options: fileOption,
			attachments: { f: { ...png, redirectTo: 'http://10.0.0.1/a.png' } },
		});
		await until(() => seen.length === 7, 'seven interactions');
		const dm = seen[1]?.channel;
		expect(seen).toEqual([
			expect.objectContaining({ context: 0, guild: standIn.guildId, member: true, attachFiles: false }),
			{
				context: 1,
				guild: null,
				member: false,
				channel: dm,
				owners: { guild: null, user: userId },
				attachFiles: true,
				file: undefined,
			},
			expect.objectContaining({ context: 2, guild: null, member: false, owners: { guild: null, user: userId } }),
			expect.objectContaining({ context: 0, guild: standIn.guildId, owners: { guild: null, user: userId } }),
			expect.objectContaining({ file: 'unresolved', owners: { guild: standIn.guildId, user: null } }),
			expect.objectContaining({ file: 'http://10.0.0.1/a.png' }),
			expect.objectContaining({ file: expect.stringContaining(`${standIn.origin}/attachments/`) }),
		]);
		expect(dm).not.toBe(standIn.channelId);
		// Every interaction was answered, the DMs' included.
		await until(() => standIn.requests.filter((r) => r.path.endsWith('/callback')).length === 7, 'callbacks');
		const link = (seen[6]?.file as string) ?? '';
		const answer = await fetch(link, { redirect: 'manual' });
		expect(answer.status).toBe(302);
		expect(answer.headers.get('location')).toBe('http://10.0.0.1/a.png');
		expect(standIn.violations).toEqual([]);
	});

	it('emulates late acks, double acks and oversized uploads', async () => {
		const { standIn, handlerErrors } = await harness(
			async (interaction) => {
				if (!interaction.isChatInputCommand()) return;
				if (interaction.commandName === 'slow') await new Promise((resolve) => setTimeout(resolve, 150));
				await interaction.deferReply();
				if (interaction.commandName === 'big') {
					await interaction.editReply({ files: [{ attachment: Buffer.alloc(2048), name: 'big.mp4' }] });
				}
			},
			{ ackDeadlineMs: 100, attachmentSizeLimit: 1024 },
		);

		standIn.slashCommand({ name: 'slow' });
		await standIn.waitFor(() => handlerErrors.length > 0, 3000, 'late ack error');
		expect(handlerErrors[0]).toMatchObject({ status: 404, code: 10062 });

		const big = standIn.slashCommand({ name: 'big' });
		await standIn.waitFor(() => handlerErrors.length > 1, 3000, 'oversized upload error');
		expect(handlerErrors[1]).toMatchObject({ status: 413, code: 40005 });

		const rest = separateRest(standIn);
		const again = rest.post(Routes.interactionCallback(big.id, big.token), { body: { type: 5 }, auth: false });
		await expect(again).rejects.toMatchObject({ status: 400, code: 40060 });
		expect(standIn.violations).toEqual([]);
	});

	it('speaks the gateway protocol to a bare client: hello, identify, heartbeat, resume, dispatch', async () => {
		const standIn = await startDiscordStandIn();
		cleanups.push(() => standIn.close());

		const impostor = await rawGateway(standIn);
		impostor.send(2, { token: 'wrong', intents: 1, properties: {} });
		expect(await impostor.closed()).toBe(4004);

		const first = await rawGateway(standIn);
		await first.frame({ op: 10, d: { heartbeat_interval: 41250 } });
		first.send(2, { token: standIn.token, intents: 1, properties: {} });
		const ready = await first.frame({ t: 'READY', s: 1 });
		expect(ready).toMatchObject({ d: { session_id: expect.any(String), user: { id: standIn.botUserId } } });
		await first.frame({ t: 'GUILD_CREATE', s: 2 });
		await standIn.identified();
		first.send(1, 2);
		await first.frame({ op: 11 });
		first.close();

		const sessionId = (ready as { d: { session_id: string } }).d.session_id;
		const second = await rawGateway(standIn);
		second.send(6, { token: standIn.token, session_id: sessionId, seq: 2 });
		await second.frame({ t: 'RESUMED', s: 3 });
		const handle = standIn.slashCommand({ name: 'clip', locale: 'de', memberPermissions: '8' });
		const dispatch = await second.frame({ t: 'INTERACTION_CREATE', s: 4 });
		expect(dispatch).toMatchObject({
			op: 0,
			d: {
				id: handle.id,
				token: handle.token,
				type: 2,
				version: 1,
				locale: 'de',
				guild_id: standIn.guildId,
				channel_id: standIn.channelId,
				member: { permissions: '8', user: { discriminator: '0' } },
				attachment_size_limit: 10 * 1024 * 1024,
				authorizing_integration_owners: { 0: standIn.guildId },
			},
		});
		expect(handle.token.length).toBeGreaterThanOrEqual(60);
		expect(standIn.gatewaySessions()).toBe(1);
	});

	it('answers plain REST like Discord, with spec-valid responses', async () => {
		const standIn = await startDiscordStandIn();
		cleanups.push(() => standIn.close());
		const rest = separateRest(standIn);

		for (const path of [Routes.user('@me'), Routes.currentApplication(), Routes.gatewayBot()]) {
			expect(responseIssues('GET', path, 200, await rest.get(path))).toEqual([]);
		}
		const sent = await rest.post(Routes.channelMessages(standIn.channelId), {
			body: { content: 'file' },
			files: [{ name: 'note.txt', data: Buffer.from('hello') }],
		});
		expect(responseIssues('POST', Routes.channelMessages(standIn.channelId), 200, sent)).toEqual([]);
		const [stored] = standIn.channelMessages();
		expect(stored).toMatchObject({ content: 'file', attachments: [{ filename: 'note.txt', size: 5 }] });
		const download = await fetch(String((sent as { attachments: Array<{ url: string }> }).attachments[0]?.url));
		expect(await download.text()).toBe('hello');

		const hosted = standIn.hostFile('frame.png', PNG, 'image/png');
		const viaProxy = await fetch(hosted.proxyUrl);
		expect(viaProxy.headers.get('content-type')).toBe('image/png');
		expect(Buffer.from(await viaProxy.arrayBuffer()).equals(PNG)).toBe(true);
		expect((await fetch(hosted.url.replace(/hm=[0-9a-f]+/, 'hm=forged'))).status).toBe(404);

		const gateway = await rawGateway(standIn);
		gateway.send(2, { token: standIn.token, intents: 1, properties: {} });
		await standIn.identified();
		const handle = standIn.slashCommand({ name: 'clip' });
		const callback = Routes.interactionCallback(handle.id, handle.token);
		const answer = await rest.post(callback, {
			body: {
				type: 4,
				data: {
					content: 'hello',
					embeds: [{ title: 'clip' }],
					components: [{ type: 1, components: [{ type: 2, style: 1, custom_id: 'again', label: 'Again' }] }],
				},
			},
			auth: false,
			query: new URLSearchParams({ with_response: 'true' }),
		});
		expect(responseIssues('POST', callback, 200, answer)).toEqual([]);
		expect(answer).toMatchObject({
			interaction: { id: handle.id },
			resource: { type: 4, message: { content: 'hello', type: 20 } },
		});
		const followUp = Routes.webhook(standIn.applicationId, handle.token);
		const wait = new URLSearchParams({ wait: 'true' });
		const more = await rest.post(followUp, { body: { content: 'more' }, auth: false, query: wait });
		expect(responseIssues('POST', followUp, 200, more)).toEqual([]);
		expect(standIn.violations).toEqual([]);

		const anonymous = await fetch(`${standIn.apiUrl}/v10/gateway/bot`);
		expect(anonymous.status).toBe(401);
		expect(await anonymous.json()).toEqual({ message: '401: Unauthorized', code: 0 });
		expect(anonymous.headers.get('x-ratelimit-limit')).toBe('5');

		const unknown = await fetch(`${standIn.apiUrl}/v10/nope`, { headers: { authorization: `Bot ${standIn.token}` } });
		expect(unknown.status).toBe(404);
		expect(await unknown.json()).toEqual({ code: 0, message: '404: Not Found' });
		expect(standIn.violations).toEqual(['GET /api/v10/nope : no route']);
	});
});

describe('Discord stand-in: what Discord does to a delivery', () => {
	async function withReply(options: DiscordStandInOptions = {}) {
		const h = await harness(async (interaction) => {
			if (interaction.isChatInputCommand()) await interaction.deferReply();
		}, options);
		const handle = h.standIn.slashCommand({ name: 'clip' });
		const original = await h.until(() => h.standIn.original(handle.token), 'deferred reply');
		return { ...h, handle, original, rest: separateRest(h.standIn) };
	}
	const clip = { name: 'clip.mp4', data: Buffer.from('mp4bytes') };
	const failure = (promise: Promise<unknown>) =>
		promise.then(
			() => undefined,
			(error: unknown) => error,
		);

	it('keeps per-route buckets with headers: discord.js never hears a 429, a client ignoring them does', async () => {
		const { standIn, handle, rest } = await withReply();
		const route = Routes.webhookMessage(standIn.applicationId, handle.token, '@original');
		for (let i = 0; i < 7; i++) await rest.patch(route, { body: { content: `edit ${i}` }, auth: false });
		expect(standIn.rateLimited()).toEqual([]);
		const patches = standIn.requests.filter((r) => r.method === 'PATCH');
		// Five per window of two seconds: the sixth waited for the window to reset.
		expect(patches[5]!.at - patches[0]!.at).toBeGreaterThanOrEqual(1_900);

		const url = `${standIn.apiUrl}/v10/webhooks/${standIn.applicationId}/${handle.token}/messages/@original`;
		const answers = [];
		for (let i = 0; i < 6; i++) {
			answers.push(
				await fetch(url, {
					method: 'PATCH',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ content: 'rude' }),
				}),
			);
		}
		const last = answers.at(-1)!;
		expect(last.status).toBe(429);
		expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
		expect(await last.json()).toMatchObject({ global: false, retry_after: expect.any(Number) });
		// Only the client that ignored the headers was refused.
		expect(standIn.rateLimited().map((r) => (r.body as { content: string }).content)).toContain('rude');
		expect(standIn.rateLimited().every((r) => (r.body as { content: string }).content === 'rude')).toBe(true);
	});

	it('refuses uploads where the bot may not attach files (50013), but not text or ephemeral messages', async () => {
		const { standIn, handle, rest } = await withReply();
		standIn.setBotPermissions(standIn.channelId, { attachFiles: false });
		const route = Routes.webhookMessage(standIn.applicationId, handle.token, '@original');
		const refused = await failure(rest.patch(route, { body: { content: 'clip' }, files: [clip], auth: false }));
		expect(refused).toMatchObject({ status: 403, code: 50013 });
		const viaBot = rest.post(Routes.channelMessages(standIn.channelId), { body: { content: 'c' }, files: [clip] });
		expect(await failure(viaBot)).toMatchObject({ status: 403, code: 50013 });
		await rest.patch(route, { body: { content: 'text is fine' }, auth: false });
		const privately = Routes.webhook(standIn.applicationId, handle.token);
		const note = await rest.post(privately, {
			body: { content: 'only you', flags: 64 },
			files: [clip],
			auth: false,
			query: new URLSearchParams({ wait: 'true' }),
		});
		expect(note).toMatchObject({ flags: 64, attachments: [{ filename: 'clip.mp4' }] });
		expect(standIn.original(handle.token)?.content).toBe('text is fine');
		expect(standIn.violations).toEqual([]);
	});

	it('answers 10008 once a moderator deleted the message', async () => {
		const { standIn, handle, original, rest } = await withReply();
		standIn.deleteMessage(original.id);
		const route = Routes.webhookMessage(standIn.applicationId, handle.token, '@original');
		expect(await failure(rest.patch(route, { body: { content: 'x' }, auth: false }))).toMatchObject({
			status: 404,
			code: 10008,
		});
		const edit = rest.patch(Routes.channelMessage(standIn.channelId, original.id), { body: { content: 'x' } });
		expect(await failure(edit)).toMatchObject({ status: 404, code: 10008 });
	});

	it('caps edits of messages older than an hour (30046)', async () => {
		const { standIn, rest } = await withReply({ oldMessageEditCap: 2 });
		const posted = (await rest.post(Routes.channelMessages(standIn.channelId), { body: { content: 'old' } })) as {
			id: string;
		};
		standIn.backdateMessage(posted.id, 2 * 3_600_000);
		const route = Routes.channelMessage(standIn.channelId, posted.id);
		await rest.patch(route, { body: { content: 'one' } });
		await rest.patch(route, { body: { content: 'two' } });
		expect(await failure(rest.patch(route, { body: { content: 'three' } }))).toMatchObject({
			status: 400,
			code: 30046,
		});
		expect(standIn.message(posted.id)?.content).toBe('two');
	});

	it('refuses content over 2000 characters (50035) on every route, counting characters, not UTF-16 units', async () => {
		const { standIn, original, rest } = await withReply();
		const channel = Routes.channelMessages(standIn.channelId);
		const fits = ['x'.repeat(2000), '😀'.repeat(2000), `${'y'.repeat(1999)}é`];
		for (const content of fits) expect(await rest.post(channel, { body: { content } })).toMatchObject({ content });
		const over = ['x'.repeat(2001), '😀'.repeat(2001), 'z'.repeat(3999)];
		for (const content of over) {
			expect(await failure(rest.post(channel, { body: { content } }))).toMatchObject({ status: 400, code: 50035 });
			const edit = rest.patch(Routes.channelMessage(standIn.channelId, original.id), { body: { content } });
			expect(await failure(edit)).toMatchObject({ status: 400, code: 50035 });
		}
		expect(standIn.message(original.id)?.content).not.toHaveLength(2001);
		expect(standIn.violations.filter((v) => /over 2000/.test(v))).toHaveLength(6);
	});

	it('refuses a reply to a deleted message unless fail_if_not_exists is false', async () => {
		const { standIn, original, rest } = await withReply();
		standIn.deleteMessage(original.id);
		const reply = (failIfNotExists?: boolean) =>
			rest.post(Routes.channelMessages(standIn.channelId), {
				body: {
					content: 'here',
					message_reference: {
						message_id: original.id,
						...(failIfNotExists === undefined ? {} : { fail_if_not_exists: failIfNotExists }),
					},
				},
			});
		expect(await failure(reply())).toMatchObject({ status: 400, code: 50035 });
		expect(await reply(false)).toMatchObject({ content: 'here', type: 0 });
	});

	it('returns the same message for a repeated nonce with enforce_nonce, and lists recent messages', async () => {
		const { standIn, original, rest } = await withReply();
		const post = () =>
			rest.post(Routes.channelMessages(standIn.channelId), {
				body: {
					content: 'once',
					nonce: 'clip-1',
					enforce_nonce: true,
					message_reference: { message_id: original.id },
				},
			}) as Promise<{ id: string; message_reference?: { message_id: string } }>;
		const first = await post();
		const second = await post();
		expect(second.id).toBe(first.id);
		expect(first.message_reference?.message_id).toBe(original.id);
		expect(standIn.channelMessages().filter((m) => m.content === 'once')).toHaveLength(1);
		const listed = (await rest.get(Routes.channelMessages(standIn.channelId), {
			query: new URLSearchParams({ after: original.id, limit: '10' }),
		})) as Array<{ id: string }>;
		expect(listed.map((m) => m.id)).toEqual([first.id]);
		expect(standIn.violations).toEqual([]);
	});

	it('opens DM channels, and refuses them for users who do not accept DMs (50007)', async () => {
		const { standIn, rest } = await withReply();
		const open = async (userId: string) =>
			(await rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as { id: string };
		const dm = await open('812345678901234999');
		await rest.post(Routes.channelMessages(dm.id), { body: { content: 'yours' }, files: [clip] });
		expect(standIn.directMessages('812345678901234999').map((m) => m.content)).toEqual(['yours']);
		standIn.refuseDirectMessages('812345678901234998');
		const closed = await open('812345678901234998');
		const refused = rest.post(Routes.channelMessages(closed.id), { body: { content: 'no' } });
		expect(await failure(refused)).toMatchObject({ status: 403, code: 50007 });
		expect(standIn.violations).toEqual([]);
	});

	it('holds an upload unanswered: applied or not, the sender only learns if released', async () => {
		const { standIn, handle, rest } = await withReply();
		const route = Routes.webhookMessage(standIn.applicationId, handle.token, '@original');
		const landed = standIn.holdNext({ method: 'PATCH', path: /@original$/ }, { apply: true });
		let answered = false;
		const upload = rest.patch(route, { body: { content: 'held' }, files: [clip], auth: false }).then(() => {
			answered = true;
		});
		await landed.arrived;
		expect(standIn.original(handle.token)?.attachments.map((a) => a.filename)).toEqual(['clip.mp4']);
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(answered).toBe(false);
		landed.release();
		await upload;
		expect(answered).toBe(true);

		// Cut off before it was whole: nothing changes.
		const cut = standIn.holdNext({ method: 'PATCH', path: /@original$/ }, { apply: false });
		const sender = new AbortController();
		const url = `${standIn.apiUrl}/v10/webhooks/${standIn.applicationId}/${handle.token}/messages/@original`;
		const body = JSON.stringify({ content: 'never' });
		const sent = fetch(url, {
			method: 'PATCH',
			headers: { 'content-type': 'application/json' },
			body,
			signal: sender.signal,
		});
		await cut.arrived;
		sender.abort();
		await sent.catch(() => undefined);
		await standIn.waitFor(() => standIn.requests.some((r) => r.dropped === true), 2_000, 'the dropped request');
		expect(standIn.original(handle.token)?.content).toBe('held');
	});

	it('dates an interaction back: its token dies 15 minutes after its creation, not its dispatch', async () => {
		const { standIn, until } = await harness(async (interaction) => {
			if (interaction.isChatInputCommand()) await interaction.deferReply();
		});
		const old = standIn.slashCommand({ name: 'clip', createdAgoMs: 15 * 60_000 + 1_000 });
		await until(() => standIn.original(old.token), 'deferred reply');
		const rest = separateRest(standIn);
		const route = Routes.webhookMessage(standIn.applicationId, old.token, '@original');
		expect(await failure(rest.patch(route, { body: { content: 'x' }, auth: false }))).toMatchObject({
			status: 401,
			code: 50027,
		});
		const idTime = Number((BigInt(old.id) >> 22n) + 1_420_070_400_000n);
		expect(Date.now() - idTime).toBeGreaterThan(15 * 60_000);
	});
});
