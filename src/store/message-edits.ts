import type { RedisConnection } from '../redis.js';

/** Kept a day after the last write: longer than any job keeps editing its message. */
const TTL_SECONDS = 24 * 3_600;

// Every time is Redis's own (TIME), so processes on hosts whose clocks differ still agree.
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS[1] the message's hash; ARGV interval, holder, lease, ttl, dry run ('1': only say the wait).
 * Returns 0 when the edit may start now (and claims it), else the milliseconds to wait.
 */
const CLAIM = `${NOW}
local done = tonumber(redis.call('HGET', KEYS[1], 'done') or '0')
local busy = redis.call('HGET', KEYS[1], 'busy')
local busyUntil = tonumber(redis.call('HGET', KEYS[1], 'busyUntil') or '0')
local interval = tonumber(ARGV[1])
if busy and busyUntil > now then
  if busy ~= ARGV[2] then return interval end
  -- The holder's own earlier edit never said it ended: its process died mid-edit. It may have
  -- landed just now, so it counts as ended now.
  redis.call('HDEL', KEYS[1], 'busy', 'busyUntil')
  if now > done then
    done = now
    redis.call('HSET', KEYS[1], 'done', now)
  end
end
local wait = done + interval - now
if wait > 0 then return wait end
if ARGV[5] == '1' then return 0 end
redis.call('HSET', KEYS[1], 'busy', ARGV[2], 'busyUntil', now + tonumber(ARGV[3]))
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 0`;

/** KEYS[1] the message's hash; ARGV holder ('' for none), ttl. */
const COMPLETED = `${NOW}
local done = tonumber(redis.call('HGET', KEYS[1], 'done') or '0')
if now > done then redis.call('HSET', KEYS[1], 'done', now) end
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'busy') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'busy', 'busyUntil')
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return now`;

export interface ClaimOptions {
	/** The least time between the end of one edit and the start of the next. */
	readonly intervalMs: number;
	/** Who edits: the same holder again after a crash is not kept waiting for its own lease. */
	readonly holder: string;
	/** How long a claim holds if its process dies before saying the edit ended. */
	readonly leaseMs: number;
}

/**
 * The edit budget of every message the bot edits, shared by every process (key family `edits:`):
 * when its last edit ended, which edit is under way, and whether the interaction token that
 * edits it answered 401/50027. The bot's queue watch and every worker claim an edit here first,
 * so one message is never edited more often than once per interval, whoever edits it.
 */
export class MessageEdits {
	public constructor(
		private readonly redis: RedisConnection,
		private readonly prefix: string,
	) {}

	private key(messageId: string): string {
		return `${this.prefix}:edits:${messageId}`;
	}

	/**
	 * Claims the next edit of a message: 0 when it may start now (then `completed` must follow),
	 * else how long to wait before asking again.
	 */
	public async claim(messageId: string, options: ClaimOptions): Promise<number> {
		return this.run(messageId, options, false);
	}

	/** How long before an edit could start, without claiming it. */
	public async waitBeforeEdit(messageId: string, options: ClaimOptions): Promise<number> {
		return this.run(messageId, options, true);
	}

	private async run(messageId: string, options: ClaimOptions, dryRun: boolean): Promise<number> {
		const wait = await this.redis.eval(
			CLAIM,
			1,
			this.key(messageId),
			String(options.intervalMs),
			options.holder,
			String(options.leaseMs),
			String(TTL_SECONDS),
			dryRun ? '1' : '0',
		);
		return Math.max(0, Number(wait));
	}

	/** The claimed edit ended (well or not): the interval runs from now. */
	public async completed(messageId: string, holder: string): Promise<void> {
		await this.redis.eval(COMPLETED, 1, this.key(messageId), holder, String(TTL_SECONDS));
	}

	/** An edit made without a claim (the bot's own reply, a button's update) just ended. */
	public async markEdited(messageId: string): Promise<void> {
		await this.completed(messageId, '');
	}

	/** The interaction token that edits this message answered 401/50027: nobody uses it again. */
	public async markTokenDead(messageId: string): Promise<void> {
		await this.redis.hset(this.key(messageId), 'token', 'dead');
		await this.redis.expire(this.key(messageId), TTL_SECONDS);
	}

	public async tokenDead(messageId: string): Promise<boolean> {
		return (await this.redis.hget(this.key(messageId), 'token')) === 'dead';
	}
}
