import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, RETRY_AFTER_CAP_MS, retryAfterMs } from '../../src/providers/errors.js';
import { MAX_WAIT_IN_CALL_MS } from '../../src/providers/http.js';
import type { SubmitInput, VideoProvider } from '../../src/providers/types.js';
import { failureOf, submitTask } from '../helpers/provider.js';
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

/**
 * Every paid provider's client against its stand-in, with the faults scripted the same way on
 * each: refusals that ask for a wait (429 and 503, Retry-After in seconds and as an HTTP date) on
 * the create call and the status query, and status answers that break the protocol (a table of
 * the kinds gateways send, then seeded random garbage). Waits are asserted as lower bounds only:
 * how fast things go is the bench's business.
 */

/** Date.now() and the timers' clock may differ by a millisecond or two; nothing here is that precise. */
const CLOCK_SLACK_MS = 5;
const RANDOM_SEED = 20_261_204;
const RANDOM_MALFORMED = 60;

const request = { prompt: 'a lighthouse in a storm', camera: [], directed: false };
const inputOf = (driver: ProviderDriver): SubmitInput => ({ model: driver.model, request });

type Wait = { seconds: number } | { date: string; notBefore: number };
const waits = (): Array<[string, 429 | 503, () => Wait]> => [
	['429, Retry-After: 1', 429, () => ({ seconds: 1 })],
	['503, Retry-After: 1', 503, () => ({ seconds: 1 })],
	['429, Retry-After as an HTTP date', 429, () => ({ ...dateIn(1) })],
	['503, Retry-After as an HTTP date', 503, () => ({ ...dateIn(1) })],
];
const dateIn = (seconds: number) => {
	const at = retryAt(seconds);
	return { date: at.header, notBefore: at.notBefore };
};

/** Runs a case against a stand-in of its own, so cases of every provider run side by side. */
async function withDriver(label: DriverLabel, run: (driver: ProviderDriver, provider: VideoProvider) => Promise<void>) {
	const driver = await startDriver(label, 100);
	try {
		await run(driver, driver.build());
	} finally {
		await driver.close();
	}
}

describe.concurrent.each(DRIVER_LABELS)('%s: faults scripted on its stand-in', (label: DriverLabel) => {
	it('create: a 429 or 503 with Retry-After (seconds or a date) is sent again no sooner than asked, and makes one task', () =>
		withDriver(label, async (driver, provider) => {
			for (const [what, status, wait] of waits()) {
				const asked = wait();
				driver.faults.script('create', refusal(driver, status, asked));
				const arrivals = driver.faults.arrivals.create;
				const before = arrivals.length;
				const submission = await provider.submit(inputOf(driver));
				expect(submission.kind, what).toBe('task');
				expect(arrivals.length - before, what).toBe(2);
				const [refused = 0, sentAgain = 0] = arrivals.slice(before);
				const notBefore = 'seconds' in asked ? refused + asked.seconds * 1000 : asked.notBefore;
				expect(sentAgain, what).toBeGreaterThanOrEqual(notBefore - CLOCK_SLACK_MS);
			}
		}));

	it('poll: a 429 or 503 with Retry-After (seconds or a date) is a passing failure that carries the wait', () =>
		withDriver(label, async (driver, provider) => {
			const taskId = await submitTask(provider, inputOf(driver));
			for (const [what, status, wait] of waits()) {
				const asked = wait();
				driver.faults.script('poll', refusal(driver, status, asked));
				const error = await failureOf(() => provider.poll(taskId));
				expect(error.retryable, what).toBe(true);
				expect(error.failure, what).toBe(status === 429 ? 'rate-limited' : 'unavailable');
				const least = 'seconds' in asked ? asked.seconds * 1000 : asked.notBefore - Date.now();
				expect(error.details.retryAfterMs, what).toBeGreaterThanOrEqual(least - CLOCK_SLACK_MS);
			}
			expect(driver.faults.pending('poll')).toBe(0);
		}));

	it(`status answers off the protocol (a table, then ${RANDOM_MALFORMED} of seed ${RANDOM_SEED}) are malformed, never a task's end`, () =>
		withDriver(label, async (driver, provider) => {
			const taskId = await submitTask(provider, inputOf(driver));
			const random = seeded(RANDOM_SEED);
			const cases = [
				...malformedAnswers(driver, taskId),
				...Array.from(
					{ length: RANDOM_MALFORMED },
					(_, i) => [`random #${i}`, randomMalformed(random, driver, taskId)] as const,
				),
			];
			let malformed = 0;
			for (const [what, answer] of cases) {
				driver.faults.script('poll', answer);
				const outcome = await provider.poll(taskId).then(
					(status) => status.state,
					(error: unknown) => error,
				);
				// A garbled answer must never read as the task's end: that would throw away a paid clip.
				// It is malformed; a body cut off in flight may also read as no answer at all (network).
				if (outcome instanceof ProviderError) {
					const cut = answer.truncated === true && outcome.failure === 'network';
					expect(cut ? 'malformed' : outcome.failure, what).toBe('malformed');
					malformed++;
				} else expect(outcome, `${what}: ${String(outcome)}`).toBe('pending');
			}
			// Only Runware reads an answer without our task as "not registered yet".
			if (label !== 'runware') expect(malformed).toBe(cases.length);
			else expect(malformed).toBeGreaterThan(cases.length / 2);
			// And the task is still there to follow.
			expect(['pending', 'succeeded']).toContain((await provider.poll(taskId)).state);
		}));
});

