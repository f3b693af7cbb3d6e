import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { MinimaxProvider } from '../../src/providers/minimax.js';
import { ProviderLimits, type ProviderLimitSettings } from '../../src/store/limits.js';
import { ProviderBusyError, limitProvider } from '../../src/worker/limits.js';
import type { VideoRequest } from '../../src/video/request.js';
import { untilDone } from '../helpers/provider.js';
import { seeded } from '../helpers/random.js';
import { cleanPrefix, connect, uniquePrefix } from '../helpers/redis.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';

const MINUTE = 60_000;
const rate = (rpm: number): ProviderLimitSettings => ({ rpm, windowMs: MINUTE, leaseMs: 10 * MINUTE });

/** The most timestamps in any window of `windowMs` (a window may start anywhere). */
function busiestWindow(times: readonly number[], windowMs: number): number {
	const sorted = [...times].sort((a, b) => a - b);
	let most = 0;
	for (let start = 0, end = 0; start < sorted.length; start++) {
		while (end < sorted.length && (sorted[end] ?? 0) < (sorted[start] ?? 0) + windowMs) end++;
		most = Math.max(most, end - start);
	}
	return most;
}

describe('provider limits across workers (real Redis)', () => {
	let redis: Redis;
	let prefix: string;

	beforeEach(() => {
		redis = connect();
		prefix = uniquePrefix();
	});
	afterEach(async () => {
		await cleanPrefix(redis, prefix);
		redis.disconnect();
	});

	it('counts create calls in a sliding window: four at 0:59 leave no room at 1:00, as a fixed window would', async () => {
		let now = 1_700_000_000_000;
		const limits = new ProviderLimits(redis, prefix, () => now);
		const start = now;
		expect((await limits.acquire('minimax', 'a', rate(4))).granted).toBe(true);
		now = start + 59_000;
		for (const lease of ['b', 'c', 'd']) expect((await limits.acquire('minimax', lease, rate(4))).granted).toBe(true);
		expect(await limits.acquire('minimax', 'e', rate(4))).toEqual({ granted: false, retryAfterMs: 1_000 });

		// 1:00.5 starts a new minute on the clock, but three calls of the last 60 s are still in it.
		now = start + 60_500;
		expect((await limits.acquire('minimax', 'e', rate(4))).granted).toBe(true);
		expect(await limits.acquire('minimax', 'f', rate(4))).toEqual({ granted: false, retryAfterMs: 58_500 });
		now = start + 119_000;
		expect((await limits.acquire('minimax', 'f', rate(4))).granted).toBe(true);
		expect((await limits.usage('minimax', MINUTE)).creates).toBe(2);
	});

	it('never lets more than the limit through in any 60 s, for callers racing from many connections', async () => {
		const random = seeded(8);
		let now = 1_700_000_000_000;
		const connections = Array.from({ length: 6 }, () => connect());
		const racers = connections.map((connection) => new ProviderLimits(connection, prefix, () => now));
		const granted: number[] = [];
		try {
			for (let step = 0; step < 300; step++) {
				now += Math.floor(random() * 4_000);
				const results = await Promise.all(
					racers.map((limits, i) => limits.acquire('minimax', `call-${step}-${i}`, rate(4))),
				);
				for (const result of results) if (result.granted) granted.push(now);
			}
		} finally {
			for (const connection of connections) connection.disconnect();
		}
		expect(busiestWindow(granted, MINUTE)).toBe(4);
		// And it used what it was allowed: about four per minute over the ten minutes simulated.
		expect(granted.length).toBeGreaterThanOrEqual(Math.floor((now - 1_700_000_000_000) / MINUTE) * 4);
	});

	it('holds tasks at once across connections, frees a slot when its task ends, and forgets a lost one', async () => {
		let now = 1_700_000_000_000;
		const settings = { concurrency: 2, windowMs: MINUTE, leaseMs: 30_000 };
		const connections = Array.from({ length: 5 }, () => connect());
		const racers = connections.map((connection) => new ProviderLimits(connection, prefix, () => now));
		const held: string[] = [];
		try {
			const results = await Promise.all(racers.map((limits, i) => limits.acquire('fal', `lease-${i}`, settings)));
			held.push(...results.flatMap((result, i) => (result.granted ? [`lease-${i}`] : [])));
			expect(held).toHaveLength(2);
			// Refused for tasks at once: only a task ending frees a slot, so no time is promised.
			expect(results.find((r) => !r.granted)).toEqual({ granted: false, retryAfterMs: null });
		} finally {
			for (const connection of connections) connection.disconnect();
		}
		const limits = new ProviderLimits(redis, prefix, () => now);
		await limits.rename('fal', held[0] ?? '', 'task-1', 30_000);
		expect((await limits.acquire('fal', 'x', settings)).granted).toBe(false);
		await limits.release('fal', 'task-1');
		expect((await limits.acquire('fal', 'x', settings)).granted).toBe(true);
		// A slot nobody gives back (a crash) is freed after its lease.
		now += 31_000;
		expect((await limits.usage('fal', MINUTE)).tasks).toBe(0);
		expect((await limits.acquire('fal', 'y', settings)).granted).toBe(true);
	});

	it('takes both limits in one step: a call refused for tasks at once does not count against the rate', async () => {
		const limits = new ProviderLimits(redis, prefix);
		const settings = { rpm: 3, concurrency: 1, windowMs: MINUTE, leaseMs: MINUTE };
		expect((await limits.acquire('replicate', 'a', settings)).granted).toBe(true);
		for (let i = 0; i < 5; i++) expect((await limits.acquire('replicate', `b${i}`, settings)).granted).toBe(false);
		expect((await limits.usage('replicate', MINUTE)).creates).toBe(1);
	});
});

