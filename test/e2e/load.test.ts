import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordStandIn, type DiscordStandIn, type RecordedRequest } from '../standins/discord.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';
import { CLIPS, makeClip } from '../helpers/ffmpeg.js';
import { nextUser, startDeployment, type Deployment } from '../helpers/deployment.js';
import { startScript, type RunningScript } from '../helpers/processes.js';

/**
 * A hundred jobs at once with a provider that answers at once, through the real bot and two real
 * workers, against the Discord stand-in with its rate limits on: every command answered, every
 * clip delivered, not one 429, and no two edits of one message closer than the interval.
 */

const JOBS = 100;
const INTERVAL = 1_000;

let discord: DiscordStandIn;
let minimax: MinimaxStandIn;
let deployment: Deployment;
let second: RunningScript;

beforeAll(async () => {
	discord = await startDiscordStandIn({ rateLimits: true });
	minimax = await startMinimaxStandIn({ generationMs: 0, video: await makeClip(CLIPS.small) });
	deployment = await startDeployment(discord, {
		VIDEO_PROVIDER: 'minimax',
		MINIMAX_API_KEY: minimax.apiKey,
		MINIMAX_BASE_URL: minimax.baseUrl,
		PROGRESS_INTERVAL_MS: String(INTERVAL),
		WORKER_CONCURRENCY: '50',
		// What production runs with: this test is about pacing, not about crashed workers, and a 2 s
		// lock on a busy two-core machine would have jobs taken for stalled while they run.
		JOB_LOCK_MS: '30000',
	});
	second = startScript('start:worker', deployment.env);
	await second.waitForOutput(/worker ready/);
}, 60_000);

afterAll(async () => {
	const violations = discord?.violations ?? [];
	second?.signal('SIGTERM');
	await second?.exited();
	await deployment?.stop();
	await discord?.close();
	await minimax?.close();
	expect(violations).toEqual([]);
});

/** The message an edit request changes: a reply by its token, or a channel message by its id. */
function editedMessage(request: RecordedRequest): string | undefined {
	if (request.method !== 'PATCH') return undefined;
	const token = /\/webhooks\/\d+\/([^/]+)\/messages\/@original$/.exec(request.path)?.[1];
	if (token !== undefined) return discord.original(token)?.id ?? token;
	return /\/channels\/\d+\/messages\/(\d+)$/.exec(request.path)?.[1];
}

describe(`${JOBS} jobs at once`, () => {
	it('answers every command, delivers every clip, meets no 429 and keeps every message’s interval', async () => {
		const handles = Array.from({ length: JOBS }, (_, i) =>
			discord.slashCommand({
				name: 'video',
				options: [{ name: 'prompt', type: 3, value: `crowd shot number ${i}` }],
				userId: nextUser(),
			}),
		);
		const delivered = () =>
			handles.filter((h) => discord.original(h.token)?.attachments.some((a) => a.filename.endsWith('.mp4')));
		await discord
			.waitFor(() => delivered().length === JOBS, 180_000, `${JOBS} clips`)
			.catch((error: unknown) => {
				throw new Error(
					`${String(error)}\n${deployment.worker.output().slice(-4000)}\n${second.output().slice(-4000)}`,
				);
			});

		const answered = handles.filter((h) => {
			const [ack] = discord.callbacks(h.id);
			return ack?.status === 204 && ack.at - h.dispatchedAt < 3_000;
		});
		const gaps: number[] = [];
		const byMessage = new Map<string, RecordedRequest[]>();
		for (const request of discord.requests) {
			const id = editedMessage(request);
			if (id !== undefined) byMessage.set(id, [...(byMessage.get(id) ?? []), request]);
		}
		for (const edits of byMessage.values()) {
			for (let i = 1; i < edits.length; i++) gaps.push(edits[i]!.at - edits[i - 1]!.at);
		}
		const clipAt = (token: string) =>
			discord.requests.find((r) => r.files.length > 0 && r.status === 200 && r.path.includes(token))?.at ?? Infinity;
		const latencies = handles.map((h) => clipAt(h.token) - h.dispatchedAt).sort((a, b) => a - b);
		const channelPosts = discord.requests.filter(
			(r) => r.method === 'POST' && /\/channels\/\d+\/messages$/.test(r.path),
		);
		const figures = {
			commands: JOBS,
			answeredWithin3s: answered.length,
			clipsDelivered: delivered().length,
			responses429: discord.rateLimited().length,
			minGapBetweenEditsOfOneMessageMs: Math.min(...gaps),
			editsMeasured: gaps.length + byMessage.size,
			channelPosts: channelPosts.length,
			commandToClipMs: { p50: latencies[JOBS / 2], p99: latencies[JOBS - 2], max: latencies.at(-1) },
		};
		console.info(`load figures ${JSON.stringify(figures)}`);

		expect(answered).toHaveLength(JOBS);
		expect(delivered()).toHaveLength(JOBS);
		// Each message ends on its clip, once, whatever edited it before.
		for (const h of handles) {
			const message = discord.original(h.token);
			expect(message?.content).toContain('your clip is ready');
			expect(message?.attachments).toHaveLength(1);
		}
		expect(discord.rateLimited()).toEqual([]);
		expect(Math.min(...gaps)).toBeGreaterThanOrEqual(INTERVAL);
		// The normal path stays on the interaction tokens: no channel post shares the channel's bucket.
		expect(channelPosts).toEqual([]);
	}, 240_000);
});
