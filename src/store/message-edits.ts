import type { RedisConnection } from '../redis.js';

/**
 * When a job's message was last edited by a process other than its worker (key family
 * `edited:`), so every process keeps one edit interval per message.
 */
export class MessageEdits {
	public constructor(
		private readonly redis: RedisConnection,
		private readonly prefix: string,
	) {}

	public async markEdited(interactionId: string, at = Date.now()): Promise<void> {
		await this.redis.set(`${this.prefix}:edited:${interactionId}`, String(at), 'EX', 3_600);
	}

	public async lastEdited(interactionId: string): Promise<number> {
		return Number(await this.redis.get(`${this.prefix}:edited:${interactionId}`)) || 0;
	}
}
