import type { RedisConnection } from '../redis.js';
import { intakeKey, type PendingIntake } from './intake.js';

export const QUOTA_WINDOW_MS = 24 * 3_600_000;

/** Money is counted in millionths of a US dollar, so sums are exact. */
export const MICROS_PER_USD = 1_000_000;
export const toMicros = (usd: number): number => Math.round(usd * MICROS_PER_USD);

/** Who a unit is held for: the member is always the job id, so every step is idempotent. */
export interface Holder {
	readonly jobId: string;
	readonly userId: string;
	readonly guildId: string | null;
}

/** The limits that apply to one reservation; null means "none". */
export interface Limits {
	/** The member's effective limit (rolling 24 h). */
	readonly user: number;
	/** USER_MAX_QUEUED: the user's jobs waiting to start. */
	readonly waiting: number;
	/** This server's clips per rolling 24 h. */
	readonly guildClips: number | null;
	/** This server's spending per rolling 24 h, in micro-dollars. */
	readonly guildMicros: number | null;
	/** The deployment's clips per rolling 24 h (GLOBAL_DAILY_CAP). */
	readonly global: number | null;
}

/** Which limit refused a reservation, with what its words need. */
export type Refusal =
	| { readonly limit: 'user'; readonly max: number; readonly nextFreeAt: number | null }
	| { readonly limit: 'waiting'; readonly max: number }
	| { readonly limit: 'guild-clips'; readonly max: number; readonly nextFreeAt: number | null }
	| { readonly limit: 'guild-dollars'; readonly maxMicros: number; readonly nextFreeAt: number | null }
	| { readonly limit: 'global'; readonly max: number; readonly nextFreeAt: number | null };

export type Reservation =
	{ readonly granted: true; readonly used: number } | { readonly granted: false; readonly refusal: Refusal };

export interface QuotaStatus {
	readonly used: number;
	readonly limit: number;
	readonly remaining: number;
	/** When the oldest counted generation leaves the window; null when nothing is counted. */
	readonly nextFreeAt: number | null;
}

/** What a server has used in the rolling 24 h; money counts finished jobs at their recorded cost. */
export interface GuildUsage {
	readonly clips: number;
	readonly micros: number;
}

// Every limit is checked before anything is written, in one script: two commands arriving together
// cannot both take the last unit of any of them, and a refusal changes nothing. Forgetting what
// left the window happens first, so counts are of the rolling 24 h.
// KEYS: 1 user units, 2 guild units, 3 guild spending (job → micro-dollars), 4 global units,
//       5 the user's waiting jobs, 6 pending intakes.
// ARGV: 1 now, 2 window, 3 job id, 4 user limit, 5 max waiting, 6 guild clip limit (-1: none),
//       7 guild micro-dollar limit (-1: none), 8 global limit (-1: none), 9 expected micro-dollars,
//       10 the pending intake (JSON).
const RESERVE = `
local now = tonumber(ARGV[1])
local cutoff = now - tonumber(ARGV[2])
local job = ARGV[3]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', cutoff)
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', cutoff)
for _, id in ipairs(gone) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', cutoff)
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', cutoff)
if redis.call('ZSCORE', KEYS[1], job) then
  return {1, redis.call('ZCARD', KEYS[1])}
end
local function oldest(key)
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return first[2] or false
end
local used = redis.call('ZCARD', KEYS[1])
if used >= tonumber(ARGV[4]) then return {0, 'user', oldest(KEYS[1])} end
if redis.call('ZCARD', KEYS[5]) >= tonumber(ARGV[5]) then return {0, 'waiting', false} end
local guildClips = tonumber(ARGV[6])
if guildClips >= 0 and redis.call('ZCARD', KEYS[2]) >= guildClips then
  return {0, 'guild-clips', oldest(KEYS[2])}
end
local guildMicros = tonumber(ARGV[7])
local expected = tonumber(ARGV[9])
if guildMicros >= 0 then
  local spent = 0
  for _, value in ipairs(redis.call('HVALS', KEYS[3])) do spent = spent + tonumber(value) end
  if spent >= guildMicros or spent + expected > guildMicros then
    return {0, 'guild-dollars', oldest(KEYS[2])}
  end
end
local global = tonumber(ARGV[8])
if global >= 0 and redis.call('ZCARD', KEYS[4]) >= global then
  return {0, 'global', oldest(KEYS[4])}
end
for _, key in ipairs({KEYS[1], KEYS[2], KEYS[4], KEYS[5]}) do
  redis.call('ZADD', key, now, job)
  redis.call('PEXPIRE', key, ARGV[2])
end
redis.call('HSET', KEYS[3], job, expected)
redis.call('PEXPIRE', KEYS[3], ARGV[2])
redis.call('HSET', KEYS[6], job, ARGV[10])
return {1, used + 1}
`;

