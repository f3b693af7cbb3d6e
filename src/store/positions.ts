import type { RedisConnection } from '../redis.js';

/**
 * The queue positions last shown on queued messages (key `queue:shown`) and the lock that lets
 * one bot process per tick edit them (key `lock:queue-watch`).
 */
export class ShownPositions {
	private readonly shown: string;

	public constructor(
		private readonly redis: RedisConnection,
		private readonly prefix: string,
	) {
		this.shown = `${prefix}:queue:shown`;
	}

	/** True when this process may run this tick of the queue watch. */
	public async takeTick(holder: string, ms: number): Promise<boolean> {
		return (await this.redis.set(`${this.prefix}:lock:queue-watch`, holder, 'PX', ms, 'NX')) !== null;
	}

	public async get(interactionId: string): Promise<number | undefined> {
		const value = await this.redis.hget(this.shown, interactionId);
		return value === null ? undefined : Number(value);
	}

	public async set(interactionId: string, position: number): Promise<void> {
		await this.redis.hset(this.shown, interactionId, position);
	}

	/** Forgets every job not in `still`, so the hash stays as small as the queue. */
	public async keepOnly(still: ReadonlySet<string>): Promise<void> {
		const remembered = await this.redis.hkeys(this.shown);
		const gone = remembered.filter((id) => !still.has(id));
		if (gone.length > 0) await this.redis.hdel(this.shown, ...gone);
	}
}
