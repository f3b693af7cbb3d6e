import { z } from 'zod';
import type { RedisConnection } from '../redis.js';

/** The most shots one sequence holds: its board lists every one of them, and a film of more would not fit Discord. */
export const MAX_SHOTS = 25;

/** An ended sequence (and its final list) is kept this long; its board stays in Discord for good. */
const ENDED_TTL_SECONDS = 30 * 24 * 3_600;

/** A shot: a delivered clip, by whom it was made (not who added it) and where its message is. */
export const shotSchema = z.object({
	/** The clip's job (its interaction id): a clip is in a sequence at most once. */
	clipId: z.string(),
	/** Who made the clip. */
	authorId: z.string(),
	/** Who clicked Add to sequence. */
	addedBy: z.string(),
	prompt: z.string(),
	channelId: z.string(),
	/** The message carrying the clip: the render reads it again (attachment links expire). */
	messageId: z.string(),
	addedAt: z.number(),
});
export type Shot = z.infer<typeof shotSchema>;

export interface Sequence {
	/** The id of the `/sequence start` interaction. */
	readonly id: string;
	readonly title: string;
	readonly guildId: string;
	readonly channelId: string;
	readonly ownerId: string;
	/** The owner's Discord locale: the board is in their language, whoever changes it. */
	readonly locale: string;
	readonly state: 'active' | 'ended';
	/** The board message; undefined while it is being posted. */
	readonly boardMessageId: string | undefined;
	readonly createdAt: number;
	/** Bumped by every change; the board shows `shown`. */
	readonly version: number;
	readonly shown: number;
}

/** A sequence with its shots in board order (position = index + 1). */
export interface SequenceSnapshot {
	readonly sequence: Sequence;
	readonly shots: readonly Shot[];
}

export type StartResult =
	{ readonly started: true } | { readonly started: false; readonly active: Sequence | undefined };

export type AddResult =
	| { readonly kind: 'added'; readonly position: number }
	| { readonly kind: 'already'; readonly position: number }
	| { readonly kind: 'full'; readonly max: number }
	| { readonly kind: 'ended' };

/** A change someone asked for, refused or not; nothing changes when it is refused. */
export type ChangeResult<T> =
	| ({ readonly kind: 'done' } & T)
	| { readonly kind: 'forbidden'; readonly ownerId: string }
	| { readonly kind: 'no-shot'; readonly count: number }
	| { readonly kind: 'ended' };

/** Who asks for a change: their id, and whether they hold Manage Server where they asked. */
export interface Actor {
	readonly userId: string;
	readonly manager: boolean;
}

// KEYS: 1 the channel's active pointer, 2 the sequence's hash. ARGV: 1 id, 2 title, 3 guild, 4 channel,
// 5 owner, 6 locale, 7 now, 8 a stale pointer to replace ('' for none). One active sequence per
// channel: the pointer is set only when absent.
const START = `
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[8] then return {0, current} end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'title', ARGV[2], 'guildId', ARGV[3], 'channelId', ARGV[4], 'ownerId', ARGV[5],
  'locale', ARGV[6], 'state', 'active', 'board', '', 'createdAt', ARGV[7], 'version', 0, 'shown', 0)
return {1, ARGV[1]}`;

// The checks every change shares. KEYS: 1 hash, 2 shot list, 3 shots by clip, 4 boards behind.
const CHANGED = `
redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('SADD', KEYS[4], ARGV[1])`;

// ARGV: 1 id, 2 clip id, 3 shot (JSON), 4 most shots. A clip already in is refused with its place;
// two clicks on the same clip at the same moment add it once.
const ADD = `
if redis.call('HGET', KEYS[1], 'state') ~= 'active' then return {'ended'} end
if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 1 then
  local ids = redis.call('LRANGE', KEYS[2], 0, -1)
  for i, id in ipairs(ids) do if id == ARGV[2] then return {'already', i} end end
end
local n = redis.call('LLEN', KEYS[2])
if n >= tonumber(ARGV[4]) then return {'full', n} end
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
${CHANGED}
return {'added', n + 1}`;

// Who may: the owner or a manager (ARGV 3 user, 4 '1' for Manage Server).
const ALLOWED = `
if redis.call('HGET', KEYS[1], 'state') ~= 'active' then return {'ended'} end
local owner = redis.call('HGET', KEYS[1], 'ownerId')
local privileged = owner == ARGV[3] or ARGV[4] == '1'`;

// ARGV: 1 id, 2 unused, 3 user, 4 manager, 5 from, 6 to. The others keep their relative order.
const MOVE = `${ALLOWED}
if not privileged then return {'forbidden', owner} end
local ids = redis.call('LRANGE', KEYS[2], 0, -1)
local from, to = tonumber(ARGV[5]), tonumber(ARGV[6])
if from < 1 or from > #ids or to < 1 or to > #ids then return {'no-shot', #ids} end
if from ~= to then
  local moved = table.remove(ids, from)
  table.insert(ids, to, moved)
  redis.call('DEL', KEYS[2])
  redis.call('RPUSH', KEYS[2], unpack(ids))
  ${CHANGED}
end
return {'done', #ids}`;

