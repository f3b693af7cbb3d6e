import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoJobs } from '../../src/jobs/index.js';
import { JobRecords } from '../../src/store/job-records.js';
import { Quota } from '../../src/store/quota.js';
import { startDiscordStandIn, type DiscordStandIn, type UploadInput } from '../standins/discord.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';
import { clipWithStereoSound, probeAudio } from '../helpers/ffmpeg.js';
import {
	clipOf,
	contentOf,
	deploymentEnv,
	failureOf,
	nextUser,
	originalEdits,
	startDeployment,
	type Deployment,
	closeAll,
} from '../helpers/deployment.js';
import { solidPng } from '../helpers/images.js';
import { runScript } from '../helpers/processes.js';
import { uniquePrefix } from '../helpers/redis.js';

/**
 * Today's models through the real bot and worker processes, against the Discord stand-in and
 * MiniMax's (v1 and v2 under one base URL): the default model for each request shape, H3 over the
 * v2 API with its shape, length, prose camera and sound, every end of a v2 task, a refused link
 * refreshed from the same task, and the operator's allow-list in the planner, the autocomplete,
 * the refusals and /help.
 */

let discord: DiscordStandIn;
let minimax: MinimaxStandIn;
let stereo: Buffer;

beforeAll(async () => {
	stereo = await clipWithStereoSound(1);
	discord = await startDiscordStandIn();
	minimax = await startMinimaxStandIn({ pathPrefix: '/minimax', generationMs: 1_200, v2Video: stereo });
}, 30_000);

afterAll(async () => {
	await closeAll(discord, minimax);
});

const frame = solidPng(640, 480);
const image = (name: string, rgb: [number, number, number] = [200, 120, 40]): UploadInput => ({
	filename: `${name}.png`,
	data: name === 'frame' ? frame : solidPng(640, 480, rgb),
	contentType: 'image/png',
	width: 640,
	height: 480,
});

interface VideoOptions {
	readonly camera?: string;
	readonly model?: string;
	readonly duration?: number;
	readonly ratio?: string;
	readonly firstFrame?: UploadInput;
	readonly lastFrame?: UploadInput;
	readonly subject?: UploadInput;
}

function video(userId: string, prompt: string, extra: VideoOptions = {}) {
	const options: unknown[] = [{ name: 'prompt', type: 3, value: prompt }];
	const attachments: Record<string, UploadInput> = {};
	if (extra.camera !== undefined) options.push({ name: 'camera', type: 3, value: extra.camera });
	if (extra.model !== undefined) options.push({ name: 'model', type: 3, value: extra.model });
	if (extra.duration !== undefined) options.push({ name: 'duration', type: 4, value: extra.duration });
	if (extra.ratio !== undefined) options.push({ name: 'ratio', type: 3, value: extra.ratio });
	for (const [option, upload] of [
		['first_frame', extra.firstFrame],
		['last_frame', extra.lastFrame],
		['subject', extra.subject],
	] as const) {
		if (upload === undefined) continue;
		options.push({ name: option, type: 11, value: option });
		attachments[option] = upload;
	}
	return discord.slashCommand({ name: 'video', options, userId, attachments });
}

const dataUrl = (upload: UploadInput) => `data:image/png;base64,${upload.data.toString('base64')}`;

/** The first answer to an interaction, as its content (a refusal is a private type 4 reply). */
async function privateAnswer(id: string): Promise<string> {
	const [callback] = await discord.waitFor(() => {
		const found = discord.callbacks(id);
		return found.length > 0 ? found : undefined;
	});
	expect(callback?.body).toMatchObject({ type: 4, data: { flags: 64 } });
	return String((callback?.body as { data: { content: string } }).data.content);
}

