import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { VideoJobs, type VideoJobData } from '../../src/jobs/index.js';
import { cleanPrefix, connect, uniquePrefix } from '../helpers/redis.js';

const job = (interactionId: string): VideoJobData => ({
	v: 1,
	interaction: {
		id: interactionId,
		applicationId: '1573597093061328896',
		token: 'token',
		channelId: '1573597093061328897',
		guildId: '1573597093061328898',
		userId: '812345678901240003',
		locale: 'en-US',
		createdAt: Date.now(),
		messageId: '1573597093061328899',
		attachmentSizeLimit: 10_485_760,
	},
	request: { prompt: 'a test', camera: [], directed: false },
	provider: 'minimax',
	model: 'T2V-01',
	failedOver: [],
	enqueuedAt: Date.now(),
});

describe('video jobs (real Redis)', () => {
	let redis: Redis;
	let prefix: string;
	let jobs: VideoJobs;

	beforeEach(() => {
		redis = connect();
		prefix = uniquePrefix();
		jobs = new VideoJobs(redis, prefix);
	});
	afterEach(async () => {
		await jobs.close();
		await cleanPrefix(redis, prefix);
		redis.disconnect();
	});

	it('enqueues any snowflake, including ones that survive a round trip through a double', async () => {
		// String(parseInt(id)) === id for this one, which BullMQ refuses as a custom id.
		const roundTrips = '1573597115819622400';
		expect(String(Number.parseInt(roundTrips, 10))).toBe(roundTrips);
		await jobs.enqueue(job(roundTrips));
		await jobs.enqueue(job('1573597115819622401'));
		expect(await jobs.state(roundTrips)).toBe('waiting');
		expect(await jobs.waiting()).toBe(2);
	});

	it('makes one job per interaction however often it is enqueued', async () => {
		await jobs.enqueue(job('1573597115819622402'));
		await jobs.enqueue(job('1573597115819622402'));
		expect(await jobs.waiting()).toBe(1);
	});

	it('refuses a payload that does not match the schema before it reaches Redis', async () => {
		const bad = { ...job('1573597115819622403'), model: 42 } as unknown as VideoJobData;
		await expect(jobs.enqueue(bad)).rejects.toThrow();
		expect(await jobs.state('1573597115819622403')).toBe('unknown');
	});
});
