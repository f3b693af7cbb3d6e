import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordStandIn, type DiscordStandIn } from '../standins/discord.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';
import { answerOf, isQueued } from '../helpers/answers.js';
import { clipOf, nextUser, startDeployment, type Deployment, closeAll } from '../helpers/deployment.js';

/**
 * A provider's limits held by three worker processes together: MINIMAX_CONCURRENCY=2 (tasks at
 * MiniMax from the create call to the end of polling) and MINIMAX_RPM=4 (create calls in any
 * window, not a fixed one), with jobs over them waiting and then delivered. The window is the test
 * knob TEST_RPM_WINDOW_MS=6000, so "four in any 6 s" stands for the product's "four in any 60 s";
 * test/integration/limits.test.ts proves the same property on the real 60 s window.
 */

const WINDOW_MS = 6_000;
const JOBS = 9;

let discord: DiscordStandIn;
let minimax: MinimaxStandIn;
let deployment: Deployment;

/** The most timestamps in any window of `windowMs`, wherever it starts. */
function busiestWindow(times: readonly number[], windowMs: number): number {
	const sorted = [...times].sort((a, b) => a - b);
	let most = 0;
	for (let start = 0, end = 0; start < sorted.length; start++) {
		while (end < sorted.length && (sorted[end] ?? 0) < (sorted[start] ?? 0) + windowMs) end++;
		most = Math.max(most, end - start);
	}
	return most;
}

/** The most intervals open at one moment. */
function mostAtOnce(intervals: ReadonlyArray<readonly [number, number]>): number {
	const events = intervals.flatMap(([from, to]) => [
		[from, 1],
		[to, -1],
	]);
	// An end and a start at the same millisecond do not overlap.
	events.sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0));
	let open = 0;
	let most = 0;
	for (const [, change] of events) most = Math.max(most, (open += change ?? 0));
	return most;
}

describe('provider limits across three workers', () => {
	beforeAll(async () => {
		discord = await startDiscordStandIn();
		minimax = await startMinimaxStandIn({ generationMs: 1_200 });
		deployment = await startDeployment(discord, {
			VIDEO_PROVIDER: 'minimax',
			MINIMAX_API_KEY: minimax.apiKey,
			MINIMAX_BASE_URL: minimax.baseUrl,
			MINIMAX_CONCURRENCY: '2',
			MINIMAX_RPM: '4',
			TEST_RPM_WINDOW_MS: String(WINDOW_MS),
		});
		await Promise.all([deployment.addWorker(), deployment.addWorker()]);
	}, 60_000);

	afterAll(async () => {
		await closeAll(discord, deployment, minimax);
	});

	it('never has more than 2 tasks at MiniMax nor 4 create calls in any window, and delivers every job', async () => {
		const handles = Array.from({ length: JOBS }, (_, i) =>
			discord.slashCommand({
				name: 'video',
				userId: nextUser(),
				options: [{ name: 'prompt', type: 3, value: `limited clip ${i}` }],
			}),
		);
		for (const handle of handles) expect(isQueued(await answerOf(discord, handle))).toBe(true);
		for (const handle of handles) await clipOf(discord, deployment, handle.token, 90_000);

		const tasks = minimax.tasks();
		expect(tasks).toHaveLength(JOBS);
		const creates = tasks.map((task) => task.createdAt);
		const lives = tasks.map((task) => [task.createdAt, task.endedAt ?? Infinity] as const);
		const start = Math.min(...creates);
		console.info(
			`[measure] RPM=4 in any ${WINDOW_MS} ms, CONCURRENCY=2, 3 workers: create calls at +${creates
				.map((at) => at - start)
				.join(', +')} ms; busiest window ${busiestWindow(creates, WINDOW_MS)}; most tasks at once ${mostAtOnce(lives)}`,
		);
		expect(busiestWindow(creates, WINDOW_MS)).toBeLessThanOrEqual(4);
		expect(mostAtOnce(lives)).toBeLessThanOrEqual(2);
		// The limits were reached, not merely unused: two ran together, and the fifth call waited for the window.
		expect(mostAtOnce(lives)).toBe(2);
		const sorted = [...creates].sort((a, b) => a - b);
		expect((sorted[4] ?? 0) - (sorted[0] ?? 0)).toBeGreaterThanOrEqual(WINDOW_MS);
		// Jobs over the limits waited; none failed.
		const outputs = [deployment.worker, ...deployment.extraWorkers].map((worker) => worker.output()).join('\n');
		expect(outputs).toMatch(/provider at its limit; the job waits/);
		expect(outputs).not.toMatch(/"job failed"/);
		// All three workers took part.
		const submitted = [deployment.worker, ...deployment.extraWorkers].filter((w) => /task submitted/.test(w.output()));
		expect(submitted.length).toBeGreaterThanOrEqual(2);
	}, 120_000);
});
