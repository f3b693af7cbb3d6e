import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { EtaBook } from '../../src/store/eta.js';
import { textsFor } from '../../src/texts/index.js';
import { cleanPrefix, connect, uniquePrefix } from '../helpers/redis.js';

describe('ETA learned from recent jobs (real Redis)', () => {
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

	it('has no estimate until it has seen a few clips, then gives the median of the last 50', async () => {
		const book = new EtaBook(redis, prefix);
		await book.record('minimax', 'T2V-01', 100_000);
		await book.record('minimax', 'T2V-01', 300_000);
		expect(await book.estimate('minimax', 'T2V-01')).toBeUndefined();
		await book.record('minimax', 'T2V-01', 200_000);
		expect(await book.estimate('minimax', 'T2V-01')).toBe(200_000);
		for (let i = 0; i < 60; i++) await book.record('minimax', 'T2V-01', 90_000);
		expect(await book.estimate('minimax', 'T2V-01')).toBe(90_000);
		expect(await redis.llen(`${prefix}:eta:minimax:T2V-01`)).toBe(50);
		expect(await book.estimate('minimax', 'S2V-01')).toBeUndefined();
	});

	it('shows a bar, the time left, and never 100 % before the clip exists', () => {
		const texts = textsFor('en-US');
		const progress = { prompt: 'a fox', model: 'T2V-01' };
		expect(texts.generating(progress, 60_000, 'generating', 180_000)).toContain(
			'1m 00s elapsed, about 2m 00s left.\n▰▰▰▱▱▱▱▱▱▱ 33%',
		);
		expect(texts.generating(progress, 400_000, 'generating', 180_000)).toContain('any moment now.\n▰▰▰▰▰▰▰▰▰▰ 95%');
		expect(texts.generating(progress, 60_000, 'generating')).not.toContain('▰');
	});
});
