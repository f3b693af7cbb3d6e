import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { FAILURE_POLICY, type FailureClass } from '../../src/failures.js';
import { createSettle, type Outcome, type Settle, type Settled } from '../../src/generation/settle.js';
import { IntakeLog } from '../../src/store/intake.js';
import { JobRecords, type JobRecord } from '../../src/store/job-records.js';
import { Ledger } from '../../src/store/ledger.js';
import { MediaStore } from '../../src/store/media.js';
import { Quota } from '../../src/store/quota.js';
import { intakeOf, openLimits } from '../helpers/quota.js';
import { cleanPrefix, connect, uniquePrefix } from '../helpers/redis.js';

const USER = '812345678901249001';
const GUILD = '1573597093061328898';

describe('settle: the one place a job ends (real Redis)', () => {
	let redis: Redis;
	let prefix: string;
	let quota: Quota;
	let media: MediaStore;
	let records: JobRecords;
	let ledger: Ledger;
	let settle: Settle;
	let jobs = 0;

	beforeEach(() => {
		redis = connect();
		prefix = uniquePrefix();
		quota = new Quota(redis, prefix);
		media = new MediaStore(redis, prefix);
		records = new JobRecords(redis, prefix);
		ledger = new Ledger(redis, prefix);
		settle = createSettle({ quota, media, records, ledger });
	});
	afterEach(async () => {
		await cleanPrefix(redis, prefix);
		redis.disconnect();
	});

	/** A job as the intake leaves it: a reserved unit, a stored first frame and a queued record. */
	async function reservedJob(): Promise<Settled> {
		const jobId = `15735971158196${String(++jobs).padStart(5, '0')}`;
		const holder = { jobId, userId: USER, guildId: GUILD };
		expect((await quota.reserve(holder, openLimits(50), 500_000, intakeOf(holder))).granted).toBe(true);
		const key = media.key(jobId, 'first_frame');
		await media.put(key, Buffer.from('png bytes'));
		const record: JobRecord = {
			interactionId: jobId,
			userId: USER,
			guildId: GUILD,
			channelId: '1573597093061328897',
			messageId: '1573597093061328899',
			request: {
				prompt: 'a lighthouse',
				camera: [],
				directed: false,
				firstFrame: { key, contentType: 'image/png', bytes: 9, filename: 'first_frame' },
			},
			model: 'animatic',
			state: 'running',
			locale: 'en-US',
		};
		await records.save(record);
		return { jobId, userId: USER, guildId: record.guildId, imageKeys: [key] };
	}

	const used = async () => (await quota.status(USER, 50)).used;
	const ledgerRows = async () => ledger.rows(GUILD, 1, Date.now());
	const ttlOf = async (job: Settled) => redis.ttl(job.imageKeys[0] ?? '');
	const stateOf = async (job: Settled) => (await records.get(job.jobId))?.state;

	it('delivered: the unit stays spent, the images are kept a day, the record says done', async () => {
		const job = await reservedJob();
		const result = await settle(job, { kind: 'delivered', costUsd: 0.43 });
		expect(result).toEqual({ first: true, outcome: { kind: 'delivered', costUsd: 0.43, at: expect.any(Number) } });
		expect(await used()).toBe(1);
		// Its cost is recorded: in the ledger, and in the server's spending instead of the expected price.
		expect(await ledgerRows()).toEqual([
			expect.objectContaining({ userId: USER, clips: 1, micros: 430_000, unpriced: 0 }),
		]);
		expect(await quota.guildUsage(GUILD)).toEqual({ clips: 1, micros: 430_000 });
		expect(await new IntakeLog(redis, prefix).pending()).toEqual([]);
		expect(await ttlOf(job)).toBeLessThanOrEqual(24 * 3_600);
		expect(await ttlOf(job)).toBeGreaterThan(23 * 3_600);
		expect(await stateOf(job)).toBe('done');
	});

	it('failed: every failure class gives the unit back exactly as its policy row says', async () => {
		for (const failure of Object.keys(FAILURE_POLICY) as FailureClass[]) {
			const job = await reservedJob();
			const before = await used();
			await settle(job, { kind: 'failed', failure });
			expect(await used(), failure).toBe(FAILURE_POLICY[failure].refund ? before - 1 : before);
			expect(await stateOf(job), failure).toBe('failed');
			expect(await ttlOf(job)).toBeLessThanOrEqual(24 * 3_600);
		}
	});

	it('delivered without a known cost: counted in the ledger as a clip without a price', async () => {
		await settle(await reservedJob(), { kind: 'delivered' });
		expect(await ledgerRows()).toEqual([expect.objectContaining({ clips: 1, micros: 0, unpriced: 1 })]);
	});

	it('cancelled: the unit comes back everywhere and the record says cancelled', async () => {
		const job = await reservedJob();
		await settle(job, { kind: 'cancelled', by: USER });
		expect(await used()).toBe(0);
		expect(await quota.guildUsage(GUILD)).toEqual({ clips: 0, micros: 0 });
		expect(await quota.globalUsed()).toBe(0);
		expect(await ledgerRows()).toEqual([]);
		expect(await stateOf(job)).toBe('cancelled');
	});

	it('rolled back: the unit comes back and nothing of the job is kept', async () => {
		const job = await reservedJob();
		await settle(job, { kind: 'rolled-back' });
		expect(await used()).toBe(0);
		expect(await new IntakeLog(redis, prefix).pending()).toEqual([]);
		expect(await redis.exists(job.imageKeys[0] ?? '')).toBe(0);
		expect(await records.get(job.jobId)).toBeUndefined();
	});

	it('is idempotent by job id: a second call, with any outcome, changes nothing and reports the first', async () => {
		const outcomes: Outcome[] = [
			{ kind: 'delivered', costUsd: 0.25 },
			{ kind: 'failed', failure: 'timed-out' },
			{ kind: 'cancelled', by: USER },
			{ kind: 'rolled-back' },
		];
		for (const first of outcomes) {
			const job = await reservedJob();
			await settle(job, first);
			const afterFirst = { used: await used(), state: await stateOf(job), ttl: await ttlOf(job) };
			const rows = await ledgerRows();
			for (const second of outcomes) {
				const again = await settle(job, second);
				expect(again).toEqual({
					first: false,
					outcome: first.kind === 'delivered' ? { ...first, at: expect.any(Number) } : first,
				});
				expect({ used: await used(), state: await stateOf(job), ttl: await ttlOf(job) }).toEqual(afterFirst);
				// A delivered clip is in the ledger once, however often it is settled.
				expect(await ledgerRows()).toEqual(rows);
			}
		}
	});

	it('finishes the first outcome when a crash cut it off after the claim', async () => {
		const job = await reservedJob();
		// What a worker killed right after claiming leaves behind: the claim, and nothing else done.
		await records.claimSettlement(job.jobId, JSON.stringify({ kind: 'failed', failure: 'generation-failed' }));
		expect(await used()).toBe(1);
		const result = await settle(job, { kind: 'delivered' });
		expect(result).toEqual({ first: false, outcome: { kind: 'failed', failure: 'generation-failed' } });
		expect(await used()).toBe(0);
		expect(await stateOf(job)).toBe('failed');
	});

	it('settles many calls for one job at once exactly one way', async () => {
		const job = await reservedJob();
		const racers = Array.from({ length: 10 }, () => connect());
		try {
			const results = await Promise.all(
				racers.map((connection, i) => {
					const own = createSettle({
						quota: new Quota(connection, prefix),
						media: new MediaStore(connection, prefix),
						records: new JobRecords(connection, prefix),
						ledger: new Ledger(connection, prefix),
					});
					return own(job, i % 2 === 0 ? { kind: 'delivered' } : { kind: 'cancelled', by: USER });
				}),
			);
			expect(results.filter((r) => r.first)).toHaveLength(1);
			const winner = results.find((r) => r.first)?.outcome;
			expect(results.every((r) => JSON.stringify(r.outcome) === JSON.stringify(winner))).toBe(true);
			expect(await used()).toBe(winner?.kind === 'delivered' ? 1 : 0);
			expect((await ledgerRows()).reduce((sum, row) => sum + row.clips, 0)).toBe(winner?.kind === 'delivered' ? 1 : 0);
		} finally {
			for (const connection of racers) connection.disconnect();
		}
	});
});
