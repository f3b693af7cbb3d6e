import type { RedisConnection } from '../redis.js';

/** Which admin alerts were sent recently (key family `alert:`), shared by every worker. */
export class AlertLog {
	public constructor(
		private readonly redis: RedisConnection,
		private readonly prefix: string,
	) {}

	/** True the first time `key` is claimed within `quietSeconds`; false while it stays quiet. */
	public async claim(key: string, quietSeconds: number): Promise<boolean> {
		return (await this.redis.set(`${this.prefix}:alert:${key}`, String(Date.now()), 'EX', quietSeconds, 'NX')) !== null;
	}
}
