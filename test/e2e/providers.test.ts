import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAtlasCloudStandIn } from '../standins/atlascloud.js';
import { usedUnits } from '../helpers/quota.js';
import { startDiscordStandIn, type DiscordStandIn } from '../standins/discord.js';
import { startFalStandIn } from '../standins/fal.js';
import { startMinimaxStandIn } from '../standins/minimax.js';
import { startReplicateStandIn } from '../standins/replicate.js';
import { startRunwareStandIn } from '../standins/runware.js';
import { startSegmindStandIn } from '../standins/segmind.js';
import { estimateShift, grayFrames, probe } from '../helpers/ffmpeg.js';
import {
	clipOf,
	contentOf,
	failureOf,
	nextUser,
	originalEdits,
	startDeployment,
	untilStage,
	type Deployment,
	closeAll,
} from '../helpers/deployment.js';

/**
 * Every paid provider end to end, through the real bot and worker processes: the exact bytes come
 * out, a worker killed while the provider generates is replaced and delivers with exactly one
 * create call, and a provider out of credits hands the job to the next one.
 */

interface StandIn {
	readonly video: Buffer;
	readonly creates: readonly unknown[];
	generationMs: number;
	close(): Promise<void>;
}

interface Adapter {
	readonly name: string;
	start(): Promise<StandIn & { env: Record<string, string> }>;
	/** Makes the next create call answer "out of credits". */
	outOfCredits(standIn: StandIn): void;
}

function adapter<S extends StandIn & { apiKey: string; baseUrl: string }>(
	name: string,
	keyEnv: string,
	baseEnv: string,
	start: () => Promise<S>,
	outOfCredits: (standIn: S) => void,
	extraEnv: Record<string, string> = {},
): Adapter {
	return {
		name,
		async start() {
			const standIn = await start();
			return Object.assign(standIn, { env: { [keyEnv]: standIn.apiKey, [baseEnv]: standIn.baseUrl, ...extraEnv } });
		},
		outOfCredits: (standIn) => outOfCredits(standIn as S),
	};
}

const PAID: readonly Adapter[] = [
	adapter(
		'minimax',
		'MINIMAX_API_KEY',
		'MINIMAX_BASE_URL',
		() => startMinimaxStandIn({ pathPrefix: '/minimax' }),
		(s) => s.failNextCreate(1008, 'insufficient balance'),
	),
	adapter(
		'segmind',
		'SEGMIND_API_KEY',
		'SEGMIND_BASE_URL',
		() => startSegmindStandIn(),
		(s) => s.failNextCreate(406, 'Insufficient credits'),
	),
	adapter(
		'runware',
		'RUNWARE_API_KEY',
		'RUNWARE_BASE_URL',
		() => startRunwareStandIn(),
		(s) => s.failNextCreate(402, { code: 'insufficientCredits', message: 'Insufficient credits' }),
	),
	adapter(
		'atlascloud',
		'ATLASCLOUD_API_KEY',
		'ATLASCLOUD_BASE_URL',
		() => startAtlasCloudStandIn(),
		(s) => s.failNextCreateWithCode(402, 'insufficient balance'),
	),
	adapter(
		'replicate',
		'REPLICATE_API_TOKEN',
		'REPLICATE_BASE_URL',
		() => startReplicateStandIn(),
		(s) => s.failNextCreate(402, { body: { title: 'Insufficient credit', detail: 'You have insufficient credit' } }),
	),
	adapter(
		'fal',
		'FAL_KEY',
		'FAL_BASE_URL',
		() => startFalStandIn(),
		(s) => s.failNextCreate(403, { detail: 'User is locked. Reason: Exhausted balance' }),
	),
];

let discord: DiscordStandIn;

beforeAll(async () => {
	discord = await startDiscordStandIn();
});
afterAll(async () => {
	await closeAll(discord);
});

function video(userId: string, prompt: string, camera?: string) {
	const options: unknown[] = [{ name: 'prompt', type: 3, value: prompt }];
	if (camera !== undefined) options.push({ name: 'camera', type: 3, value: camera });
	return discord.slashCommand({ name: 'video', options, userId });
}

