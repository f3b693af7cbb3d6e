import type { RedisConnection } from '../redis.js';

/** Days of spending kept: `/admin report` reaches back 90. */
const KEPT_DAYS = 92;
const DAY_MS = 24 * 3_600_000;

/** One delivered clip, as the ledger records it. */
export interface LedgerEntry {
	readonly jobId: string;
	readonly guildId: string;
	readonly userId: string;
	readonly at: number;
	/** What it cost, in micro-dollars; undefined when neither the provider nor a price said. */
	readonly costMicros: number | undefined;
}

/** What one user spent on one day (UTC) in one server. */
export interface LedgerRow {
	/** `YYYY-MM-DD`, UTC. */
	readonly day: string;
	readonly userId: string;
	readonly clips: number;
	/** The sum of the known costs, in micro-dollars. */
	readonly micros: number;
	/** Clips whose cost is unknown (counted in `clips`, not in `micros`). */
	readonly unpriced: number;
}

export const dayOf = (at: number): string => new Date(at).toISOString().slice(0, 10);

// Counts a job once however often it is recorded (settle may be repeated after a crash).
// KEYS: 1 the day's jobs (set), 2 the day's totals (hash). ARGV: 1 job, 2 user, 3 micro-dollars or '', 4 ttl ms.
const RECORD = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[2] .. ':clips', 1)
if ARGV[3] == '' then
  redis.call('HINCRBY', KEYS[2], ARGV[2] .. ':unpriced', 1)
else
  redis.call('HINCRBY', KEYS[2], ARGV[2] .. ':micros', ARGV[3])
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1
`;

/**
 * The cost ledger: every delivered clip with what it cost, totalled per server, per day (UTC) and
 * per user (keys `ledger:<guild id>:<day>` and `ledger:<guild id>:<day>:jobs`), kept 92 days.
 * Money is in whole micro-dollars, so totals are exact sums of their rows.
 */
export class Ledger {
	public constructor(
		private readonly redis: RedisConnection,
		private readonly prefix: string,
	) {}

	private key(guildId: string, day: string): string {
		return `${this.prefix}:ledger:${guildId}:${day}`;
	}

	/** Records a delivered clip once; returns false when it was already recorded. */
	public async record(entry: LedgerEntry): Promise<boolean> {
		const key = this.key(entry.guildId, dayOf(entry.at));
		const recorded = await this.redis.eval(
			RECORD,
			2,
			`${key}:jobs`,
			key,
			entry.jobId,
			entry.userId,
			entry.costMicros === undefined ? '' : String(entry.costMicros),
			KEPT_DAYS * DAY_MS,
		);
		return recorded === 1;
	}

	/** One row per user per day over the last `days` days (today included), oldest day first. */
	public async rows(guildId: string, days: number, now: number): Promise<LedgerRow[]> {
		const dates = Array.from({ length: days }, (_, index) => dayOf(now - (days - 1 - index) * DAY_MS));
		const pipeline = this.redis.pipeline();
		for (const day of dates) pipeline.hgetall(this.key(guildId, day));
		const replies = (await pipeline.exec()) ?? [];
		return dates.flatMap((day, index) => {
			const fields = (replies[index]?.[1] ?? {}) as Record<string, string>;
			const users = new Map<string, { clips: number; micros: number; unpriced: number }>();
			for (const [field, value] of Object.entries(fields)) {
				const [userId = '', what] = field.split(':');
				const totals = users.get(userId) ?? { clips: 0, micros: 0, unpriced: 0 };
				if (what === 'clips' || what === 'micros' || what === 'unpriced') totals[what] = Number(value);
				users.set(userId, totals);
			}
			return [...users.entries()]
				.sort(([a], [b]) => a.localeCompare(b))
				.map(([userId, totals]) => ({ day, userId, ...totals }));
		});
	}
}