// ARGV: 1 id, 2 unused, 3 user, 4 manager, 5 position. The shot's own author may remove it too.
const REMOVE = `${ALLOWED}
local ids = redis.call('LRANGE', KEYS[2], 0, -1)
local at = tonumber(ARGV[5])
if at < 1 or at > #ids then return {'no-shot', #ids} end
local shot = redis.call('HGET', KEYS[3], ids[at]) or '{}'
local ok, decoded = pcall(cjson.decode, shot)
local author = ok and type(decoded) == 'table' and decoded['authorId'] or ''
if not privileged and author ~= ARGV[3] then return {'forbidden', owner} end
redis.call('LREM', KEYS[2], 1, ids[at])
redis.call('HDEL', KEYS[3], ids[at])
${CHANGED}
return {'done', shot}`;

// ARGV: 1 id, 2 unused, 3 user, 4 manager, 5 now, 6 ttl; KEYS 5 the channel's active pointer.
const END = `${ALLOWED}
if not privileged then return {'forbidden', owner} end
redis.call('HSET', KEYS[1], 'state', 'ended', 'endedAt', ARGV[5])
if redis.call('GET', KEYS[5]) == ARGV[1] then redis.call('DEL', KEYS[5]) end
${CHANGED}
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[6]) end
return {'done', redis.call('LLEN', KEYS[2])}`;

// KEYS: 1 hash, 2 boards behind. ARGV: 1 id, 2 the version the board now shows. An edit that
// landed after a newer one (a slow edit whose claim lapsed) leaves the board behind again.
const SHOWN = `
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) return 0 end
local shown = tonumber(ARGV[2])
if shown < tonumber(redis.call('HGET', KEYS[1], 'shown') or '0') then
  redis.call('SADD', KEYS[2], ARGV[1])
  return 0
end
redis.call('HSET', KEYS[1], 'shown', shown)
if tonumber(redis.call('HGET', KEYS[1], 'version') or '0') <= shown then redis.call('SREM', KEYS[2], ARGV[1]) end
return 1`;

const count = (value: string | undefined): number => {
	const parsed = Number(value);
	return Number.isFinite(parsed) ? parsed : 0;
};

function parseShot(raw: string | null | undefined): Shot | undefined {
	if (raw == null) return undefined;
	try {
		const parsed = shotSchema.safeParse(JSON.parse(raw));
		return parsed.success ? parsed.data : undefined;
	} catch {
		return undefined;
	}
}

function sequenceOf(id: string, fields: Record<string, string>): Sequence | undefined {
	if (fields['title'] === undefined) return undefined;
	return {
		id,
		title: fields['title'],
		guildId: fields['guildId'] ?? '',
		channelId: fields['channelId'] ?? '',
		ownerId: fields['ownerId'] ?? '',
		locale: fields['locale'] ?? 'en-US',
		state: fields['state'] === 'active' ? 'active' : 'ended',
		boardMessageId: fields['board'] === '' || fields['board'] === undefined ? undefined : fields['board'],
		createdAt: count(fields['createdAt']),
		version: count(fields['version']),
		shown: count(fields['shown']),
	};
}

/**
 * Storyboards a channel builds together (key family `seq:`): each sequence's hash (title, owner,
 * board, state, versions), its shot list in board order and its shots by clip, the channel's
 * active sequence, and the set of sequences whose board is behind. Every change is one script,
 * so concurrent clicks and moves never lose or duplicate a shot, and marks the board behind in
 * the same step: a bot that dies before editing it leaves the work for the next one.
 */
export class Sequences {
	public constructor(
		private readonly redis: RedisConnection,
		private readonly prefix: string,
	) {}

	private hashKey(id: string): string {
		return `${this.prefix}:seq:${id}`;
	}

	private keysOf(id: string): [string, string, string, string] {
		const hash = this.hashKey(id);
		return [hash, `${hash}:shots`, `${hash}:clips`, this.behindKey()];
	}

	private activeKey(channelId: string): string {
		return `${this.prefix}:seq:channel:${channelId}`;
	}

	private behindKey(): string {
		return `${this.prefix}:seq:behind`;
	}

	/** Makes the channel a sequence owned by `ownerId`, unless one is active there. */
	public async start(input: {
		id: string;
		title: string;
		guildId: string;
		channelId: string;
		ownerId: string;
		locale: string;
		now: number;
	}): Promise<StartResult> {
		const attempt = async (stale: string) =>
			(await this.redis.eval(
				START,
				2,
				this.activeKey(input.channelId),
				this.hashKey(input.id),
				input.id,
				input.title,
				input.guildId,
				input.channelId,
				input.ownerId,
				input.locale,
				String(input.now),
				stale,
			)) as [number, string];
		let [started, id] = await attempt('');
		if (started === 1) return { started: true };
		let active = await this.get(id);
		// A pointer to a sequence that is gone or over (its data expired) does not hold the channel.
		if (active?.state !== 'active') {
			[started, id] = await attempt(id);
			if (started === 1) return { started: true };
			active = await this.get(id);
		}
		return { started: false, active };
	}

