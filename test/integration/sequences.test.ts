import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SHOTS, Sequences, type Shot } from '../../src/store/sequences.js';
import { cleanPrefix, connect, uniquePrefix } from '../helpers/redis.js';

/**
 * Sequences on a real Redis, raced the way a busy channel would: starts, clicks and moves sent at
 * the same moment, permissions decided in the same step as the change, and the board's marker.
 */

let redis: Redis;
let prefix: string;
let sequences: Sequences;

const OWNER = '812345678901234500';
const MANAGER = '812345678901234501';
const AUTHOR = '812345678901234502';
const STRANGER = '812345678901234503';

let ids = 0;
const id = () => `91234567890123${String(++ids).padStart(4, '0')}`;

const shot = (clipId: string, authorId = AUTHOR): Shot => ({
	clipId,
	authorId,
	addedBy: STRANGER,
	prompt: `the clip ${clipId}`,
	channelId: '712345678901234567',
	messageId: `6${clipId.slice(1)}`,
	addedAt: Date.now(),
});

async function started(channelId = id()) {
	const sequenceId = id();
	const result = await sequences.start({
		id: sequenceId,
		title: 'The lighthouse',
		guildId: '512345678901234567',
		channelId,
		ownerId: OWNER,
		locale: 'en-US',
		now: Date.now(),
	});
	expect(result).toEqual({ started: true });
	await sequences.setBoard(sequenceId, id());
	return { sequenceId, channelId };
}

const order = async (sequenceId: string) => (await sequences.snapshot(sequenceId))?.shots.map((s) => s.clipId) ?? [];

const owner = { userId: OWNER, manager: false };

