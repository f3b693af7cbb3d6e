import type { RedisConnection } from '../redis.js';

export const QUOTA_WINDOW_MS = 24 * 3_600_000;

// One atomic step: forget generations older than the window, then take a unit only if one is
// left. Two commands arriving together cannot both take the last unit. The member is the job id,
// so taking twice for one job is a no-op and giving back is an idempotent ZREM.
const RESERVE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[3])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then
  return {1, redis.call('ZCARD', KEYS[1])}
end
local used = redis.call('ZCARD', KEYS[1])
if used >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, used, oldest[2] or false}
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, used + 1}
`;

export type Reservation =
	| { readonly granted: true; readonly used: number; readonly limit: number }
	| { readonly granted: false; readonly used: number; readonly limit: number; readonly nextFreeAt: number | null };

export interface QuotaStatus {
	readonly used: number;
	readonly limit: number;
	readonly remaining: number;
	/** When the oldest counted generation leaves the window; null when nothing is counted. */
	readonly nextFreeAt: number | null;
}

/** Generations per user over a rolling 24 h, counted in Redis so every bot and worker agrees. */
export class Quota {
	public constructor(
		private readonly redis: RedisConnection,
		private readonly prefix: string,
		private readonly limit: number,
		private readonly now: () => number = Date.now,
	) {}

	private key(userId: string): string {
		return `${this.prefix}:quota:user:${userId}`;
	}

	public async reserve(userId: string, jobId: string): Promise<Reservation> {
		const reply = (await this.redis.eval(
			RESERVE,
			1,
			this.key(userId),
			this.now(),
			this.limit,
			QUOTA_WINDOW_MS,
			jobId,
		)) as [number, number, string | null | undefined];
		const [granted, used, oldest] = reply;
		if (granted === 1) return { granted: true, used, limit: this.limit };
		return {
			granted: false,
			used,
			limit: this.limit,
			nextFreeAt: typeof oldest === 'string' ? Number(oldest) + QUOTA_WINDOW_MS : null,
		};
	}

	/**
	 * Takes a job's unit again whatever the limit, when an operator re-runs a job that ended and
	 * gave its unit back (a retry from the dashboard). Safe to call more than once.
	 */
	public async retake(userId: string, jobId: string): Promise<void> {
		const key = this.key(userId);
		await this.redis.multi().zadd(key, this.now(), jobId).pexpire(key, QUOTA_WINDOW_MS).exec();
	}

	/** Gives the unit of a job back. Safe to call more than once. */
	public async release(userId: string, jobId: string): Promise<boolean> {
		return (await this.redis.zrem(this.key(userId), jobId)) === 1;
	}

	public async status(userId: string): Promise<QuotaStatus> {
		const key = this.key(userId);
		const now = this.now();
		const [, oldestReply, countReply] = (await this.redis
			.multi()
			.zremrangebyscore(key, '-inf', now - QUOTA_WINDOW_MS)
			.zrange(key, 0, 0, 'WITHSCORES')
			.zcard(key)
			.exec()) ?? [
			[null, 0],
			[null, []],
			[null, 0],
		];
		const oldest = (oldestReply?.[1] ?? []) as string[];
		const used = Number(countReply?.[1] ?? 0);
		return {
			used,
			limit: this.limit,
			remaining: Math.max(0, this.limit - used),
			nextFreeAt: oldest[1] !== undefined ? Number(oldest[1]) + QUOTA_WINDOW_MS : null,
		};
	}
}
