import type { RedisConnection } from '../redis.js';

/** Images outlive Discord's signed links only if we keep them, for as long as a job may wait. */
const MEDIA_TTL_SECONDS = 3 * 24 * 3_600;

/** After its job ends, an image stays a day more, so Retry and Remix can use it again. */
const RELEASED_TTL_SECONDS = 24 * 3_600;

/**
 * Input images copied when a command arrives, kept in Redis because every worker on every host
 * can read it. Keys carry the job id so one job's images go together.
 */
export class MediaStore {
	public constructor(
		private readonly redis: RedisConnection,
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

	/** The job is done with these images: they expire in a day instead of three. */
	public async release(...keys: string[]): Promise<void> {
		if (keys.length === 0) return;
		const pipeline = this.redis.pipeline();
		for (const key of keys) pipeline.expire(key, RELEASED_TTL_SECONDS);
		await pipeline.exec();
	}
}