describe('MiniMax: a rate limit told in a 200 answer (base_resp 1002)', () => {
	let driver: ProviderDriver;
	beforeAll(async () => {
		driver = await startDriver('minimax', 100);
	});
	afterAll(async () => driver?.close());
	const limited = (headers: Record<string, string> = {}) => ({
		status: 200,
		headers,
		body: { task_id: '', base_resp: { status_code: 1002, status_msg: 'rate limit' } },
	});

	it('honours a Retry-After sent with it, on the create call and the query', async () => {
		const provider = driver.build();
		driver.faults.script('create', limited({ 'retry-after': '1' }));
		const arrivals = driver.faults.arrivals.create;
		const before = arrivals.length;
		const taskId = await submitTask(provider, inputOf(driver));
		const [refused = 0, sentAgain = 0] = arrivals.slice(before);
		expect(arrivals.length - before).toBe(2);
		expect(sentAgain - refused).toBeGreaterThanOrEqual(1000 - CLOCK_SLACK_MS);
		driver.faults.script('poll', limited({ 'retry-after': '2' }));
		const error = await failureOf(() => provider.poll(taskId));
		expect([error.failure, error.details.retryAfterMs]).toEqual(['rate-limited', 2000]);
	});

	it('without one, still waits half the backoff at least (never at once), and makes one task', async () => {
		const provider = driver.build();
		driver.faults.script('create', limited());
		const arrivals = driver.faults.arrivals.create;
		const before = arrivals.length;
		await submitTask(provider, inputOf(driver));
		const [refused = 0, sentAgain = 0] = arrivals.slice(before);
		expect(arrivals.length - before).toBe(2);
		// MiniMax's create backoff starts at 2 s; a rate limit waits at least half of it.
		expect(sentAgain - refused).toBeGreaterThanOrEqual(1000 - CLOCK_SLACK_MS);
	});

	it('a create call asked to wait longer than one call may is not held: the error goes up with its wait', async () => {
		const provider = driver.build();
		const seconds = MAX_WAIT_IN_CALL_MS / 1000 + 1;
		driver.faults.script('create', {
			status: 429,
			headers: { 'retry-after': String(seconds) },
			body: driver.errorBody(429),
		});
		const before = driver.faults.arrivals.create.length;
		const error = await failureOf(() => provider.submit(inputOf(driver)));
		expect([error.failure, error.details.retryAfterMs]).toEqual(['rate-limited', seconds * 1000]);
		expect(driver.faults.arrivals.create.length - before).toBe(1);
	});
});

describe('Retry-After as read', () => {
	it.each([
		['0', 0],
		['1', 1000],
		['  3 ', 3000],
		['-5', 0],
		['86400', RETRY_AFTER_CAP_MS],
		['soon', undefined],
		['', undefined],
	])('%j reads as %j ms', (header, ms) => {
		expect(retryAfterMs(header)).toBe(ms);
	});

	it('reads an HTTP date as the time left until it, never less than zero, capped', () => {
		const now = Date.parse('Fri, 04 Dec 2026 22:00:00 GMT');
		expect(retryAfterMs('Fri, 04 Dec 2026 22:00:07 GMT', now)).toBe(7000);
		expect(retryAfterMs('Fri, 04 Dec 2026 21:59:00 GMT', now)).toBe(0);
		expect(retryAfterMs('Sat, 05 Dec 2026 22:00:00 GMT', now)).toBe(RETRY_AFTER_CAP_MS);
	});
});
