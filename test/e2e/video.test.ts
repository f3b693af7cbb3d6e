import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoJobs } from '../../src/jobs/index.js';
import { spendUnits, usedUnits } from '../helpers/quota.js';
import { startDiscordStandIn, type DiscordStandIn } from '../standins/discord.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';
import {
	clipOf as clipFrom,
	contentOf,
	deploymentEnv,
	nextUser,
	originalEdits as editsOf,
	startDeployment,
	untilStage,
	type Deployment,
	closeAll,
} from '../helpers/deployment.js';
import { solidPng } from '../helpers/images.js';
import { runScript } from '../helpers/processes.js';
import { uniquePrefix } from '../helpers/redis.js';

/**
 * The real bot and worker processes, started as `npm run start:bot` / `start:worker` start them,
 * against a loopback Discord (REST, gateway, attachment CDN) and a loopback MiniMax. Every request
 * the bot sends to Discord is checked against Discord's OpenAPI spec.
 */

const PROGRESS_INTERVAL_MS = 700;

let discord: DiscordStandIn;
let minimax: MinimaxStandIn;
let deployment: Deployment;

function videoCommand(userId: string, prompt: string, extra: { camera?: string; frame?: Buffer } = {}) {
	const options: unknown[] = [{ name: 'prompt', type: 3, value: prompt }];
	if (extra.camera !== undefined) options.push({ name: 'camera', type: 3, value: extra.camera });
	if (extra.frame !== undefined) options.push({ name: 'first_frame', type: 11, value: 'frame' });
	return discord.slashCommand({
		name: 'video',
		options,
		userId,
		...(extra.frame === undefined
			? {}
			: {
					attachments: {
						frame: { filename: 'frame.png', data: extra.frame, contentType: 'image/png', width: 640, height: 480 },
					},
				}),
	});
}

const originalEdits = (token: string) => editsOf(discord, token);
const clipOf = (token: string, timeoutMs?: number) => clipFrom(discord, deployment, token, timeoutMs);