// The clip was delivered: its unit stays spent, its server's spending holds its recorded cost
// (while it is still in the window), and it no longer waits or runs.
// KEYS: 1 guild units, 2 guild spending, 3 waiting, 4 active, 5 intakes. ARGV: 1 job, 2 micro-dollars or ''.
const COMMIT = `
if ARGV[2] ~= '' and redis.call('ZSCORE', KEYS[1], ARGV[1]) then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
return 1
`;

// The unit goes back everywhere it was taken.
// KEYS: 1 user, 2 guild units, 3 guild spending, 4 global, 5 waiting, 6 active, 7 intakes. ARGV: 1 job.
const RELEASE = `
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
redis.call('HDEL', KEYS[7], ARGV[1])
return removed
`;

// An operator re-runs an ended job: its unit is taken again, whatever the limits.
// KEYS: 1 user, 2 guild units, 3 global. ARGV: 1 now, 2 window, 3 job.
const RETAKE = `
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, ARGV[1], ARGV[3])
  redis.call('PEXPIRE', key, ARGV[2])
end
return 1
`;

// A job starts only while the user has fewer than ARGV[3] running; a job already counted as
// running (a retry, a resumed job) passes. Entries older than ARGV[4] ms were left by jobs that
// ended without being settled and are forgotten.
// KEYS: 1 waiting, 2 active. ARGV: 1 now, 2 job, 3 max active, 4 stale after.
const ADMIT = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[4]))
if redis.call('ZSCORE', KEYS[2], ARGV[2]) then
  redis.call('ZADD', KEYS[2], now, ARGV[2])
  return 1
