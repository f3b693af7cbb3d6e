import type { RedisConnection } from '../redis.js';

/** A worker that has not beaten for this long is taken for dead. */
export const WORKER_SILENCE_MS = 30_000;

/**
 * Worker heartbeats (key `workers`, a sorted set of worker ids by last beat), so the bot can tell
 * a user at once that no worker runs instead of queueing silently, and `npm run doctor` can count
 * them.
 */
export class WorkerBeats {
	private readonly key: string;

	public constructor(
		private readonly redis: RedisConnection,
		prefix: string,
		private readonly now: () => number = Date.now,
	) {
		this.key = `${prefix}:workers`;
	}

	public async beat(workerId: string): Promise<void> {
		const now = this.now();
		await this.redis
			.multi()
			.zadd(this.key, now, workerId)
			.zremrangebyscore(this.key, '-inf', now - 10 * WORKER_SILENCE_MS)
			.exec();
	}

	/** A worker stopping cleanly says so, so it does not count as alive for the silence window. */
	public async leave(workerId: string): Promise<void> {
		await this.redis.zrem(this.key, workerId);
	}

	/** How many workers beat within the silence window, and when the latest did. */
	public async alive(): Promise<{ count: number; lastBeatAt: number | null }> {
		const now = this.now();
		const [count, latest] = await Promise.all([
			this.redis.zcount(this.key, now - WORKER_SILENCE_MS, '+inf'),
			this.redis.zrange(this.key, -1, -1, 'WITHSCORES'),
		]);
		return { count, lastBeatAt: latest[1] === undefined ? null : Number(latest[1]) };
	}
}