describe('end to end: /video in, MP4 out', () => {
	beforeAll(async () => {
		discord = await startDiscordStandIn();
		minimax = await startMinimaxStandIn({ pathPrefix: '/minimax', generationMs: 1_500 });
		const overrides = {
			VIDEO_PROVIDER: 'minimax',
			MINIMAX_API_KEY: minimax.apiKey,
			MINIMAX_BASE_URL: minimax.baseUrl,
			PROGRESS_INTERVAL_MS: String(PROGRESS_INTERVAL_MS),
			USER_DAILY_QUOTA: '3',
		};
		const deploy = await runScript('deploy', deploymentEnv(discord, uniquePrefix(), overrides));
		expect(deploy.code, deploy.output).toBe(0);
		deployment = await startDeployment(discord, overrides);
	}, 60_000);

	afterAll(async () => {
		// Whatever a test checked, nothing the processes sent may break Discord's spec.
		await closeAll(discord, deployment, minimax);
	});

	it('registers the commands with one bulk overwrite in the development guild', () => {
		const puts = discord.requests.filter((r) => r.method === 'PUT');
		expect(puts).toHaveLength(1);
		expect(puts[0]?.path).toBe(`/api/v10/applications/${discord.applicationId}/guilds/${discord.guildId}/commands`);
		const names = (discord.commands.guild.get(discord.guildId) ?? []).map((c) => (c as { name: string }).name);
		expect(names).toEqual(['video', 'quota', 'queue', 'help', 'admin', 'sequence', 'Animate']);
		expect(discord.violations).toEqual([]);
	});

	it('answers camera autocomplete from memory within Discord limits', async () => {
		const handle = discord.autocomplete({
			name: 'video',
			options: [
				{ name: 'prompt', type: 3, value: 'x' },
				{ name: 'camera', type: 3, value: 'Pan left, zo', focused: true },
			],
		});
		const [callback] = await discord.waitFor(() => {
			const found = discord.callbacks(handle.id);
			return found.length > 0 ? found : undefined;
		});
		expect(callback?.body).toEqual({
			type: 8,
			data: {
				choices: [
					{ name: 'Pan left, Zoom in', value: 'Pan left, Zoom in' },
					{ name: 'Pan left, Zoom out', value: 'Pan left, Zoom out' },
				],
			},
		});
	});

	it('delivers the provider’s exact bytes on the original reply, with throttled progress in between', async () => {
		// Long enough for a "generating" edit between "submitted" and "uploading".
		minimax.generationMs = 3_000;
		const userId = nextUser();
		const frame = solidPng(640, 480);
		const handle = videoCommand(userId, 'a paper boat on a rainy street', { camera: 'pan LEFT, zoom in', frame });
		const message = await clipOf(handle.token);

		// Acknowledged at once, publicly, within Discord's 3 s.
		const [ack] = discord.callbacks(handle.id);
		expect(ack?.body).toMatchObject({ type: 5 });
		expect((ack?.at ?? Infinity) - handle.dispatchedAt).toBeLessThan(3_000);

		// The clip: the provider's exact bytes, as an MP4 attachment on the original reply.
		// Named after the prompt, with the prompt as its alt text.
		expect(message.attachments).toHaveLength(1);
		expect(message.attachments[0]?.filename).toBe('a-paper-boat-on-a-rainy-street.mp4');
		expect(message.attachments[0]?.description).toBe('[Pan left, Zoom in] a paper boat on a rainy street');
		expect(message.attachments[0]?.data.equals(minimax.video)).toBe(true);
		// Who asked, the provider, the model, the camera moves and the prompt, with the buttons.
		expect(message.content).toContain(`<@${userId}>, your clip is ready: **MiniMax** · **MiniMax-Hailuo-2.3**`);
		expect(message.content).toContain('🎥 Pan left, Zoom in');
		expect(message.content).toContain('> \\[Pan left, Zoom in\\] a paper boat on a rainy street');
		const labels = JSON.stringify(message.components);
		for (const action of ['retry', 'extend', 'remix', 'delete'])
			expect(labels).toContain(`clap:${action}:${handle.id}`);

		// One paid create call, with Hailuo-2.3 (MiniMax's default for a frame and moves), the composed prompt and the exact frame.
		expect(minimax.creates).toHaveLength(1);
		expect(minimax.creates[0]?.body).toEqual({
			model: 'MiniMax-Hailuo-2.3',
			prompt: '[Pan left, Zoom in] a paper boat on a rainy street',
			first_frame_image: `data:image/png;base64,${frame.toString('base64')}`,
		});

		// Progress: the stages the user had time to read, and edits of the message never closer than the
		// interval, counted from the end of the previous one.
		const edits = originalEdits(handle.token);
		const stages = edits.map(contentOf);
		// While it waited, the message showed the first frame as a thumbnail.
		expect(edits[0]?.files[0]?.data.equals(frame)).toBe(true);
		expect(edits[0]?.body).toMatchObject({ embeds: [{ thumbnail: { url: 'attachment://first_frame.png' } }] });
		expect(stages[0]).toMatch(/Queued\. Next in line/);
		// "Submitted" is replaced by the provider's first answer before its turn comes: never shown.
		expect(stages.some((c) => c.startsWith('🎬 Submitted'))).toBe(false);
		expect(
			stages.some((c) =>
				/(Generating|Waiting in the provider’s queue) on \*\*MiniMax-Hailuo-2.3\*\*… \d+s elapsed/.test(c),
			),
		).toBe(true);
		expect(stages.at(-1)).toContain(`<@${userId}>, your clip is ready`);
		for (let i = 1; i < edits.length; i++) {
			const gap = (edits[i]?.at ?? 0) - (edits[i - 1]?.at ?? 0);
			expect(gap, `gap before edit ${i}: ${stages[i]}`).toBeGreaterThanOrEqual(PROGRESS_INTERVAL_MS);
		}

		// The quota counts it, and the copied first frame is released: kept a day for Retry, then gone.
		expect(await usedUnits(deployment.redis, deployment.prefix, userId)).toBe(1);
		const [copy] = await deployment.redis.keys(`${deployment.prefix}:media:${handle.id}:*`);
		expect(await deployment.redis.ttl(copy ?? 'missing')).toBeGreaterThan(0);
		expect(await deployment.redis.ttl(copy ?? 'missing')).toBeLessThanOrEqual(24 * 3_600);
		expect(discord.violations).toEqual([]);
		minimax.generationMs = 1_500;
	});

	it('tells the user about a provider refusal and gives the quota back', async () => {
		const userId = nextUser();
		const createsBefore = minimax.creates.length;
		minimax.failNextTask(1026);
		const handle = videoCommand(userId, 'something the filter dislikes');
		const final = await discord.waitFor(
			() =>
				originalEdits(handle.token)
					.map(contentOf)
					.find((c) => c.startsWith('❌')),
			30_000,
			'the failure message',
		);
		expect(final).toContain('safety filter refused the prompt or the image');
		expect(final).toContain('I gave your quota back');
		expect(final).not.toMatch(/Error|at .*\.js|1026|test-minimax-key/);
		expect(minimax.creates.length - createsBefore).toBe(1);
		expect(await usedUnits(deployment.redis, deployment.prefix, userId)).toBe(0);
		expect(discord.original(handle.token)?.attachments).toEqual([]);
		expect(discord.violations).toEqual([]);
	});

	it('refuses bad input privately and changes nothing', async () => {
		const userId = nextUser();
		const createsBefore = minimax.creates.length;
		const handle = videoCommand(userId, 'a lighthouse', { camera: 'Barrel roll' });
		const [reply] = await discord.waitFor(() => {
			const found = discord.callbacks(handle.id);
			return found.length > 0 ? found : undefined;
		});
		expect(reply?.body).toMatchObject({ type: 4, data: { flags: 64 } });
		expect(contentOf({ ...reply!, body: (reply?.body as { data: unknown }).data })).toContain(
			'“Barrel roll” is not a camera move',
		);
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(minimax.creates.length).toBe(createsBefore);
		expect(await usedUnits(deployment.redis, deployment.prefix, userId)).toBe(0);
		expect(await new VideoJobs(deployment.redis, deployment.prefix).state(handle.id)).toBe('unknown');
	});

	it('refuses a fourth video in 24 hours before anything is enqueued, and /quota explains', async () => {
		const userId = nextUser();
		await spendUnits(deployment.redis, deployment.prefix, userId, ['earlier-a', 'earlier-b', 'earlier-c']);
		const createsBefore = minimax.creates.length;

		const handle = videoCommand(userId, 'one more please');
		const followUp = await discord.waitFor(
			() =>
				discord.requests.find(
					(r) => r.method === 'POST' && r.path.endsWith(`/webhooks/${discord.applicationId}/${handle.token}`),
				),
			10_000,
			'the private refusal',
		);
		expect(followUp.body).toMatchObject({ flags: 64 });
		expect(contentOf(followUp)).toMatch(
			/You have used 3 videos, your whole limit for the last 24 hours\. Your next one frees up <t:\d+:R>/,
		);
		expect(discord.original(handle.token)).toBeUndefined(); // the public "thinking…" reply was removed
		expect(minimax.creates.length).toBe(createsBefore);
		expect(await new VideoJobs(deployment.redis, deployment.prefix).state(handle.id)).toBe('unknown');

		const quotaHandle = discord.slashCommand({ name: 'quota', userId });
		const [answer] = await discord.waitFor(() => {
			const found = discord.callbacks(quotaHandle.id);
			return found.length > 0 ? found : undefined;
		});
		expect(answer?.body).toMatchObject({ type: 4, data: { flags: 64 } });
		expect(JSON.stringify(answer?.body)).toMatch(
			/0 of 3\*\* videos left in the rolling 24 hours\. The next one frees up <t:\d+:R>/,
		);
		expect(discord.violations).toEqual([]);
	});

	it('answers a French-locale user in French: /quota, and a refused camera move', async () => {
		const userId = nextUser();
		const firstCallback = async (id: string) => {
			const [callback] = await discord.waitFor(() => {
				const found = discord.callbacks(id);
				return found.length > 0 ? found : undefined;
			});
			expect(callback?.body).toMatchObject({ type: 4, data: { flags: 64 } });
			return String((callback?.body as { data: { content: string } }).data.content);
		};

		const quotaHandle = discord.slashCommand({ name: 'quota', userId, locale: 'fr' });
		expect(await firstCallback(quotaHandle.id)).toBe(
			'Il vous reste **3 vidéos sur 3** sur une période glissante de 24 heures.',
		);

		const createsBefore = minimax.creates.length;
		const refused = discord.slashCommand({
			name: 'video',
			userId,
			locale: 'fr',
			options: [
				{ name: 'prompt', type: 3, value: 'un phare' },
				{ name: 'camera', type: 3, value: 'Barrel roll' },
			],
		});
		const refusal = await firstCallback(refused.id);
		expect(refusal).toMatch(
			/^« Barrel roll » n’est pas un mouvement de caméra que je connais\. Choisissez parmi : Truck left, /,
		);
		expect(refusal).not.toContain('camera move');
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(minimax.creates.length).toBe(createsBefore);
		expect(await usedUnits(deployment.redis, deployment.prefix, userId)).toBe(0);
		expect(discord.violations).toEqual([]);
	});

	it('resumes a task after the worker is killed mid-generation, with exactly one create call', async () => {
		minimax.generationMs = 6_000;
		const userId = nextUser();
		const createsBefore = minimax.creates.length;
		const handle = videoCommand(userId, 'a crane shot over a harbour at dawn', { camera: 'Pedestal up' });
		await untilStage(discord, deployment, handle.token, /Generating|Waiting in the provider/);
		await deployment.crashWorker();
		expect(minimax.creates.length - createsBefore).toBe(1);
		const message = await clipOf(handle.token, 40_000);
		expect(message.attachments[0]?.data.equals(minimax.video)).toBe(true);
		expect(minimax.creates.length - createsBefore).toBe(1);
		expect(deployment.worker.output()).toMatch(/resuming a submitted task/);
		minimax.generationMs = 1_500;
	}, 60_000);

	it('hands in-flight jobs back on SIGTERM and another worker finishes them', async () => {
		minimax.generationMs = 5_000;
		const userId = nextUser();
		const createsBefore = minimax.creates.length;
		const handle = videoCommand(userId, 'a slow dolly through a neon market', { camera: 'Push in' });
		await untilStage(discord, deployment, handle.token, /Generating|Waiting in the provider/);
		deployment.worker.signal('SIGTERM');
		expect(await deployment.worker.exited()).toBe(0);
		expect(await new VideoJobs(deployment.redis, deployment.prefix).state(handle.id)).toBe('waiting');

		await deployment.restartWorker();
		const message = await clipOf(handle.token, 30_000);
		expect(message.attachments[0]?.data.equals(minimax.video)).toBe(true);
		expect(minimax.creates.length - createsBefore).toBe(1);
		expect(discord.violations).toEqual([]);
		minimax.generationMs = 1_500;
	}, 60_000);
});
