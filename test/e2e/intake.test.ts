import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InteractionContextType, PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerOf, type Answer } from '../helpers/answers.js';
import { clipOf, nextUser, startDeployment, withLogs, type Deployment } from '../helpers/deployment.js';
import { solidPng } from '../helpers/images.js';
import { usedUnits } from '../helpers/quota.js';
import { pick, seeded } from '../helpers/random.js';
import { BOT_PERMISSIONS } from '../standins/discord-payloads.js';
import {
	startDiscordStandIn,
	type DiscordStandIn,
	type InteractionHandle,
	type UploadInput,
} from '../standins/discord.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';

/**
 * Intake guards end to end, through the real bot and worker processes: a crafted attachment link,
 * an attachment Discord did not resolve, a channel where the bot cannot deliver, and a command
 * from where the bot does not serve are each refused privately at once, with no provider call,
 * no quota spent, and (for links) nothing fetched from where they point.
 */

let discord: DiscordStandIn;
let minimax: MinimaxStandIn;
let deployment: Deployment;
/** An internal service the bot must never be made to fetch from; it counts what it gets. */
let internal: { server: Server; origin: string; hits: string[] };
const frame = solidPng(640, 480);

beforeAll(async () => {
	const hits: string[] = [];
	const server = createServer((request, response) => {
		hits.push(request.url ?? '');
		response.writeHead(200, { 'content-type': 'image/png' }).end(frame);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	internal = { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
	discord = await startDiscordStandIn();
	minimax = await startMinimaxStandIn({ generationMs: 500 });
	deployment = await startDeployment(discord, {
		VIDEO_PROVIDER: 'minimax',
		MINIMAX_API_KEY: minimax.apiKey,
		MINIMAX_BASE_URL: minimax.baseUrl,
		USER_DAILY_QUOTA: '5',
	});
}, 60_000);

afterAll(async () => {
	const violations = discord?.violations ?? [];
	await deployment?.stop();
	await discord?.close();
	await minimax?.close();
	await new Promise<void>((resolve) => (internal ? internal.server.close(() => resolve()) : resolve()));
	expect(violations).toEqual([]);
});

const png = (extra: Partial<UploadInput> = {}): UploadInput => ({
	filename: 'frame.png',
	data: frame,
	contentType: 'image/png',
	width: 640,
	height: 480,
	...extra,
});

function video(
	userId: string,
	option: string,
	upload: UploadInput,
	extra: Partial<Parameters<DiscordStandIn['slashCommand']>[0]> = {},
) {
	return discord.slashCommand({
		name: 'video',
		userId,
		options: [
			{ name: 'prompt', type: 3, value: 'a lighthouse in a storm' },
			{ name: option, type: 11, value: 'file' },
		],
		attachments: { file: upload },
		...extra,
	});
}

const answered = (handle: InteractionHandle): Promise<Answer> => answerOf(discord, handle).catch(withLogs(deployment));

/**
 * A refusal: private, and nothing spent. Said at once in a reply, or (`afterDefer`: found only as
 * the file is fetched, a redirect) in a private follow-up, the deferred public reply removed.
 */
async function refused(
	handle: InteractionHandle,
	userId: string,
	creates: number,
	afterDefer = false,
): Promise<string> {
	const answer = await answered(handle);
	expect(answer.ephemeral, answer.content).toBe(true);
	expect(discord.callbacks(handle.id).map((callback) => (callback.body as { type: number }).type)).toEqual([
		afterDefer ? 5 : 4,
	]);
	if (afterDefer)
		await discord.waitFor(() => discord.original(handle.token) === undefined, 5_000, 'the deferred reply removed');
	expect(minimax.creates).toHaveLength(creates);
	expect(await usedUnits(deployment.redis, deployment.prefix, userId)).toBe(0);
	return answer.content;
}

describe('attachment links: only from Discord’s attachment hosts', () => {
	it('refuses links to other hosts, ports, schemes, credentials and redirects off the CDN, fetching nothing there', async () => {
		const { port } = new URL(internal.origin);
		const cdn = new URL(discord.origin);
		const links = [
			`${internal.origin}/secret.png`,
			`http://${cdn.host}@127.0.0.1:${port}/secret.png`,
			`http://cdn.discordapp.com@127.0.0.1:${port}/secret.png`,
			`http://127.1:${port}/secret.png`,
			`http://[::ffff:127.0.0.1]:${port}/secret.png`,
			`http://localhost:${cdn.port}/attachments/1/2/frame.png`,
			`https://cdn.discordapp.com.evil.example/attachments/1/2/frame.png`,
			`http://169.254.169.254/latest/meta-data/`,
			`file:///etc/passwd`,
		];
		const uploads: UploadInput[] = [
			...links.map((url) => png({ url })),
			// A link on the stand-in's own CDN that redirects to the internal service.
			png({ redirectTo: `${internal.origin}/secret.png` }),
			png({ redirectTo: `http://cdn.discordapp.com@127.0.0.1:${port}/secret.png` }),
		];
		const options = ['first_frame', 'last_frame', 'subject'];
		const creates = minimax.creates.length;
		for (const [index, upload] of uploads.entries()) {
			const userId = nextUser();
			const option = options[index % options.length] ?? 'first_frame';
			const text = await refused(video(userId, option, upload), userId, creates, upload.redirectTo !== undefined);
			expect(text, upload.url ?? upload.redirectTo).toContain(
				`The \`${option}\` attachment does not come from Discord’s attachment servers`,
			);
		}
		expect(internal.hits).toEqual([]);
	}, 60_000);

	it('seed 4242: 30 random disguises of the internal service’s address, each refused at once, none fetched', async () => {
		const random = seeded(4242);
		const { port } = new URL(internal.origin);
		const cdn = new URL(discord.origin);
		const hosts = ['127.0.0.1', '127.1', '0x7f000001', '2130706433', '[::1]', '[::ffff:7f00:1]', 'localhost'];
		const disguises: ReadonlyArray<(host: string) => string> = [
			(host) => `http://${host}:${port}/secret.png`,
			(host) => `https://${host}:${port}/secret.png`,
			(host) => `http://${cdn.host}@${host}:${port}/secret.png`,
			(host) => `http://cdn.discordapp.com:443@${host}:${port}/x.png`,
			(host) => `http://${host}:${port}/attachments/${cdn.host}/x.png`,
			(host) => `http://${host}:${port}#@${cdn.host}/x.png`,
		];
		const creates = minimax.creates.length;
		for (let i = 0; i < 30; i++) {
			const url = pick(random, disguises)(pick(random, hosts));
			const userId = nextUser();
			const option = pick(random, ['first_frame', 'last_frame', 'subject']);
			expect(await refused(video(userId, option, png({ url })), userId, creates), url).toContain(
				'does not come from Discord’s attachment servers',
			);
		}
		expect(internal.hits).toEqual([]);
	}, 60_000);

	it('Animate refuses a message whose image links elsewhere, after its modal, fetching nothing', async () => {
		const userId = nextUser();
		const sketch = discord.memberMessage({
			userId: nextUser(),
			attachments: [png({ url: `${internal.origin}/sketch.png` })],
		});
		const command = discord.messageCommand({ name: 'Animate', messageId: sketch.id, userId });
		await discord.waitFor(() => discord.callbacks(command.id)[0], 3_000, 'the modal').catch(withLogs(deployment));
		const creates = minimax.creates.length;
		const text = await refused(
			discord.modalSubmit({
				customId: `clap:animate:${sketch.id}`,
				fields: { prompt: 'alive', camera: '' },
				userId,
			}),
			userId,
			creates,
		);
		expect(text).toContain('does not come from Discord’s attachment servers');
		expect(internal.hits).toEqual([]);
	}, 30_000);

	it('still takes an image from the CDN, byte for byte (the guard lets Discord’s own links through)', async () => {
		const userId = nextUser();
		const handle = video(userId, 'first_frame', png());
		await clipOf(discord, deployment, handle.token);
		const body = minimax.creates.at(-1)?.body as { first_frame_image?: string };
		expect(body.first_frame_image).toBe(`data:image/png;base64,${frame.toString('base64')}`);
		expect(await usedUnits(deployment.redis, deployment.prefix, userId)).toBe(1);
	}, 30_000);
});

describe('attachments Discord did not resolve', () => {
	it('refuses each image option whose id is missing from resolved.attachments, rather than making the clip without it', async () => {
		const creates = minimax.creates.length;
		for (const option of ['first_frame', 'last_frame', 'subject']) {
			const userId = nextUser();
			const text = await refused(video(userId, option, png({ unresolved: true })), userId, creates);
			expect(text).toBe(
				`Discord did not pass me the \`${option}\` attachment, so I made nothing rather than a clip without it. Please attach the file again and resend the command. This request did not use any of your quota.`,
			);
		}
	}, 30_000);
});

const without = (...bits: bigint[]) => String(bits.reduce((all, bit) => all & ~bit, BigInt(BOT_PERMISSIONS)));

describe('the bot’s permissions in the channel, checked before anything is spent', () => {
	const CASES: ReadonlyArray<readonly [permissions: string, named: readonly string[]]> = [
		[without(PermissionFlagsBits.AttachFiles), ['Attach Files']],
		[without(PermissionFlagsBits.SendMessages), ['Send Messages']],
		[without(PermissionFlagsBits.ViewChannel), ['View Channel']],
		[without(PermissionFlagsBits.ReadMessageHistory), ['Read Message History']],
		[without(PermissionFlagsBits.SendMessages, PermissionFlagsBits.AttachFiles), ['Send Messages', 'Attach Files']],
		['0', ['View Channel', 'Send Messages', 'Attach Files', 'Read Message History']],
	];

	it(`refuses /video where the interaction's app_permissions lack what delivery needs (${CASES.length} sets), naming each`, async () => {
		const creates = minimax.creates.length;
		for (const [appPermissions, named] of CASES) {
			const userId = nextUser();
			const text = await refused(video(userId, 'first_frame', png(), { appPermissions }), userId, creates);
			expect(text).toContain(`I can’t deliver clips in <#${discord.channelId}>`);
			for (const name of named) expect(text, appPermissions).toContain(`**${name}**`);
			expect((text.match(/\*\*/g) ?? []).length / 2, appPermissions).toBe(named.length);
		}
		// Administrator holds everything.
		const userId = nextUser();
		const admin = video(userId, 'first_frame', png(), { appPermissions: String(PermissionFlagsBits.Administrator) });
		await clipOf(discord, deployment, admin.token);
	}, 60_000);

	it('refuses Retry, Remix, Extend and Animate likewise, before any modal, and a channel that denies Attach Files', async () => {
		const author = nextUser();
		const first = video(author, 'first_frame', png());
		const clip = await clipOf(discord, deployment, first.token);
		const appPermissions = without(PermissionFlagsBits.AttachFiles);
		const creates = minimax.creates.length;
		for (const action of ['retry', 'remix', 'extend']) {
			const userId = nextUser();
			const click = discord.component({
				customId: `clap:${action}:${first.id}`,
				messageId: clip.id,
				userId,
				appPermissions,
			});
			expect(await refused(click, userId, creates), action).toContain('**Attach Files**');
		}
		const sketch = discord.memberMessage({ userId: nextUser(), attachments: [png()] });
		const userId = nextUser();
		const animate = discord.messageCommand({ name: 'Animate', messageId: sketch.id, userId, appPermissions });
		expect(await refused(animate, userId, creates)).toContain('**Attach Files**');
		// The modal submitted anyway (an old modal, a crafted one) is refused too.
		const submit = discord.modalSubmit({
			customId: `clap:animate:${sketch.id}`,
			fields: { prompt: 'alive', camera: '' },
			userId,
			appPermissions,
		});
		expect(await refused(submit, userId, creates)).toContain('**Attach Files**');
		// The channel itself taking Attach Files away shows in app_permissions the same way.
		discord.setBotPermissions(discord.channelId, { attachFiles: false });
		try {
			const denied = nextUser();
			expect(await refused(video(denied, 'first_frame', png()), denied, creates)).toContain('**Attach Files**');
		} finally {
			discord.setBotPermissions(discord.channelId, { attachFiles: true });
		}
	}, 60_000);
});

describe('contexts the bot does not serve', () => {
	const dm = { context: InteractionContextType.BotDM };
	const groupDm = { context: InteractionContextType.PrivateChannel };

	it('refuses /video, /queue, /sequence and /admin from a DM, a group DM and a server that has not added the bot', async () => {
		const creates = minimax.creates.length;
		const commands = [
			{ name: 'video', options: [{ name: 'prompt', type: 3, value: 'a fox in the snow' }] },
			{ name: 'queue' },
			{ name: 'sequence', options: [{ name: 'shots', type: 1, options: [] }] },
			{ name: 'admin', options: [{ name: 'audit', type: 1, options: [] }] },
		];
		for (const command of commands) {
			for (const [where, expected] of [
				[dm, 'not in direct messages'],
				[groupDm, 'not in direct messages'],
				[{ authorizingIntegrationOwners: { '1': 'user' } }, 'This server has not added me'],
			] as const) {
				const userId = nextUser();
				const owners = 'authorizingIntegrationOwners' in where ? { authorizingIntegrationOwners: { '1': userId } } : {};
				const text = await refused(discord.slashCommand({ ...command, userId, ...where, ...owners }), userId, creates);
				expect(text, `${command.name} ${JSON.stringify(where)}`).toContain(expected);
			}
		}
	}, 60_000);

	it('refuses Animate from a server that has not added the bot; /help and /quota still answer anywhere', async () => {
		const userId = nextUser();
		const sketch = discord.memberMessage({ userId: nextUser(), attachments: [png()] });
		const animate = discord.messageCommand({
			name: 'Animate',
			messageId: sketch.id,
			userId,
			authorizingIntegrationOwners: { '1': userId },
		});
		expect(await refused(animate, userId, minimax.creates.length)).toContain('This server has not added me');
		for (const where of [dm, groupDm, { authorizingIntegrationOwners: { '1': userId } }]) {
			const help = await answered(discord.slashCommand({ name: 'help', userId, ...where }));
			expect(help.ephemeral).toBe(true);
			expect(help.content).not.toContain('not added me');
			expect(help.content).not.toContain('direct messages');
			const quota = await answered(discord.slashCommand({ name: 'quota', userId, ...where }));
			expect(quota.ephemeral).toBe(true);
			expect(quota.content).toMatch(/\d/);
		}
	}, 30_000);
});