describe.each(PAID)('$name end to end', (provider) => {
	let standIn: Awaited<ReturnType<Adapter['start']>>;
	let deployment: Deployment;

	beforeAll(async () => {
		standIn = await provider.start();
		standIn.generationMs = 4_000;
		deployment = await startDeployment(discord, { VIDEO_PROVIDER: provider.name, ...standIn.env });
	}, 60_000);
	afterAll(async () => {
		await deployment?.stop();
		await standIn?.close();
	});

	it('delivers the exact bytes after a worker is killed mid-generation, with one create call', async () => {
		const handle = video(nextUser(), 'a lantern drifting down a canal at night');
		await untilStage(discord, deployment, handle.token, /Generating|Waiting in the provider/);
		expect(standIn.creates).toHaveLength(1);
		await deployment.crashWorker();

		const message = await clipOf(discord, deployment, handle.token, 40_000);
		expect(message.attachments[0]?.data.equals(standIn.video)).toBe(true);
		expect(standIn.creates).toHaveLength(1);
		expect(deployment.worker.output()).toMatch(/resuming a submitted task/);
	}, 60_000);
});

describe('failover', () => {
	const [first, second] = [PAID[3], PAID[0]] as [Adapter, Adapter];
	let primary: Awaited<ReturnType<Adapter['start']>>;
	let backup: Awaited<ReturnType<Adapter['start']>>;
	let deployment: Deployment;

	beforeAll(async () => {
		primary = await first.start();
		backup = await second.start();
		deployment = await startDeployment(discord, {
			VIDEO_PROVIDERS: `${first.name},${second.name}`,
			ADMIN_CHANNEL_ID: discord.channelId,
			...primary.env,
			...backup.env,
		});
	}, 60_000);
	afterAll(async () => {
		await deployment?.stop();
		await primary?.close();
		await backup?.close();
	});

	it(`moves a job from ${first.name}, out of credits, to ${second.name}, and tells the admins once`, async () => {
		const alerts = () => discord.channelMessages(discord.channelId).filter((m) => m.content.startsWith('⚠️'));
		const before = { primary: primary.creates.length, backup: backup.creates.length };
		for (const round of [1, 2]) {
			first.outOfCredits(primary);
			const handle = video(nextUser(), `a paper plane over rooftops, take ${round}`);
			const message = await clipOf(discord, deployment, handle.token);
			expect(message.attachments[0]?.data.equals(backup.video)).toBe(true);
			// MiniMax's first model for a plain prompt.
			expect(message.content).toContain('**MiniMax-Hailuo-2.3**');
		}
		expect(primary.creates.length - before.primary).toBe(2); // each refused, nothing made
		expect(backup.creates.length - before.backup).toBe(2);
		expect(alerts()).toHaveLength(1);
		expect(alerts()[0]?.content).toContain('AtlasCloud is out of credits');
	});

	it('does not fail over when the request itself is refused', async () => {
		const userId = nextUser();
		const before = backup.creates.length;
		(primary as unknown as { failNextCreate(status: number, body: unknown): void }).failNextCreate(400, {
			code: 400,
			message: 'invalid params: prompt',
			data: null,
		});
		const handle = video(userId, 'a request the provider calls invalid');
		const failure = await failureOf(discord, deployment, handle.token);
		expect(failure).toContain('refused the request as invalid');
		expect(backup.creates.length).toBe(before);
		expect(await usedUnits(deployment.redis, deployment.prefix, userId)).toBe(0);
		expect(originalEdits(discord, handle.token).map(contentOf).at(-1)).toContain('I gave your quota back');
	});
});

