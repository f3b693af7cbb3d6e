import type { RedisConnection } from '../redis.js';

/** A provider's limits, counted across every worker. */
export interface ProviderLimitSettings {
	/** Create calls in any `windowMs`; undefined for no limit. */
	readonly rpm?: number | undefined;
	/** Tasks at once, from the create call to the end of polling; undefined for no limit. */
	readonly concurrency?: number | undefined;
	readonly windowMs: number;
	/** A task slot not given back in this long (a crash, a time-out) is forgotten. */
	readonly leaseMs: number;
}

export type Acquired = { readonly granted: true } | { readonly granted: false; readonly retryAfterMs: number | null };

// One step for both limits, so a create call is either counted in both or in neither.
// The rate is a true sliding window: the log holds the time of every create call of the last
// window, and a new one is allowed only while fewer than the limit are in it; the wait is until
// the oldest leaves. (A fixed window, reset on the minute, would let twice the limit through
// around the boundary.)
// KEYS: 1 tasks (member → expiry), 2 creates (member → time).
// ARGV: 1 now, 2 concurrency (-1: none), 3 rpm (-1: none), 4 window, 5 lease ms, 6 lease id.
const ACQUIRE = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
local concurrency = tonumber(ARGV[2])
if concurrency >= 0 and redis.call('ZCARD', KEYS[1]) >= concurrency then return {0, -1} end
local rpm = tonumber(ARGV[3])
if rpm >= 0 and redis.call('ZCARD', KEYS[2]) >= rpm then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[5]), ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], now, ARGV[6])
redis.call('PEXPIRE', KEYS[2], window)
return {1, 0}
`;

// The slot held under a lease now belongs to the task the create call made.
// KEYS: 1 tasks. ARGV: 1 lease, 2 task id, 3 expiry.
const RENAME = `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2]) end
return 1
`;

/**
 * Provider limits shared by every worker (keys `limits:<provider>:tasks` and
 * `limits:<provider>:creates`): tasks at once (`<PROVIDER>_CONCURRENCY`) and create calls in any
 * window (`<PROVIDER>_RPM`).
 */
export class ProviderLimits {
	public constructor(
		private readonly redis: RedisConnection,
		private readonly prefix: string,
		private readonly now: () => number = Date.now,
	) {}

	private keys(provider: string): [tasks: string, creates: string] {
		return [`${this.prefix}:limits:${provider}:tasks`, `${this.prefix}:limits:${provider}:creates`];
	}

	/**
	 * Takes a task slot and a create call under `lease`, or nothing. When refused, `retryAfterMs`
	 * says when the rate allows the next call (null when only a task ending can free a slot).
	 */
	public async acquire(provider: string, lease: string, settings: ProviderLimitSettings): Promise<Acquired> {
		const [tasks, creates] = this.keys(provider);
		const [granted, wait] = (await this.redis.eval(
			ACQUIRE,
			2,
			tasks,
			creates,
			this.now(),
			settings.concurrency ?? -1,
			settings.rpm ?? -1,
			settings.windowMs,
			settings.leaseMs,
			lease,
		)) as [number, number];
		if (granted === 1) return { granted: true };
		return { granted: false, retryAfterMs: wait < 0 ? null : Math.max(1, wait) };
	}

	/** The slot held by `lease` is now the task's, held at most `leaseMs` more. */
	public async rename(provider: string, lease: string, taskId: string, leaseMs: number): Promise<void> {
		const [tasks] = this.keys(provider);
		await this.redis.eval(RENAME, 1, tasks, lease, taskId, this.now() + leaseMs);
	}

	/** Gives a task slot back (by lease or task id). Safe to call more than once. */
	public async release(provider: string, holder: string): Promise<void> {
		const [tasks] = this.keys(provider);
		await this.redis.zrem(tasks, holder);
	}

	/** Create calls counted in the window now, and tasks held. */
	public async usage(provider: string, windowMs: number): Promise<{ creates: number; tasks: number }> {
		const [tasks, creates] = this.keys(provider);
		const now = this.now();
		const [c, t] = await Promise.all([
			this.redis.zcount(creates, now - windowMs, '+inf'),
			this.redis.zcount(tasks, now, '+inf'),
		]);
		return { creates: c, tasks: t };
	}
}
