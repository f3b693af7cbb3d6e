import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { Quota, QUOTA_WINDOW_MS } from '../../src/store/quota.js';
import { cleanPrefix, connect, uniquePrefix } from '../helpers/redis.js';

describe('rolling 24 h quota (real Redis)', () => {
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

	it('lets exactly the limit through when many commands arrive at the same moment', async () => {
		const quota = new Quota(redis, prefix, 3);
		// Separate connections, so the reservations really race inside Redis.
		const racers = Array.from({ length: 20 }, () => connect());
		try {
			const results = await Promise.all(
				racers.map((connection, i) => new Quota(connection, prefix, 3).reserve('user-1', `job-${i}`)),
			);
			expect(results.filter((r) => r.granted)).toHaveLength(3);
			expect((await quota.status('user-1')).remaining).toBe(0);
		} finally {
			for (const connection of racers) connection.disconnect();
		}
	});

	it('says when the next unit frees up, and frees it once the oldest leaves the window', async () => {
		let now = 1_700_000_000_000;
		const quota = new Quota(redis, prefix, 2, () => now);
		await quota.reserve('u', 'a');
		now += 60_000;
		await quota.reserve('u', 'b');
		const refused = await quota.reserve('u', 'c');
		expect(refused).toEqual({ granted: false, used: 2, limit: 2, nextFreeAt: 1_700_000_000_000 + QUOTA_WINDOW_MS });
		expect(await quota.status('u')).toEqual({
			used: 2,
			limit: 2,
			remaining: 0,
			nextFreeAt: 1_700_000_000_000 + QUOTA_WINDOW_MS,
		});

		now = 1_700_000_000_000 + QUOTA_WINDOW_MS + 1;
		expect((await quota.reserve('u', 'c')).granted).toBe(true);
		expect((await quota.status('u')).nextFreeAt).toBe(1_700_000_060_000 + QUOTA_WINDOW_MS);
	});

	it('gives a unit back once, and counts a job only once however often it reserves', async () => {
		const quota = new Quota(redis, prefix, 1);
		expect((await quota.reserve('u', 'job')).granted).toBe(true);
		expect((await quota.reserve('u', 'job')).granted).toBe(true);
		expect((await quota.reserve('u', 'other')).granted).toBe(false);
		expect(await quota.release('u', 'job')).toBe(true);
		expect(await quota.release('u', 'job')).toBe(false);
		expect((await quota.status('u')).remaining).toBe(1);
	});

	it('keeps users apart and refuses everything at a limit of 0', async () => {
		const quota = new Quota(redis, prefix, 0);
		expect(await quota.reserve('u', 'job')).toEqual({ granted: false, used: 0, limit: 0, nextFreeAt: null });
		const other = new Quota(redis, prefix, 1);
		expect((await other.reserve('u1', 'x')).granted).toBe(true);
		expect((await other.reserve('u2', 'y')).granted).toBe(true);
	});
});
