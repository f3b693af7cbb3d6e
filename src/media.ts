import type { Redis } from 'ioredis';

/** Images outlive Discord's signed links only if we keep them; they go when the job ends. */
const MEDIA_TTL_SECONDS = 3 * 24 * 3_600;

/**
 * Input images copied when a command arrives, kept in Redis because every worker on every host
 * can read it. Keys carry the job id so one job's images are removed together.
 */
export class MediaStore {
	public constructor(
		private readonly redis: Redis,
		private readonly prefix: string,
	) {}

	public key(jobId: string, slot: string): string {
		return `${this.prefix}:media:${jobId}:${slot}`;
	}

	public async put(key: string, data: Buffer): Promise<void> {
		await this.redis.set(key, data, 'EX', MEDIA_TTL_SECONDS);
	}

	public async get(key: string): Promise<Buffer | null> {
		return this.redis.getBuffer(key);
	}

	public async remove(...keys: string[]): Promise<void> {
		if (keys.length > 0) await this.redis.del(...keys);
	}
}
