import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentJobError } from '../../src/jobs/index.js';
import { ProviderError } from '../../src/providers/errors.js';
import { english } from '../../src/texts/index.js';
import { MAX_LINK_REFRESHES } from '../../src/worker/deliver.js';
import { MALFORMED_POLLS_MAX, MALFORMED_RUN_MAX_MS } from '../../src/worker/generate.js';
import {
	DRIVER_LABELS,
	malformedAnswers,
	randomMalformed,
	refusal,
	retryAt,
	startDriver,
	type DriverLabel,
	type ProviderDriver,
} from '../helpers/provider-drivers.js';
import { seeded } from '../helpers/random.js';
import { startDiscordStandIn, type DiscordStandIn } from '../standins/discord.js';
import { PASS, type ScriptedAnswer } from '../standins/loopback.js';
import { startHarness, type Harness, type TestJob } from './harness.js';
import { closeAll } from '../helpers/deployment.js';

/**
 * A paid clip is never thrown away, for every paid provider: the worker's processor with real
 * Redis, the provider's stand-in and Discord's, faults scripted at the provider's edge. Polls and
 * downloads refused with 429/503 wait as long as Retry-After asks (measured as a lower bound);
 * status answers off the protocol are asked again, a good answer ending the run, and only a run of
 * MALFORMED_POLLS_MAX ends the job (its unit given back); a download refused with 403/404/410 asks
 * the same task for a link again. Never a second create call.
 */

const CLOCK_SLACK_MS = 5;
/** Seeds of the random garbage runs: provider i uses SEED + i. */
const SEED = 7_031;
const RANDOM_JOBS = 2;

let discord: DiscordStandIn;
let users = 0;
const nextUser = () => `81234567890177${String(++users).padStart(4, '0')}`;

beforeAll(async () => {
	discord = await startDiscordStandIn();
});
afterAll(async () => {
	await closeAll(discord);
});

interface Scene {
	readonly driver: ProviderDriver;
	readonly harness: Harness;
	/** A job for a new user on this provider. */
	job(lastAttempt?: boolean): Promise<{ job: TestJob; user: string }>;
}

/** A stand-in and a harness of its own, so the providers' cases run side by side. */
async function scene(label: DriverLabel, generationMs: number, run: (scene: Scene) => Promise<void>): Promise<void> {
	const driver = await startDriver(label, generationMs);
	const harness = await startHarness({ discord, providers: [driver.build()] });
	try {
		await run({
			driver,
			harness,
			async job(lastAttempt = true) {
				const user = nextUser();
				const job = await harness.job({ userId: user, provider: driver.provider, model: driver.model, lastAttempt });
				return { job, user };
			},
		});
	} finally {
		await harness.close();
		await driver.close();
	}
}

const clipOf = (job: TestJob) =>
	discord.original(job.token)?.attachments.find((file) => file.filename.endsWith('.mp4'))?.data;
const shown = (job: TestJob) => discord.original(job.token)?.content ?? '';

/** Runs the job and checks it delivered the provider's exact bytes after exactly one create call. */
async function delivers(scene: Scene, job: TestJob, user: string, what: string): Promise<void> {
	const creates = scene.driver.faults.arrivals.create.length;
	const thrown = await scene.harness.run(job);
	expect(thrown, what).toBeUndefined();
	expect(clipOf(job)?.equals(scene.driver.video), what).toBe(true);
	expect(scene.driver.faults.arrivals.create.length - creates, what).toBe(1);
	expect(await scene.harness.used(user), what).toBe(1);
}