end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[2], now, ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('ZREM', KEYS[1], ARGV[2])
return 1
`;

/**
 * Units over a rolling 24 h, counted in Redis so every bot and worker agrees: the user's quota,
 * the server's budget (in clips and in money) and the deployment's cap, reserved together in one
 * atomic step when a request is accepted, kept when its clip is delivered, and given back when it
 * is not. Also the user's jobs waiting to start and running (USER_MAX_QUEUED, USER_MAX_ACTIVE).
 */
export class Quota {
	public constructor(
		private readonly redis: RedisConnection,
		private readonly prefix: string,
		private readonly now: () => number = Date.now,
	) {}

	private userKey(userId: string): string {
		return `${this.prefix}:quota:user:${userId}`;
	}

	private guildKeys(guildId: string | null): [units: string, spending: string] {
		const id = guildId ?? 'none';
		return [`${this.prefix}:quota:guild:${id}`, `${this.prefix}:quota:guild-spend:${id}`];
	}

	private globalKey(): string {
		return `${this.prefix}:quota:global`;
	}

	private jobKeys(userId: string): [waiting: string, active: string] {
		return [`${this.prefix}:jobs:user:${userId}:waiting`, `${this.prefix}:jobs:user:${userId}:active`];
	}

	/**
	 * Takes a unit of every limit at once, or none. `expectedMicros` is what the job should cost
	 * (counted against a money budget until its real cost is recorded); `intake` is kept until the
	 * job is enqueued, so a unit whose job never reached the queue can be found and given back.
	 */
	public async reserve(
		holder: Holder,
		limits: Limits,
		expectedMicros: number,
		intake: PendingIntake,
	): Promise<Reservation> {
		const [guildUnits, guildSpending] = this.guildKeys(holder.guildId);
		const [waiting] = this.jobKeys(holder.userId);
		const reply = (await this.redis.eval(
			RESERVE,
			6,
			this.userKey(holder.userId),
			guildUnits,
			guildSpending,
			this.globalKey(),
			waiting,
			intakeKey(this.prefix),
			this.now(),
			QUOTA_WINDOW_MS,
			holder.jobId,
			limits.user,
			limits.waiting,
			limits.guildClips ?? -1,
			limits.guildMicros ?? -1,
			limits.global ?? -1,
			expectedMicros,
			JSON.stringify(intake),
		)) as [number, number | string, string | null | undefined];
		const [granted, used, oldest] = reply;
		if (granted === 1) return { granted: true, used: Number(used) };
		const nextFreeAt = typeof oldest === 'string' ? Number(oldest) + QUOTA_WINDOW_MS : null;
		switch (used) {
			case 'waiting':
				return { granted: false, refusal: { limit: 'waiting', max: limits.waiting } };
			case 'guild-clips':
				return { granted: false, refusal: { limit: 'guild-clips', max: limits.guildClips ?? 0, nextFreeAt } };
			case 'guild-dollars':
				return { granted: false, refusal: { limit: 'guild-dollars', maxMicros: limits.guildMicros ?? 0, nextFreeAt } };
			case 'global':
				return { granted: false, refusal: { limit: 'global', max: limits.global ?? 0, nextFreeAt } };
			default:
				return { granted: false, refusal: { limit: 'user', max: limits.user, nextFreeAt } };
		}
	}

	/** The clip was delivered: the unit stays spent, at its recorded cost when there is one. */
	public async commit(holder: Holder, costMicros: number | undefined): Promise<void> {
		const [guildUnits, guildSpending] = this.guildKeys(holder.guildId);
		const [waiting, active] = this.jobKeys(holder.userId);
		await this.redis.eval(
			COMMIT,
			5,
			guildUnits,
			guildSpending,
			waiting,
			active,
			intakeKey(this.prefix),
			holder.jobId,
			costMicros === undefined ? '' : String(costMicros),
		);
	}

	/**
	 * Takes a job's unit again everywhere, whatever the limits, when an operator re-runs a job that
	 * ended and gave its unit back (a retry from the dashboard). Safe to call more than once.
	 */
	public async retake(holder: Holder): Promise<void> {
		const [guildUnits] = this.guildKeys(holder.guildId);
		await this.redis.eval(
			RETAKE,
			3,
			this.userKey(holder.userId),
			guildUnits,
			this.globalKey(),
			this.now(),
			QUOTA_WINDOW_MS,
			holder.jobId,
		);
	}

	/** Gives the unit of a job back everywhere. Safe to call more than once. */
	public async release(holder: Holder): Promise<boolean> {
		const [guildUnits, guildSpending] = this.guildKeys(holder.guildId);
		const [waiting, active] = this.jobKeys(holder.userId);
		const removed = await this.redis.eval(
			RELEASE,
			7,
			this.userKey(holder.userId),
			guildUnits,
			guildSpending,
			this.globalKey(),
			waiting,
			active,
			intakeKey(this.prefix),
			holder.jobId,
		);
		return removed === 1;
	}

	/** The job ended and keeps its unit (a failure the policy does not refund). */
	public async finish(holder: Holder): Promise<void> {
		const [waiting, active] = this.jobKeys(holder.userId);
		await this.redis.multi().zrem(waiting, holder.jobId).zrem(active, holder.jobId).exec();
	}

	/**
	 * Lets a job start if its user has fewer than `maxActive` jobs running; it then stops counting
	 * as waiting. A job already running passes again (a retry, or a job resumed by another worker).
	 */
	public async admit(holder: Holder, maxActive: number, staleAfterMs: number): Promise<boolean> {
		const [waiting, active] = this.jobKeys(holder.userId);
		const admitted = await this.redis.eval(
			ADMIT,
			2,
			waiting,
			active,
			this.now(),
			holder.jobId,
			maxActive,
			staleAfterMs,
		);
		return admitted === 1;
	}

	/** The user's units in the rolling 24 h against their effective `limit`. */
	public async status(userId: string, limit: number): Promise<QuotaStatus> {
		const key = this.userKey(userId);
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
			limit,
			remaining: Math.max(0, limit - used),
			nextFreeAt: oldest[1] !== undefined ? Number(oldest[1]) + QUOTA_WINDOW_MS : null,
		};
	}

	/** What a server used in the rolling 24 h: clips, and money (finished at cost, the rest expected). */
	public async guildUsage(guildId: string): Promise<GuildUsage> {
		const [units, spending] = this.guildKeys(guildId);
		const cutoff = this.now() - QUOTA_WINDOW_MS;
		const [members, values] = await Promise.all([
			this.redis.zrangebyscore(units, cutoff, '+inf'),
			this.redis.hgetall(spending),
		]);
		const micros = members.reduce((sum, id) => sum + Number(values[id] ?? 0), 0);
		return { clips: members.length, micros };
	}

	/** The deployment's clips in the rolling 24 h. */
	public async globalUsed(): Promise<number> {
		return this.redis.zcount(this.globalKey(), this.now() - QUOTA_WINDOW_MS, '+inf');
	}
}
