import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { IntakeLog } from '../../src/store/intake.js';
import { Quota, QUOTA_WINDOW_MS, toMicros, type Holder, type Limits } from '../../src/store/quota.js';
import { intakeOf, openLimits } from '../helpers/quota.js';
import { cleanPrefix, connect, uniquePrefix } from '../helpers/redis.js';

const GUILD = '1573597093061328898';
const OTHER_GUILD = '1573597093061328999';

describe('units over a rolling 24 h: user, server and deployment in one step (real Redis)', () => {
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

	const holder = (userId: string, jobId: string, guildId: string | null = GUILD): Holder => ({
		jobId,
		userId,
		guildId,
	});
	const reserve = (quota: Quota, h: Holder, limits: Limits, expectedMicros = 0) =>
		quota.reserve(h, limits, expectedMicros, intakeOf(h));

	it('lets exactly the limit through when many commands arrive at the same moment', async () => {
		const quota = new Quota(redis, prefix);
		// Separate connections, so the reservations really race inside Redis.
		const racers = Array.from({ length: 20 }, () => connect());
		try {
			const results = await Promise.all(
				racers.map((connection, i) =>
					reserve(new Quota(connection, prefix), holder('user-1', `job-${i}`), openLimits(3)),
				),
			);
			expect(results.filter((r) => r.granted)).toHaveLength(3);
			expect((await quota.status('user-1', 3)).remaining).toBe(0);
			expect(await quota.guildUsage(GUILD)).toEqual({ clips: 3, micros: 0 });
			expect(await quota.globalUsed()).toBe(3);
		} finally {
			for (const connection of racers) connection.disconnect();
		}
	});

	it('says when the next unit frees up, and frees it once the oldest leaves the window', async () => {
		let now = 1_700_000_000_000;
		const quota = new Quota(redis, prefix, () => now);
		await reserve(quota, holder('u', 'a'), openLimits(2));
		now += 60_000;
		await reserve(quota, holder('u', 'b'), openLimits(2));
		const refused = await reserve(quota, holder('u', 'c'), openLimits(2));
		expect(refused).toEqual({
			granted: false,
			refusal: { limit: 'user', max: 2, nextFreeAt: 1_700_000_000_000 + QUOTA_WINDOW_MS },
		});
		expect(await quota.status('u', 2)).toEqual({
			used: 2,
			limit: 2,
			remaining: 0,
			nextFreeAt: 1_700_000_000_000 + QUOTA_WINDOW_MS,
		});

		now = 1_700_000_000_000 + QUOTA_WINDOW_MS + 1;
		expect((await reserve(quota, holder('u', 'c'), openLimits(2))).granted).toBe(true);
		expect((await quota.status('u', 2)).nextFreeAt).toBe(1_700_000_060_000 + QUOTA_WINDOW_MS);
		// The server's and the deployment's counts roll the same way.
		expect((await quota.guildUsage(GUILD)).clips).toBe(2);
		expect(await quota.globalUsed()).toBe(2);
	});

	it('gives a unit back once, everywhere, and counts a job only once however often it reserves', async () => {
		const quota = new Quota(redis, prefix);
		const job = holder('u', 'job');
		expect((await reserve(quota, job, openLimits(1))).granted).toBe(true);
		expect((await reserve(quota, job, openLimits(1))).granted).toBe(true);
		expect((await reserve(quota, holder('u', 'other'), openLimits(1))).granted).toBe(false);
		expect(await quota.release(job)).toBe(true);
		expect(await quota.release(job)).toBe(false);
		expect((await quota.status('u', 1)).remaining).toBe(1);
		expect(await quota.guildUsage(GUILD)).toEqual({ clips: 0, micros: 0 });
		expect(await quota.globalUsed()).toBe(0);
	});

	it('keeps users apart and refuses everything at a limit of 0', async () => {
		const quota = new Quota(redis, prefix);
		expect(await reserve(quota, holder('u', 'job'), openLimits(0))).toEqual({
			granted: false,
			refusal: { limit: 'user', max: 0, nextFreeAt: null },
		});
		expect((await reserve(quota, holder('u1', 'x'), openLimits(1))).granted).toBe(true);
		expect((await reserve(quota, holder('u2', 'y'), openLimits(1))).granted).toBe(true);
	});

	it('counts a server’s budget per server and the cap across all of them, and a refusal takes nothing', async () => {
		const quota = new Quota(redis, prefix);
		const limits = openLimits(10, { guildClips: 2, global: 3 });
		expect((await reserve(quota, holder('a', '1'), limits)).granted).toBe(true);
		expect((await reserve(quota, holder('b', '2'), limits)).granted).toBe(true);
		const overBudget = await reserve(quota, holder('c', '3'), limits);
		expect(overBudget).toMatchObject({ granted: false, refusal: { limit: 'guild-clips', max: 2 } });
		// Nothing of the refused request was kept: not the user's unit, not the deployment's.
		expect((await quota.status('c', 10)).used).toBe(0);
		expect(await quota.globalUsed()).toBe(2);

		expect((await reserve(quota, holder('c', '4', OTHER_GUILD), limits)).granted).toBe(true);
		const overCap = await reserve(quota, holder('d', '5', OTHER_GUILD), limits);
		expect(overCap).toMatchObject({ granted: false, refusal: { limit: 'global' } });
		expect((await quota.status('d', 10)).used).toBe(0);
		expect(await quota.guildUsage(OTHER_GUILD)).toEqual({ clips: 1, micros: 0 });
	});

	it('counts a dollar budget as recorded costs plus the expected price of unfinished jobs', async () => {
		const quota = new Quota(redis, prefix);
		const limits = openLimits(10, { guildMicros: toMicros(0.9) });
		const first = holder('a', '1');
		expect((await reserve(quota, first, limits, toMicros(0.5))).granted).toBe(true);
		expect(await reserve(quota, holder('b', '2'), limits, toMicros(0.5))).toMatchObject({
			granted: false,
			refusal: { limit: 'guild-dollars', maxMicros: 900_000 },
		});
		// Delivered for less than expected: its recorded cost replaces the expectation.
		await quota.commit(first, toMicros(0.3));
		expect(await quota.guildUsage(GUILD)).toEqual({ clips: 1, micros: 300_000 });
		expect((await reserve(quota, holder('b', '2'), limits, toMicros(0.5))).granted).toBe(true);
		expect(await quota.guildUsage(GUILD)).toEqual({ clips: 2, micros: 800_000 });
		// Given back: its money no longer counts.
		await quota.release(holder('b', '2'));
		expect(await quota.guildUsage(GUILD)).toEqual({ clips: 1, micros: 300_000 });
	});

	it('refuses past USER_MAX_QUEUED atomically, and a job stops waiting when it is admitted', async () => {
		const quota = new Quota(redis, prefix);
		const racers = Array.from({ length: 15 }, () => connect());
		let results: Awaited<ReturnType<typeof reserve>>[];
		try {
			results = await Promise.all(
				racers.map((connection, i) =>
					reserve(new Quota(connection, prefix), holder('u', `job-${i}`), openLimits(100, { waiting: 12 })),
				),
			);
			expect(results.filter((r) => r.granted)).toHaveLength(12);
			expect(results.filter((r) => !r.granted).map((r) => !r.granted && r.refusal.limit)).toEqual([
				'waiting',
				'waiting',
				'waiting',
			]);
			expect((await quota.status('u', 100)).used).toBe(12);
		} finally {
			for (const connection of racers) connection.disconnect();
		}
		// Which 12 won the race varies: only they wait (admitting a refused one would free no place).
		const granted = results.flatMap((result, i) => (result.granted ? [holder('u', `job-${i}`)] : []));
		const admitted = [];
		for (const job of granted) if (await quota.admit(job, 1, 60_000)) admitted.push(job.jobId);
		// One runs at a time (USER_MAX_ACTIVE=1); it no longer waits, so one more may be queued.
		expect(admitted).toHaveLength(1);
		expect((await reserve(quota, holder('u', 'one-more'), openLimits(100, { waiting: 12 }))).granted).toBe(true);
		// The running job passes again (a retry), and its end lets the next one start.
		expect(await quota.admit(holder('u', admitted[0] ?? ''), 1, 60_000)).toBe(true);
		await quota.commit(holder('u', admitted[0] ?? ''), undefined);
		expect(await quota.admit(holder('u', 'one-more'), 1, 60_000)).toBe(true);
	});

	it('keeps a reservation pending until its job is enqueued or given back', async () => {
		const quota = new Quota(redis, prefix);
		const intakes = new IntakeLog(redis, prefix);
		const kept = holder('u', 'kept');
		const given = holder('u', 'given');
		await reserve(quota, kept, openLimits(5));
		await reserve(quota, given, openLimits(5));
		expect((await intakes.pending()).map((p) => p.jobId).sort()).toEqual(['given', 'kept']);
		await intakes.enqueued(kept.jobId);
		await quota.release(given);
		expect(await intakes.pending()).toEqual([]);
		expect((await quota.status('u', 5)).used).toBe(1);
	});
});
