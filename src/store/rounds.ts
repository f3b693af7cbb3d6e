import type { RedisConnection } from '../redis.js';

/** BullMQ's largest priority. */
export const MAX_ROUND = 2_097_151;

// A new job of a user goes in the round after that user's last one, but never before the round
// now starting: a user who queues ten jobs fills rounds 1 to 10, and a user who arrives later
// takes the current round, ahead of the first user's later ones.
// KEYS: 1 the current round, 2 users' last rounds (zset). ARGV: 1 user, 2 write (1) or peek (0), 3 max.
const NEXT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local last = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[1]) or '0')
local round = math.min(math.max(current, last + 1, 1), tonumber(ARGV[3]))
if ARGV[2] == '1' then redis.call('ZADD', KEYS[2], round, ARGV[1]) end
return round
`;

// A job of round ARGV[1] started. Users whose last round is behind the current one are forgotten:
// their next job takes the current round anyway.
const STARTED = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local round = tonumber(ARGV[1])
if round > current then
  redis.call('SET', KEYS[1], round)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. round)
end
return 1
`;

/**
 * Round-robin between users, as job priorities (keys `sched:round` and `sched:users`, a sorted set
 * of each user's last round): the n-th waiting job of every user is in round n, and lower rounds
 * start first. BullMQ runs equal priorities in arrival order, so within a round users take turns
 * by arrival.
 */
export class Rounds {
	private readonly current: string;
	private readonly users: string;

	public constructor(
		private readonly redis: RedisConnection,
		prefix: string,
	) {
		this.current = `${prefix}:sched:round`;
		this.users = `${prefix}:sched:users`;
	}

	/** Takes the round of the user's next job. */
	public async take(userId: string): Promise<number> {
		return Number(await this.redis.eval(NEXT, 2, this.current, this.users, userId, 1, MAX_ROUND));
	}

	/** The round the user's next job would take, without taking it. */
	public async peek(userId: string): Promise<number> {
		return Number(await this.redis.eval(NEXT, 2, this.current, this.users, userId, 0, MAX_ROUND));
	}

	/** A job of this round started: later arrivals join no earlier round. */
	public async started(round: number): Promise<void> {
		await this.redis.eval(STARTED, 2, this.current, this.users, round);
	}

	/**
	 * Starts counting again. Only while nothing waits: no waiting job's priority is then compared
	 * with the new ones (after two million rounds, priorities would otherwise stop growing).
	 */
	public async reset(): Promise<void> {
		await this.redis.del(this.current, this.users);
	}
}