describe('sequences in Redis', () => {
	beforeAll(() => {
		redis = connect();
		prefix = uniquePrefix();
		sequences = new Sequences(redis, prefix);
	});
	afterAll(async () => {
		await cleanPrefix(redis, prefix);
		redis.disconnect();
	});

	it('starts one sequence per channel, even when two starts race', async () => {
		const channelId = id();
		const input = (sequenceId: string) => ({
			id: sequenceId,
			title: `title ${sequenceId}`,
			guildId: '512345678901234567',
			channelId,
			ownerId: OWNER,
			locale: 'en-US',
			now: Date.now(),
		});
		const results = await Promise.all(Array.from({ length: 10 }, () => sequences.start(input(id()))));
		const winners = results.filter((result) => result.started);
		expect(winners).toHaveLength(1);
		const active = await sequences.active(channelId);
		for (const result of results) if (!result.started) expect(result.active?.id).toBe(active?.id);
	});

	it('adds a clip once when twenty clicks on it arrive at the same moment', async () => {
		const { sequenceId } = await started();
		const clip = id();
		const results = await Promise.all(Array.from({ length: 20 }, () => sequences.add(sequenceId, shot(clip))));
		expect(results.filter((result) => result.kind === 'added')).toEqual([{ kind: 'added', position: 1 }]);
		expect(results.filter((result) => result.kind === 'already')).toHaveLength(19);
		expect(await order(sequenceId)).toEqual([clip]);
	});

	it('gives racing clips of different clips each its own place', async () => {
		const { sequenceId } = await started();
		const clips = Array.from({ length: 12 }, () => id());
		const results = await Promise.all(clips.map((clip) => sequences.add(sequenceId, shot(clip))));
		const positions = results.map((result) => (result.kind === 'added' ? result.position : 0)).sort((a, b) => a - b);
		expect(positions).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
		expect((await order(sequenceId)).sort()).toEqual([...clips].sort());
	});

	it('moves a shot, the others keeping their order; only the owner or a manager may', async () => {
		const { sequenceId } = await started();
		const [a, b, c, d] = [id(), id(), id(), id()];
		for (const clip of [a, b, c, d]) await sequences.add(sequenceId, shot(clip));
		expect(await sequences.move(sequenceId, owner, 1, 3)).toEqual({ kind: 'done', count: 4 });
		expect(await order(sequenceId)).toEqual([b, c, a, d]);
		expect(await sequences.move(sequenceId, { userId: MANAGER, manager: true }, 4, 1)).toEqual({
			kind: 'done',
			count: 4,
		});
		expect(await order(sequenceId)).toEqual([d, b, c, a]);

		const before = await sequences.get(sequenceId);
		expect(await sequences.move(sequenceId, { userId: AUTHOR, manager: false }, 1, 2)).toEqual({
			kind: 'forbidden',
			ownerId: OWNER,
		});
		expect(await sequences.move(sequenceId, owner, 5, 1)).toEqual({ kind: 'no-shot', count: 4 });
		expect(await sequences.move(sequenceId, owner, 1, 0)).toEqual({ kind: 'no-shot', count: 4 });
		expect(await order(sequenceId)).toEqual([d, b, c, a]);
		expect((await sequences.get(sequenceId))?.version).toBe(before?.version);
	});

	it('never loses or doubles a shot when moves race', async () => {
		const { sequenceId } = await started();
		const clips = Array.from({ length: 8 }, () => id());
		for (const clip of clips) await sequences.add(sequenceId, shot(clip));
		await Promise.all(
			Array.from({ length: 40 }, (_, i) => sequences.move(sequenceId, owner, (i % 8) + 1, ((i * 3) % 8) + 1)),
		);
		expect((await order(sequenceId)).sort()).toEqual([...clips].sort());
	});

	it('lets the owner, a manager or the shot’s own author remove it; the later ones move up', async () => {
		const { sequenceId } = await started();
		const mine = id();
		const theirs = id();
		const last = id();
		await sequences.add(sequenceId, shot(mine, AUTHOR));
		await sequences.add(sequenceId, shot(theirs, STRANGER));
		await sequences.add(sequenceId, shot(last, STRANGER));
		const author = { userId: AUTHOR, manager: false };
		expect(await sequences.remove(sequenceId, author, 2)).toEqual({ kind: 'forbidden', ownerId: OWNER });
		expect(await sequences.remove(sequenceId, author, 9)).toEqual({ kind: 'no-shot', count: 3 });
		const removed = await sequences.remove(sequenceId, author, 1);
		expect(removed.kind === 'done' ? removed.shot?.clipId : undefined).toBe(mine);
		expect(await order(sequenceId)).toEqual([theirs, last]);
		expect((await sequences.remove(sequenceId, { userId: MANAGER, manager: true }, 2)).kind).toBe('done');
		expect(await order(sequenceId)).toEqual([theirs]);
		// Removed, it may be added again.
		expect(await sequences.add(sequenceId, shot(mine))).toEqual({ kind: 'added', position: 2 });
	});

	it('holds at most MAX_SHOTS shots', async () => {
		const { sequenceId } = await started();
		for (let i = 0; i < MAX_SHOTS; i++) expect((await sequences.add(sequenceId, shot(id()))).kind).toBe('added');
		expect(await sequences.add(sequenceId, shot(id()))).toEqual({ kind: 'full', max: MAX_SHOTS });
	});

	it('ends for the owner only; then adds nothing, and the channel may start another', async () => {
		const { sequenceId, channelId } = await started();
		await sequences.add(sequenceId, shot(id()));
		expect(await sequences.end(sequenceId, { userId: STRANGER, manager: false }, Date.now())).toEqual({
			kind: 'forbidden',
			ownerId: OWNER,
		});
		expect(await sequences.active(channelId)).toBeDefined();
		expect(await sequences.end(sequenceId, owner, Date.now())).toEqual({ kind: 'done', count: 1 });
		expect(await sequences.active(channelId)).toBeUndefined();
		expect(await sequences.add(sequenceId, shot(id()))).toEqual({ kind: 'ended' });
		expect(await sequences.move(sequenceId, owner, 1, 1)).toEqual({ kind: 'ended' });
		const snapshot = await sequences.snapshot(sequenceId);
		expect(snapshot?.sequence.state).toBe('ended');
		expect(snapshot?.shots).toHaveLength(1);
		const next = await started(channelId);
		expect((await sequences.active(channelId))?.id).toBe(next.sequenceId);
	});

	it('marks the board behind with each change, until it shows the latest', async () => {
		const { sequenceId } = await started();
		expect(await sequences.behind()).not.toContain(sequenceId);
		await sequences.add(sequenceId, shot(id()));
		const seen = await sequences.get(sequenceId);
		expect(await sequences.behind()).toContain(sequenceId);
		await sequences.add(sequenceId, shot(id()));
		// The board shows the first change only: it stays behind.
		await sequences.shown(sequenceId, seen?.version ?? 0);
		expect(await sequences.behind()).toContain(sequenceId);
		await sequences.shown(sequenceId, (await sequences.get(sequenceId))?.version ?? 0);
		expect(await sequences.behind()).not.toContain(sequenceId);
	});
});