describe('Segmind in blocking mode', () => {
	let standIn: Awaited<ReturnType<typeof startSegmindStandIn>>;
	let deployment: Deployment;

	beforeAll(async () => {
		standIn = await startSegmindStandIn();
		deployment = await startDeployment(discord, {
			VIDEO_PROVIDER: 'segmind',
			SEGMIND_MODE: 'blocking',
			SEGMIND_API_KEY: standIn.apiKey,
			SEGMIND_BASE_URL: standIn.baseUrl,
			ADMIN_CHANNEL_ID: discord.channelId,
		});
	}, 60_000);
	afterAll(async () => {
		await deployment?.stop();
		await standIn?.close();
	});

	it('delivers the MP4 the blocking call returns', async () => {
		standIn.generationMs = 1_000;
		const handle = video(nextUser(), 'a kite over dunes');
		const message = await clipOf(discord, deployment, handle.token);
		expect(message.attachments[0]?.data.equals(standIn.video)).toBe(true);
	});

	it('never resubmits a blocking call cut off by a crash, and tells the user and the admins', async () => {
		standIn.generationMs = 8_000;
		const userId = nextUser();
		const creates = standIn.creates.length;
		const handle = video(userId, 'a lighthouse keeper climbing the stairs');
		await discord.waitFor(() => standIn.creates.length > creates, 10_000, 'the blocking create call');
		await deployment.crashWorker();

		const failure = await failureOf(discord, deployment, handle.token, 30_000);
		expect(failure).toContain('cannot tell whether it was received');
		expect(failure).toContain('I gave your quota back');
		expect(standIn.creates.length).toBe(creates + 1);
		expect(await usedUnits(deployment.redis, deployment.prefix, userId)).toBe(0);
		const alert = discord.channelMessages(discord.channelId).find((m) => m.content.includes(handle.id));
		expect(alert?.content).toMatch(/^⚠️ A Segmind create call for job \d+ was cut off by a worker crash/);
	}, 60_000);
});

describe('preview, the default with no provider key', () => {
	let deployment: Deployment;

	beforeAll(async () => {
		// Only a Discord token: no VIDEO_PROVIDER and no key, as a newcomer starts.
		deployment = await startDeployment(discord, {});
	}, 60_000);
	afterAll(async () => {
		await deployment?.stop();
	});

	it('renders a free animatic of the camera moves as a playable H.264 MP4', async () => {
		const userId = nextUser();
		const handle = video(userId, 'a harbour at dawn, fishing boats leaving', 'Pan left');
		const message = await clipOf(discord, deployment, handle.token, 40_000);
		expect(message.content).toContain('**animatic**');
		const clip = message.attachments[0]?.data ?? Buffer.alloc(0);
		const info = await probe(clip);
		expect(info).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: 640, height: 360 });
		// Pan left: the picture moves right in frame.
		const [early, late] = await grayFrames(clip, [12, 60]);
		expect(estimateShift(early!, late!).dx).toBeGreaterThan(2);
		expect(deployment.worker.output()).toMatch(/"providers":\["preview"\]/);
	}, 60_000);
});

describe('bounded polling', () => {
	let standIn: Awaited<ReturnType<typeof startMinimaxStandIn>>;
	let deployment: Deployment;

	beforeAll(async () => {
		standIn = await startMinimaxStandIn({ generationMs: 60_000 });
		deployment = await startDeployment(discord, {
			VIDEO_PROVIDER: 'minimax',
			MINIMAX_API_KEY: standIn.apiKey,
			MINIMAX_BASE_URL: standIn.baseUrl,
			GENERATION_TIMEOUT_MS: '2000',
		});
	}, 60_000);
	afterAll(async () => {
		await deployment?.stop();
		await standIn?.close();
	});

	it('gives up on a task that never finishes, tells the user and gives the quota back', async () => {
		const userId = nextUser();
		const handle = video(userId, 'an endless staircase');
		const failure = await failureOf(discord, deployment, handle.token, 20_000);
		expect(failure).toContain('took too long');
		expect(failure).toContain('I gave your quota back');
		expect(standIn.creates).toHaveLength(1);
		expect(await usedUnits(deployment.redis, deployment.prefix, userId)).toBe(0);
	}, 30_000);
});
