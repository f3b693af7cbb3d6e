import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { MessageEdits } from '../../src/store/message-edits.js';
import { EditBudget } from '../../src/worker/progress.js';
import { cleanPrefix, connect, uniquePrefix } from '../helpers/redis.js';

let redis: Redis;
let prefix: string;
let edits: MessageEdits;
let next = 0;
const messageId = () => `15735970930613${String(++next).padStart(5, '0')}`;

beforeAll(() => {
	redis = connect();
	prefix = uniquePrefix();
	edits = new MessageEdits(redis, prefix);
});
afterAll(async () => {
	await cleanPrefix(redis, prefix);
	redis.disconnect();
});

const claim = (holder: string, intervalMs = 300) => ({ intervalMs, holder, leaseMs: 10_000 });

describe('the edit budget every process shares in Redis', () => {
	it('lets one edit start, holds the others while it runs, and counts the interval from its end', async () => {
		const id = messageId();
		expect(await edits.claim(id, claim('worker'))).toBe(0);
		// While the edit runs, nobody else starts: not even after the interval.
		await new Promise((resolve) => setTimeout(resolve, 350));
		expect(await edits.claim(id, claim('bot'))).toBeGreaterThan(0);
		await edits.completed(id, 'worker');
		const wait = await edits.claim(id, claim('bot'));
		expect(wait).toBeGreaterThan(250);
		expect(wait).toBeLessThanOrEqual(300);
		await new Promise((resolve) => setTimeout(resolve, wait + 5));
		expect(await edits.claim(id, claim('bot'))).toBe(0);
	});

	it('grants exactly one of many simultaneous claims', async () => {
		const id = messageId();
		const waits = await Promise.all(Array.from({ length: 20 }, (_, i) => edits.claim(id, claim(`p${i}`))));
		expect(waits.filter((wait) => wait === 0)).toHaveLength(1);
	});

	it('does not keep a job resumed after a crash waiting for its own dead claim, only for one interval', async () => {
		const id = messageId();
		expect(await edits.claim(id, claim('job:1'))).toBe(0);
		// The worker died mid-edit; another worker resumes the same job.
		const wait = await edits.claim(id, claim('job:1'));
		expect(wait).toBeGreaterThan(250);
		expect(wait).toBeLessThanOrEqual(300);
		await new Promise((resolve) => setTimeout(resolve, wait + 5));
		expect(await edits.claim(id, claim('job:1'))).toBe(0);
		// Others wait for that claim to end (or its lease to run out).
		expect(await edits.claim(id, claim('bot'))).toBeGreaterThan(0);
	});

	it('counts an edit made outside a claim (the bot’s reply) and peeks without claiming', async () => {
		const id = messageId();
		await edits.markEdited(id);
		expect(await edits.waitBeforeEdit(id, claim('worker'))).toBeGreaterThan(250);
		const other = messageId();
		expect(await edits.waitBeforeEdit(other, claim('worker'))).toBe(0);
		expect(await edits.claim(other, claim('bot'))).toBe(0);
	});

	it('remembers a dead token for every process', async () => {
		const id = messageId();
		expect(await edits.tokenDead(id)).toBe(false);
		await edits.markTokenDead(id);
		expect(await new MessageEdits(redis, prefix).tokenDead(id)).toBe(true);
	});

	it('paces edits of two budgets on one message at least an interval apart, from the end of each', async () => {
		const id = messageId();
		const spans: Array<[number, number]> = [];
		const edit = async () => {
			const start = Date.now();
			await new Promise((resolve) => setTimeout(resolve, 30));
			spans.push([start, Date.now()]);
		};
		const worker = new EditBudget(edits, claim('worker', 150));
		const bot = new EditBudget(edits, claim('bot', 150));
		await Promise.all([worker.pace(id, edit), bot.pace(id, edit), worker.pace(id, edit), bot.pace(id, edit)]);
		spans.sort((a, b) => a[0] - b[0]);
		for (let i = 1; i < spans.length; i++) {
			expect(spans[i]![0] - spans[i - 1]![1]).toBeGreaterThanOrEqual(148);
		}
	});
});