describe('today’s models on MiniMax’s own API, with no allow-list', () => {
	let deployment: Deployment;
	const env = () => ({ VIDEO_PROVIDER: 'minimax', MINIMAX_API_KEY: minimax.apiKey, MINIMAX_BASE_URL: minimax.baseUrl });

	beforeAll(async () => {
		deployment = await startDeployment(discord, env());
	}, 60_000);
	afterAll(async () => deployment?.stop());

	it('picks the model by request shape: Hailuo-2.3 for text and moves, Hailuo-02 for two frames, S2V-01 for a subject', async () => {
		const v1 = minimax.creates.length;
		const text = video(nextUser(), 'a lighthouse in a storm', { camera: 'Push in' });
		const framed = video(nextUser(), 'a day turns to night', {
			firstFrame: image('frame'),
			lastFrame: image('last', [20, 20, 60]),
		});
		const subject = video(nextUser(), 'she walks through a market', { subject: image('subject', [90, 160, 90]) });
		for (const handle of [text, framed, subject]) await clipOf(discord, deployment, handle.token);
		const bodies = minimax.creates.slice(v1).map((call) => call.body);
		expect(bodies).toHaveLength(3);
		expect(bodies).toEqual(
			expect.arrayContaining([
				{ model: 'MiniMax-Hailuo-2.3', prompt: '[Push in] a lighthouse in a storm' },
				{
					model: 'MiniMax-Hailuo-02',
					prompt: 'a day turns to night',
					first_frame_image: dataUrl(image('frame')),
					last_frame_image: dataUrl(image('last', [20, 20, 60])),
				},
				{
					model: 'S2V-01',
					prompt: 'she walks through a market',
					subject_reference: [{ type: 'character', image: [dataUrl(image('subject', [90, 160, 90]))] }],
				},
			]),
		);
		expect(discord.original(text.token)?.content).toContain('**MiniMax-Hailuo-2.3**');
		expect(discord.violations).toEqual([]);
	}, 40_000);

	it('makes an H3 clip in 9:16 and 12 s: camera as prose on the v2 API, the exact text quoted, the sound delivered intact, the cost recorded', async () => {
		const userId = nextUser();
		const v1 = minimax.creates.length;
		const v2 = minimax.v2.creates.length;
		const handle = video(userId, 'a neon alley in the rain [Pedestal up]', {
			camera: 'pan left, zoom in',
			ratio: '9:16',
			duration: 12,
		});
		const message = await clipOf(discord, deployment, handle.token);
		const sent = 'The camera pans left and zooms in. A neon alley in the rain. Then the camera rises.';
		expect(minimax.creates.length).toBe(v1);
		expect(minimax.v2.creates.slice(v2).map((call) => call.body)).toEqual([
			{ model: 'MiniMax-H3', content: [{ type: 'text', text: sent }], duration: 12, resolution: '768P', ratio: '9:16' },
		]);
		// Every message of the job quotes the text H3 received, from "queued" to the clip.
		const stages = originalEdits(discord, handle.token).map(contentOf);
		expect(stages[0]).toContain(`> ${sent}`);
		expect(message.content).toContain(`> ${sent}`);
		expect(message.content).toContain('**MiniMax-H3**');
		for (const stage of stages) expect(stage).not.toMatch(/\[(Pan|Zoom|Pedestal)/);
		// The clip as H3 made it: the same bytes, its stereo sound untouched.
		const clip = message.attachments.find((file) => file.filename.endsWith('.mp4'));
		expect(clip?.data.equals(stereo)).toBe(true);
		expect(await probeAudio(clip?.data ?? Buffer.alloc(0))).toEqual([
			{ codec: 'aac', channels: 2, sampleRate: 48_000 },
		]);
		// Billed per second: 12 s × $0.08 at 768P, as the provider reported it.
		const settled = await new JobRecords(deployment.redis, deployment.prefix).settlement(handle.id);
		expect(JSON.parse(settled ?? '{}')).toMatchObject({ kind: 'delivered', costUsd: 0.96 });
		expect((await new Quota(deployment.redis, deployment.prefix).status(userId, 3)).used).toBe(1);
	}, 40_000);

	it('sends H3 a first and a last frame by role, and a subject as a reference image with the shape asked', async () => {
		const v2 = minimax.v2.creates.length;
		const framed = video(nextUser(), 'a seed grows into a tree', {
			model: 'H3',
			duration: 8,
			firstFrame: image('frame'),
			lastFrame: image('last', [30, 160, 30]),
		});
		const reference = video(nextUser(), 'the same cat chases a laser', {
			camera: 'Tracking shot',
			ratio: '1:1',
			subject: image('cat', [140, 140, 140]),
		});
		for (const handle of [framed, reference]) await clipOf(discord, deployment, handle.token);
		const bodies = minimax.v2.creates.slice(v2).map((call) => call.body);
		expect(bodies).toEqual(
			expect.arrayContaining([
				{
					model: 'MiniMax-H3',
					content: [
						{ type: 'text', text: 'a seed grows into a tree' },
						{ type: 'image_url', image_url: { url: dataUrl(image('frame')) }, role: 'first_frame' },
						{ type: 'image_url', image_url: { url: dataUrl(image('last', [30, 160, 30])) }, role: 'last_frame' },
					],
					duration: 8,
					resolution: '768P',
				},
				{
					model: 'MiniMax-H3',
					content: [
						{ type: 'text', text: 'The camera tracks the subject. The same cat chases a laser' },
						{ type: 'image_url', image_url: { url: dataUrl(image('cat', [140, 140, 140])) }, role: 'reference_image' },
					],
					duration: 6,
					resolution: '768P',
					ratio: '1:1',
				},
			]),
		);
		expect(bodies).toHaveLength(2);
	}, 40_000);

	it('refuses a first frame with a subject image before anything is spent, saying what would work', async () => {
		const userId = nextUser();
		const before = [minimax.creates.length, minimax.v2.creates.length];
		const handle = video(userId, 'a knight', {
			firstFrame: image('frame'),
			subject: image('knight', [10, 10, 10]),
			model: 'H3',
		});
		expect(await privateAnswer(handle.id)).toBe(
			'MiniMax has no model that makes a clip with the model H3, a first frame, a subject image and a PNG image. What would work: drop the subject image (H3) or drop the first frame (H3). This request did not use any of your quota.',
		);
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect([minimax.creates.length, minimax.v2.creates.length]).toEqual(before);
		expect((await new Quota(deployment.redis, deployment.prefix).status(userId, 3)).used).toBe(0);
		expect(await new VideoJobs(deployment.redis, deployment.prefix).state(handle.id)).toBe('unknown');
	});

	it.each([
		['failed', 'The video service could not make this clip.'],
		['cancelled', 'The video service cancelled this clip before it was finished.'],
		['expired', 'The video service let this clip expire before making it.'],
	] as const)(
		'tells the user of a task that ended %s in its own words, and gives the unit back',
		async (end, words) => {
			const userId = nextUser();
			minimax.v2.endNextTask(end);
			const handle = video(userId, `a clip that ends ${end}`, { duration: 5 });
			const final = await failureOf(discord, deployment, handle.token);
			expect(final).toBe(`❌ ${words} I gave your quota back.\n> a clip that ends ${end}`);
			expect((await new Quota(deployment.redis, deployment.prefix).status(userId, 3)).used).toBe(0);
		},
		30_000,
	);

	it('asks the same task for a fresh link when the clip’s download is refused with 403, with one create call', async () => {
		const v2 = minimax.v2.creates.length;
		const issued = minimax.v2.links.issued.length;
		const queries = minimax.v2.counts.query;
		minimax.v2.refuseNextDownloads(1, 403);
		const handle = video(nextUser(), 'a paper lantern drifts up', { ratio: '4:3' });
		const message = await clipOf(discord, deployment, handle.token);
		expect(message.attachments.find((file) => file.filename.endsWith('.mp4'))?.data.equals(stereo)).toBe(true);
		expect(minimax.v2.creates.length - v2).toBe(1);
		const links = minimax.v2.links.issued.slice(issued);
		expect(links).toHaveLength(2);
		expect(minimax.v2.links.downloaded.slice(-2)).toEqual(links);
		expect(minimax.v2.counts.query - queries).toBeGreaterThanOrEqual(2);
		expect(deployment.worker.output()).toMatch(/clip link refused; asking the task again/);
		expect(deployment.worker.output()).not.toMatch(/does not accept its API key/);
	}, 30_000);
});

describe('an operator’s allow-list: MINIMAX_MODELS=MiniMax-H3,Hailuo-2.3', () => {
	let deployment: Deployment;

	beforeAll(async () => {
		deployment = await startDeployment(discord, {
			VIDEO_PROVIDER: 'minimax',
			MINIMAX_API_KEY: minimax.apiKey,
			MINIMAX_BASE_URL: minimax.baseUrl,
			MINIMAX_MODELS: 'minimax-h3, HAILUO-2.3',
		});
	}, 60_000);
	afterAll(async () => deployment?.stop());

	it('offers only the listed models in the model autocomplete, in their order', async () => {
		const handle = discord.autocomplete({
			name: 'video',
			options: [
				{ name: 'prompt', type: 3, value: 'x' },
				{ name: 'model', type: 3, value: '', focused: true },
			],
		});
		const [callback] = await discord.waitFor(() => {
			const found = discord.callbacks(handle.id);
			return found.length > 0 ? found : undefined;
		});
		const choices = (callback?.body as { data: { choices: { name: string; value: string }[] } }).data.choices;
		expect(choices.map((choice) => choice.value)).toEqual(['H3', 'Hailuo-2.3']);
		expect(choices[0]?.name).toBe('H3 (first frame optional, last frame, subject, camera moves, 4–15 s, 768P/2K)');
	});

	it('picks the first listed model that serves the request', async () => {
		const v2 = minimax.v2.creates.length;
		const handle = video(nextUser(), 'a quiet harbour at dawn');
		await clipOf(discord, deployment, handle.token);
		expect(minimax.v2.creates.slice(v2).map((call) => call.body['model'])).toEqual(['MiniMax-H3']);
	}, 30_000);

	it('refuses a model outside the list, and a length no listed model makes, naming what would work', async () => {
		const userId = nextUser();
		const before = [minimax.creates.length, minimax.v2.creates.length];
		const legacy = video(userId, 'a lighthouse', { model: 'T2V-01-Director' });
		expect(await privateAnswer(legacy.id)).toBe(
			'MiniMax has no model that makes a clip with the model T2V-01-Director. What would work: let me pick the model (H3). This request did not use any of your quota.',
		);
		const long = video(userId, 'a lighthouse', { model: 'Hailuo-2.3', duration: 12 });
		expect(await privateAnswer(long.id)).toBe(
			'MiniMax has no model that makes a clip with the model Hailuo-2.3 and 12 seconds. What would work: 6 or 10 s on Hailuo-2.3 or up to 15 s on H3. This request did not use any of your quota.',
		);
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect([minimax.creates.length, minimax.v2.creates.length]).toEqual(before);
		expect((await new Quota(deployment.redis, deployment.prefix).status(userId, 3)).used).toBe(0);
	});

	it('lists the offered models in /help', async () => {
		const handle = discord.slashCommand({ name: 'help', userId: nextUser() });
		expect(await privateAnswer(handle.id)).toContain('**Models:** H3, Hailuo-2.3. Without `model:`');
	});
});

describe('a configuration with an unknown model name', () => {
	it('stops at start-up with the problem listed, without echoing the value', async () => {
		const run = await runScript(
			'start:bot',
			deploymentEnv(discord, uniquePrefix(), {
				VIDEO_PROVIDER: 'minimax',
				MINIMAX_MODELS: 'H3,sk-secret-pasted-here',
			}),
		);
		expect(run.code).not.toBe(0);
		expect(run.output).toContain("MINIMAX_MODELS item 2 is not one of MiniMax's models");
		expect(run.output).not.toContain('sk-secret-pasted-here');
	}, 30_000);
});
