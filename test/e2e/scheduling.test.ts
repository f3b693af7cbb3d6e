import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordStandIn, type DiscordStandIn } from '../standins/discord.js';
import { startMinimaxStandIn, type CreateCall, type MinimaxStandIn } from '../standins/minimax.js';
import { answerOf, isQueued } from '../helpers/answers.js';
import { WorkerBeats } from '../../src/store/workers.js';
import { clipOf, nextUser, startDeployment, withLogs, type Deployment, closeAll } from '../helpers/deployment.js';
import { usedUnits } from '../helpers/quota.js';

/**
 * The order jobs start in, through the real processes: round-robin between users rather than
 * arrival order, one running job per user across workers (USER_MAX_ACTIVE=1) while other users'
 * jobs run alongside, and USER_MAX_QUEUED checked as atomically as the quota.
 */

let discord: DiscordStandIn;
let minimax: MinimaxStandIn;
let deployment: Deployment;

const video = (userId: string, prompt: string) =>
	discord.slashCommand({ name: 'video', userId, options: [{ name: 'prompt', type: 3, value: prompt }] });

const createOf = (prompt: string): CreateCall | undefined =>
	minimax.creates.find((call) => call.body['prompt'] === prompt);

describe('fair and polite scheduling', () => {
	beforeAll(async () => {
		discord = await startDiscordStandIn();
		minimax = await startMinimaxStandIn({ generationMs: 300 });
		deployment = await startDeployment(discord, {
			VIDEO_PROVIDER: 'minimax',
			MINIMAX_API_KEY: minimax.apiKey,
			MINIMAX_BASE_URL: minimax.baseUrl,
			WORKER_CONCURRENCY: '1',
			USER_DAILY_QUOTA: '20',
			USER_MAX_QUEUED: '12',
		});
	}, 60_000);

	afterAll(async () => {
		await closeAll(discord, deployment, minimax);
	});

	it('starts waiting jobs round-robin: B’s one job reaches the provider before at least 8 of A’s 10', async () => {
		const [a, b] = [nextUser(), nextUser()];
		const aPrompts = Array.from({ length: 10 }, (_, i) => `A's clip number ${i + 1}`);
		const aJobs = aPrompts.map((prompt) => video(a, prompt));
		const accepted = await Promise.all(aJobs.map((handle) => answerOf(discord, handle)));
		expect(accepted.every(isQueued)).toBe(true);
		const bJob = video(b, 'B’s only clip');
		expect(isQueued(await answerOf(discord, bJob))).toBe(true);
		const bCreate = await discord
			.waitFor(() => createOf('B’s only clip'), 40_000, 'B’s create call')
			.catch(withLogs(deployment));
		const aBefore = aPrompts.filter((prompt) => (createOf(prompt)?.at ?? Infinity) < bCreate.at).length;
		console.info(`[measure] round-robin: B's job reached the provider after ${aBefore} of A's 10 (A queued first)`);
		expect(aBefore).toBeLessThanOrEqual(2);
		await clipOf(discord, deployment, bJob.token, 30_000);
		// And A's all get made.
		for (const handle of aJobs) await clipOf(discord, deployment, handle.token, 30_000);
	}, 120_000);

	it('runs one job per user at a time across two workers, while another user’s job runs alongside', async () => {
		minimax.generationMs = 2_000;
		try {
			await deployment.addWorker();
			const [a, b] = [nextUser(), nextUser()];
			const aPrompts = ['A one at a time 1', 'A one at a time 2', 'A one at a time 3'];
			const aJobs = aPrompts.map((prompt) => video(a, prompt));
			const bJob = video(b, 'B alongside A');
			for (const handle of [...aJobs, bJob]) expect(isQueued(await answerOf(discord, handle))).toBe(true);
			for (const handle of [...aJobs, bJob]) await clipOf(discord, deployment, handle.token, 40_000);

			const creates = aPrompts.map((prompt) => createOf(prompt)?.at ?? Number.NaN).sort((x, y) => x - y);
			// Each of A's jobs reached the provider only once the previous one's task had finished.
			for (let i = 1; i < creates.length; i++)
				expect((creates[i] ?? 0) - (creates[i - 1] ?? 0)).toBeGreaterThanOrEqual(minimax.generationMs);
			// B's task ran while one of A's was being made.
			const bAt = createOf('B alongside A')?.at ?? Number.NaN;
			expect(creates.some((at) => Math.abs(bAt - at) < minimax.generationMs)).toBe(true);
			console.info(
				`[measure] USER_MAX_ACTIVE=1, two workers: A's creates at +${creates.map((at) => at - (creates[0] ?? 0)).join(' ms, +')} ms; B's at +${bAt - (creates[0] ?? 0)} ms`,
			);
			// Both workers took part.
			const workers = [deployment.worker, ...deployment.extraWorkers].filter((w) => /task submitted/.test(w.output()));
			expect(workers.length).toBe(2);
		} finally {
			minimax.generationMs = 300;
		}
	}, 90_000);

	it('accepts 12 of 15 sent at once while nothing runs (USER_MAX_QUEUED=12), atomically, and spends 12 units', async () => {
		for (const worker of [deployment.worker, ...deployment.extraWorkers]) worker.signal('SIGTERM');
		await Promise.all([deployment.worker, ...deployment.extraWorkers].map((worker) => worker.exited()));
		// A worker elsewhere is alive (so /video is not refused for want of one) but takes nothing here.
		await new WorkerBeats(deployment.redis, deployment.prefix).beat('busy-elsewhere');
		const userId = nextUser();
		const handles = Array.from({ length: 15 }, (_, i) => video(userId, `one of fifteen ${i}`));
		const answers = await Promise.all(handles.map((handle) => answerOf(discord, handle, 30_000)));
		const accepted = answers.filter(isQueued);
		const refused = answers.filter((answer) => answer.ephemeral);
		expect(accepted).toHaveLength(12);
		expect(refused).toHaveLength(3);
		for (const refusal of refused)
			expect(refusal.content).toBe(
				'You already have 12 videos waiting to start, the most allowed. Try again once one has started. This request did not use any of your quota.',
			);
		expect(await usedUnits(deployment.redis, deployment.prefix, userId)).toBe(12);
		console.info(`[measure] 15 at once, USER_MAX_QUEUED=12: ${accepted.length} accepted, ${refused.length} refused`);
	}, 60_000);
});
