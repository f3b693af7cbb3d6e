import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startVideoWorker, VideoJobs, type VideoJob, type VideoJobData } from '../../src/jobs/index.js';
import { createLogger } from '../../src/log.js';
import { Rounds } from '../../src/store/rounds.js';
import { cleanPrefix, connect, uniquePrefix } from '../helpers/redis.js';

const job = (interactionId: string, userId = '812345678901240003'): VideoJobData => ({
	v: 1,
	interaction: {
		id: interactionId,
		applicationId: '1573597093061328896',
		token: 'token',
		channelId: '1573597093061328897',
		guildId: '1573597093061328898',
		userId,
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
		jobs = new VideoJobs(redis, prefix, new Rounds(redis, prefix));
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

	it('gives positions in the order jobs start, for a new job and for each waiting one', async () => {
		const ids = ['1573597115819622410', '1573597115819622411', '1573597115819622412'];
		expect(await jobs.positionForNew('812345678901240003')).toBe(1);
		for (const id of ids) await jobs.enqueue(job(id));
		expect(await jobs.positionForNew('812345678901240003')).toBe(4);
		expect(await Promise.all(ids.map((id) => jobs.positionOf(id)))).toEqual([1, 2, 3]);
		const line = await jobs.waitingInOrder(2);
		expect(line.map(({ data, position }) => [data.interaction.id, position])).toEqual([
			[ids[0], 1],
			[ids[1], 2],
		]);
		expect(await jobs.positionOf('1573597115819622499')).toBeUndefined();
	});

	it('starts waiting jobs round-robin between users, not in arrival order, and says so in positions', async () => {
		const [alice, bob, carol] = ['812345678901240010', '812345678901240011', '812345678901240012'];
		const aliceJobs = ['1573597115819622430', '1573597115819622431', '1573597115819622432'];
		for (const id of aliceJobs) await jobs.enqueue(job(id, alice));
		// Bob arrives after all of Alice's jobs: his first is in her first's round.
		expect(await jobs.positionForNew(bob)).toBe(2);
		await jobs.enqueue(job('1573597115819622440', bob));
		await jobs.enqueue(job('1573597115819622441', bob));
		await jobs.enqueue(job('1573597115819622450', carol));
		const order = (await jobs.waitingInOrder(10)).map(({ data }) => data.interaction.id);
		expect(order).toEqual([
			aliceJobs[0],
			'1573597115819622440',
			'1573597115819622450',
			aliceJobs[1],
			'1573597115819622441',
			aliceJobs[2],
		]);
		expect(await jobs.positionOf('1573597115819622450')).toBe(3);
		expect((await jobs.allWaiting()).map(({ position }) => position)).toEqual([1, 2, 3, 4, 5, 6]);
	});

	it('counts the place a new job will take without listing the line, postponed jobs included', async () => {
		const users = ['812345678901240020', '812345678901240021', '812345678901240022', '812345678901240023'];
		// A job of round 2 postponed by a worker: it keeps its round, so it goes before later rounds.
		const first = '1573597115819622460';
		await jobs.enqueue(job(first, users[0]));
		await jobs.enqueue(job('1573597115819622461', users[0]));
		const connection = connect();
		let postponed = (): void => undefined;
		const worker = startVideoWorker({
			connection,
			prefix,
			concurrency: 1,
			lockMs: 5_000,
			logger: createLogger('silent', 'test'),
			process: (handle: VideoJob) => handle.postpone(60_000).finally(() => postponed()),
			onAbandoned: async () => undefined,
			render: async () => undefined,
			onRenderAbandoned: async () => undefined,
		});
		await new Promise<void>((resolve) => (postponed = resolve));
		await worker.close();
		connection.disconnect();
		expect(await jobs.positionOf(first)).toBe(1);
		// Then arrivals from four users in a mixed order: each lands where the count said it would.
		const order = [1, 1, 2, 0, 3, 1, 2, 2, 0, 3, 3, 1];
		for (const [i, u] of order.entries()) {
			const user = users[u] ?? '';
			const id = String(1573597115819622470n + BigInt(i));
			const expected = await jobs.positionForNew(user);
			await jobs.enqueue(job(id, user));
			expect(await jobs.positionOf(id)).toBe(expected);
		}
		expect(await jobs.positionOf(first)).toBeDefined();
	});

	it('counts rounds from 1 again past a million, but only while nothing waits', async () => {
		const priority = async (id: string) => Number(await redis.hget(`${prefix}:video:video-${id}`, 'priority'));
		await redis.set(`${prefix}:sched:round`, 1_000_005);
		await jobs.enqueue(job('1573597115819622480', '812345678901240030'));
		expect(await priority('1573597115819622480')).toBe(1);
		await redis.set(`${prefix}:sched:round`, 1_000_005);
		await jobs.enqueue(job('1573597115819622481', '812345678901240031'));
		expect(await priority('1573597115819622481')).toBe(1_000_005);
	});

	it('runs a postponed job again after the delay, and reports it as running meanwhile', async () => {
		const id = '1573597115819622420';
		await jobs.enqueue(job(id));
		const seen: number[] = [];
		const connection = connect();
		const states: string[] = [];
		const done = new Promise<void>((resolve) => {
			const worker = startVideoWorker({
				connection,
				prefix,
				concurrency: 1,
				lockMs: 5_000,
				logger: createLogger('silent', 'test'),
				process: async (handle: VideoJob) => {
					seen.push(Date.now());
					states.push(await jobs.state(id));
					if (seen.length === 1) await handle.postpone(300);
					resolve();
					await worker.close().catch(() => undefined);
				},
				onAbandoned: async () => undefined,
				render: async () => undefined,
				onRenderAbandoned: async () => undefined,
			});
		});
		await done;
		expect(seen).toHaveLength(2);
		expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(250);
		expect(states).toEqual(['running', 'running']);
		connection.disconnect();
	});
});