	/** The board was posted: its message id; it shows the sequence as it is now. */
	public async setBoard(id: string, messageId: string): Promise<void> {
		await this.redis.hset(this.hashKey(id), 'board', messageId);
	}

	/** A start whose board could not be posted leaves nothing behind. */
	public async discard(id: string, channelId: string): Promise<void> {
		const [hash, shots, clips] = this.keysOf(id);
		const pointer = this.activeKey(channelId);
		if ((await this.redis.get(pointer)) === id) await this.redis.del(pointer);
		await this.redis.del(hash, shots, clips);
		await this.redis.srem(this.behindKey(), id);
	}

	public async get(id: string): Promise<Sequence | undefined> {
		return sequenceOf(id, await this.redis.hgetall(this.hashKey(id)));
	}

	/** The channel's active sequence, if any. */
	public async active(channelId: string): Promise<Sequence | undefined> {
		const id = await this.redis.get(this.activeKey(channelId));
		if (id === null) return undefined;
		const sequence = await this.get(id);
		return sequence?.state === 'active' ? sequence : undefined;
	}

	/** A sequence with its shots in board order. */
	public async snapshot(id: string): Promise<SequenceSnapshot | undefined> {
		const [hash, shotsKey, clipsKey] = this.keysOf(id);
		const [fields, ids, clips] = await Promise.all([
			this.redis.hgetall(hash),
			this.redis.lrange(shotsKey, 0, -1),
			this.redis.hgetall(clipsKey),
		]);
		const sequence = sequenceOf(id, fields);
		if (sequence === undefined) return undefined;
		const shots = ids.flatMap((clipId) => {
			const shot = parseShot(clips[clipId]);
			return shot === undefined ? [] : [shot];
		});
		return { sequence, shots };
	}

	/** Adds a clip as the last shot, once. */
	public async add(id: string, shot: Shot): Promise<AddResult> {
		const [kind, value] = (await this.redis.eval(
			ADD,
			4,
			...this.keysOf(id),
			id,
			shot.clipId,
			JSON.stringify(shotSchema.parse(shot)),
			String(MAX_SHOTS),
		)) as [string, number | undefined];
		if (kind === 'added') return { kind, position: Number(value) };
		if (kind === 'already') return { kind, position: Number(value) };
		if (kind === 'full') return { kind, max: MAX_SHOTS };
		return { kind: 'ended' };
	}

	private refusal(kind: string, value: unknown): ChangeResult<never> | undefined {
		if (kind === 'forbidden') return { kind, ownerId: String(value) };
		if (kind === 'no-shot') return { kind, count: Number(value) };
		if (kind === 'ended') return { kind };
		return undefined;
	}

	/** Shot `from` goes to position `to`; the owner or a manager only. */
	public async move(id: string, actor: Actor, from: number, to: number): Promise<ChangeResult<{ count: number }>> {
		const [kind, value] = (await this.redis.eval(
			MOVE,
			4,
			...this.keysOf(id),
			id,
			'',
			actor.userId,
			actor.manager ? '1' : '0',
			String(from),
			String(to),
		)) as [string, unknown];
		return this.refusal(kind, value) ?? { kind: 'done', count: Number(value) };
	}

	/** The shot at `position` leaves; the owner, a manager or the shot's own author only. */
	public async remove(id: string, actor: Actor, position: number): Promise<ChangeResult<{ shot: Shot | undefined }>> {
		const [kind, value] = (await this.redis.eval(
			REMOVE,
			4,
			...this.keysOf(id),
			id,
			'',
			actor.userId,
			actor.manager ? '1' : '0',
			String(position),
		)) as [string, unknown];
		return this.refusal(kind, value) ?? { kind: 'done', shot: parseShot(String(value)) };
	}

	/** Closes the sequence; the owner or a manager only. Its data is kept a while for the final board. */
	public async end(id: string, actor: Actor, now: number): Promise<ChangeResult<{ count: number }>> {
		const [kind, value] = (await this.redis.eval(
			END,
			5,
			...this.keysOf(id),
			this.activeKey((await this.get(id))?.channelId ?? ''),
			id,
			'',
			actor.userId,
			actor.manager ? '1' : '0',
			String(now),
			String(ENDED_TTL_SECONDS),
		)) as [string, unknown];
		return this.refusal(kind, value) ?? { kind: 'done', count: Number(value) };
	}

	/** Sequences whose board is behind their last change. */
	public async behind(): Promise<string[]> {
		return this.redis.smembers(this.behindKey());
	}

	/** A sequence whose board is gone (or whose data expired) is no longer kept up to date. */
	public async forget(id: string): Promise<void> {
		await this.redis.srem(this.behindKey(), id);
	}

	/** The board now shows `version`; it leaves the behind set unless a change came since. */
	public async shown(id: string, version: number): Promise<void> {
		await this.redis.eval(SHOWN, 2, this.hashKey(id), this.behindKey(), id, String(version));
	}
}