describe.concurrent.each(DRIVER_LABELS)('%s: a paid clip is never thrown away', (label: DriverLabel) => {
	it('polls and downloads refused with 429/503 wait out Retry-After (seconds, then a date), and the clip arrives', () =>
		scene(label, 150, async (s) => {
			const { faults } = s.driver;
			for (const [pollStatus, downloadStatus] of [
				[429, 503],
				[503, 429],
			] as const) {
				const { job, user } = await s.job();
				const date = retryAt(1);
				faults.script('poll', refusal(s.driver, pollStatus, { seconds: 1 }));
				faults.script('download', refusal(s.driver, downloadStatus, { date: date.header }));
				const polls = faults.arrivals.poll.length;
				const downloads = faults.arrivals.download.length;
				const what = `poll ${pollStatus} (1 s), download ${downloadStatus} (a date)`;
				await delivers(s, job, user, what);
				const [refusedPoll = 0, nextPoll = 0] = faults.arrivals.poll.slice(polls);
				expect(nextPoll - refusedPoll, what).toBeGreaterThanOrEqual(1000 - CLOCK_SLACK_MS);
				const [, nextDownload = 0] = faults.arrivals.download.slice(downloads);
				expect(nextDownload, what).toBeGreaterThanOrEqual(date.notBefore - CLOCK_SLACK_MS);
			}
		}));

	it(`runs of malformed status answers shorter than ${MALFORMED_POLLS_MAX}, a good answer between them, end in the clip (the table, then seeded runs)`, () =>
		// Slow tasks, so a good answer between two runs is still "pending" and the runs all happen.
		scene(label, 4_000, async (s) => {
			const { faults } = s.driver;
			const runs: Array<[string, ScriptedAnswer[][]]> = [];
			const table = (taskId: string) => malformedAnswers(s.driver, taskId).map(([, answer]) => answer);
			runs.push(['the table, in runs of four', []]);
			const seed = SEED + DRIVER_LABELS.indexOf(label);
			for (let i = 0; i < RANDOM_JOBS; i++) runs.push([`seed ${seed}, job ${i}`, []]);
			const random = seeded(seed);
			for (const [what] of runs) {
				const { job, user } = await s.job();
				// The task id is known once submitted; garbage only needs the shape, so any id does.
				const answers = what.startsWith('the table')
					? table('f0e1d2c3-0000-4000-8000-000000000000')
					: Array.from({ length: 4 + Math.floor(random() * 6) }, () =>
							randomMalformed(random, s.driver, 'f0e1d2c3-0000-4000-8000-000000000000'),
						);
				const script: Array<ScriptedAnswer | typeof PASS> = [];
				for (let at = 0; at < answers.length;) {
					const run = what.startsWith('the table') ? 4 : 1 + Math.floor(random() * (MALFORMED_POLLS_MAX - 1));
					script.push(...answers.slice(at, at + run), PASS);
					at += run;
				}
				faults.script('poll', ...script);
				await delivers(s, job, user, what);
				expect(faults.pending('poll'), what).toBe(0);
			}
		}));

	it(`a run of ${MALFORMED_POLLS_MAX} malformed status answers ends the job in its words, the unit given back, one create`, () =>
		scene(label, 1_500, async (s) => {
			const { job, user } = await s.job();
			const answers = malformedAnswers(s.driver, 'x').filter(([, answer]) => answer.truncated !== true);
			s.driver.faults.script('poll', ...answers.slice(0, MALFORMED_POLLS_MAX).map(([, answer]) => answer));
			const creates = s.driver.faults.arrivals.create.length;
			expect(await s.harness.run(job)).toBeInstanceOf(PermanentJobError);
			expect(shown(job)).toBe(english.failed('malformed', { prompt: job.data.request.prompt, model: job.data.model }));
			expect(await s.harness.used(user)).toBe(0);
			expect(s.driver.faults.arrivals.create.length - creates).toBe(1);
			expect((await s.harness.stores.records.get(job.data.interaction.id))?.state).toBe('failed');
		}));

	it('a download refused with 403, 404 or 410 asks the same task for a link again, and the clip arrives', () =>
		scene(label, 150, async (s) => {
			const { faults } = s.driver;
			for (const statuses of [[403], [404], [410], [404, 410, 403]]) {
				const what = `download refused with ${statuses.join(', ')}`;
				const { job, user } = await s.job();
				// Each refusal must ask the task again: MiniMax v1 reads its file again (a newly signed
				// link); the others query the task. Counted from the first refusal on.
				const asked = s.driver.label === 'minimax' ? faults.arrivals.result : faults.arrivals.poll;
				let before = Number.NaN;
				faults.script(
					'download',
					...statuses.map((status, i) => ({
						status,
						body: 'AccessDenied',
						...(i === 0 ? { then: () => (before = asked.length) } : {}),
					})),
				);
				const downloads = faults.arrivals.download.length;
				await delivers(s, job, user, what);
				expect(faults.arrivals.download.length - downloads, what).toBe(statuses.length + 1);
				expect(asked.length - before, what).toBe(statuses.length);
			}
		}));

	it('a refused link whose task answers garbled, then 503 with Retry-After, when asked again: asked until it gives the link', () =>
		scene(label, 150, async (s) => {
			const { faults } = s.driver;
			const { job, user } = await s.job();
			const polls = faults.arrivals.poll;
			let busyAt = Number.NaN;
			const html = { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>502</html>' };
			const busy = { ...refusal(s.driver, 503, { seconds: 1 }), then: () => (busyAt = polls.length) };
			// Scripted the moment the link is refused, so the answers go to the refresh, not to polling.
			faults.script('download', { status: 403, then: () => faults.script('poll', html, busy) });
			await delivers(s, job, user, 'a garbled answer, then a 503 with Retry-After: 1, then the link');
			expect(faults.pending('poll')).toBe(0);
			const [refusedAt = 0, askedAgain = 0] = polls.slice(busyAt - 1, busyAt + 1);
			expect(askedAgain - refusedAt).toBeGreaterThanOrEqual(1000 - CLOCK_SLACK_MS);
		}));

	it(`a link refused past ${MAX_LINK_REFRESHES} fresh ones: retried while attempts remain, then link-expired with the unit given back`, () =>
		scene(label, 150, async (s) => {
			const refusals = () =>
				Array.from({ length: MAX_LINK_REFRESHES + 1 }, (_, i) => ({ status: [403, 404, 410][i % 3] ?? 403 }));
			const early = await s.job(false);
			s.driver.faults.script('download', ...refusals());
			const thrown = await s.harness.run(early.job);
			expect(thrown instanceof ProviderError && thrown.failure).toBe('link-expired');
			expect(await s.harness.used(early.user)).toBe(1);

			const last = await s.job(true);
			s.driver.faults.script('download', ...refusals());
			const creates = s.driver.faults.arrivals.create.length;
			expect(await s.harness.run(last.job)).toBeInstanceOf(PermanentJobError);
			expect(shown(last.job)).toBe(
				english.failed('link-expired', { prompt: last.job.data.request.prompt, model: last.job.data.model }),
			);
			expect(await s.harness.used(last.user)).toBe(0);
			expect(s.driver.faults.arrivals.create.length - creates).toBe(1);
		}));
});

describe(`a run of malformed status answers lasting ${MALFORMED_RUN_MAX_MS / 60_000} minutes`, () => {
	it('ends the job however few they are (a long poll interval), the unit given back', async () => {
		const driver = await startDriver('minimax', 5_000);
		// The processor's clock jumps a minute at each garbled answer; the real wait stays short.
		let skew = 0;
		const harness = await startHarness({
			discord,
			providers: [driver.build()],
			now: () => Date.now() + skew,
			generationTimeoutMs: 60 * 60_000,
		});
		try {
			const user = nextUser();
			const job = await harness.job({ userId: user, provider: 'minimax', model: driver.model });
			const garbled = { status: 200, body: '<html>502</html>', then: () => (skew += 61_000) };
			driver.faults.script('poll', garbled, garbled, garbled, garbled);
			const polls = driver.faults.arrivals.poll.length;
			expect(await harness.run(job)).toBeInstanceOf(PermanentJobError);
			// The third answer came more than two minutes after the first: the run ends there, short of five.
			expect(driver.faults.arrivals.poll.length - polls).toBe(3);
			expect(driver.faults.pending('poll')).toBe(1);
			expect(shown(job)).toBe(english.failed('malformed', { prompt: job.data.request.prompt, model: job.data.model }));
			expect(await harness.used(user)).toBe(0);
		} finally {
			await harness.close();
			await driver.close();
		}
	});
});

describe('Replicate: an output deleted (1 h retention) when its link is refused', () => {
	it('cannot be fetched again: link-expired in its words, the unit given back, never a second prediction', () =>
		scene('replicate', 150, async (s) => {
			const { job, user } = await s.job();
			const expire = () => s.driver.expireOutputs?.();
			s.driver.faults.script('download', { status: 404, body: { detail: 'Not found.' }, then: expire });
			const creates = s.driver.faults.arrivals.create.length;
			expect(await s.harness.run(job)).toBeInstanceOf(PermanentJobError);
			expect(shown(job)).toBe(
				english.failed('link-expired', { prompt: job.data.request.prompt, model: job.data.model }),
			);
			expect(await s.harness.used(user)).toBe(0);
			expect(s.driver.faults.arrivals.create.length - creates).toBe(1);
		}));
});

describe('a create call answered unreadably', () => {
	it.each(DRIVER_LABELS)('%s: outcome-unknown, never sent again, the admins told once, the unit given back', (label) =>
		scene(label, 150, async (s) => {
			const { job, user } = await s.job();
			const html = '<html><body>502 Bad Gateway</body></html>';
			s.driver.faults.script('create', { status: 200, headers: { 'content-type': 'text/html' }, body: html });
			const creates = s.driver.faults.arrivals.create.length;
			const alerts = discord.channelMessages(discord.channelId).length;
			expect(await s.harness.run(job)).toBeInstanceOf(PermanentJobError);
			expect(s.driver.faults.arrivals.create.length - creates).toBe(1);
			expect(shown(job)).toBe(
				// The harness sets an admin channel, and this class alerts: the user is told the admins know.
				english.failed('outcome-unknown', { prompt: job.data.request.prompt, model: job.data.model }, true),
			);
			expect(await s.harness.used(user)).toBe(0);
			const told = discord.channelMessages(discord.channelId).slice(alerts);
			expect(told.filter((message) => message.content.includes(job.data.interaction.id))).toHaveLength(1);
		}),
	);
});