describe('a provider behind its limits, against the MiniMax stand-in', () => {
	let redis: Redis;
	let prefix: string;
	let standIn: MinimaxStandIn;
	const request: VideoRequest = { prompt: 'a fox in the snow', camera: [], directed: false };

	beforeEach(async () => {
		redis = connect();
		prefix = uniquePrefix();
		standIn = await startMinimaxStandIn({ generationMs: 300 });
	});
	afterEach(async () => {
		await standIn.close();
		await cleanPrefix(redis, prefix);
		redis.disconnect();
	});

	it('refuses a create call over CONCURRENCY without calling the provider, until a task ends', async () => {
		const provider = limitProvider(new MinimaxProvider({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl }), {
			limits: new ProviderLimits(redis, prefix),
			settings: { concurrency: 1, windowMs: MINUTE, leaseMs: MINUTE },
			busyRetryMs: 1_234,
		});
		const first = await provider.submit({ model: 'T2V-01', request });
		if (first.kind !== 'task') throw new Error('expected a task');
		const busy = await provider.submit({ model: 'T2V-01', request }).catch((error: unknown) => error);
		expect(busy).toBeInstanceOf(ProviderBusyError);
		expect((busy as ProviderBusyError).retryAfterMs).toBe(1_234);
		expect(standIn.creates).toHaveLength(1);
		expect((await untilDone(provider, first.taskId)).state).toBe('succeeded');
		await provider.submit({ model: 'T2V-01', request });
		expect(standIn.creates).toHaveLength(2);
	});

	it('frees the slot of a task whose polling stopped early (a time-out, a cancel)', async () => {
		standIn.generationMs = 60_000;
		const provider = limitProvider(new MinimaxProvider({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl }), {
			limits: new ProviderLimits(redis, prefix),
			settings: { concurrency: 1, windowMs: MINUTE, leaseMs: 10 * MINUTE },
			busyRetryMs: 1_000,
		});
		const stuck = await provider.submit({ model: 'T2V-01', request });
		if (stuck.kind !== 'task') throw new Error('expected a task');
		await expect(provider.submit({ model: 'T2V-01', request })).rejects.toBeInstanceOf(ProviderBusyError);
		await provider.release?.(stuck.taskId);
		expect((await provider.submit({ model: 'T2V-01', request })).kind).toBe('task');
	});

	it('gives the slot back when the provider refuses the call, but counts the call against the rate', async () => {
		const limits = new ProviderLimits(redis, prefix);
		const provider = limitProvider(new MinimaxProvider({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl }), {
			limits,
			settings: { concurrency: 1, rpm: 2, windowMs: MINUTE, leaseMs: MINUTE },
			busyRetryMs: 1_000,
		});
		standIn.failNextCreate(2013, 'invalid params');
		await expect(provider.submit({ model: 'T2V-01', request })).rejects.toThrow();
		expect(await limits.usage('minimax', MINUTE)).toEqual({ creates: 1, tasks: 0 });
		await provider.submit({ model: 'T2V-01', request });
		const overRate = await provider.submit({ model: 'T2V-01', request }).catch((error: unknown) => error);
		expect(overRate).toBeInstanceOf(ProviderBusyError);
		expect(standIn.creates).toHaveLength(2);
	});
});
