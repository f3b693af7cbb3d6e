import type { RedisConnection } from '../redis.js';

const SAMPLES = 50;
const MIN_SAMPLES = 3;

/**
 * How long generations take on this deployment, per provider and model: the median of the last
 * 50, so the progress message can show an honest estimate instead of a fixed guess.
 */
export class EtaBook {
	public constructor(
		private readonly redis: RedisConnection,
		private readonly prefix: string,
	) {}

	private key(provider: string, model: string): string {
		return `${this.prefix}:eta:${provider}:${model}`;
	}

	public async record(provider: string, model: string, durationMs: number): Promise<void> {
		const key = this.key(provider, model);
		await this.redis
			.multi()
			.lpush(key, Math.round(durationMs))
			.ltrim(key, 0, SAMPLES - 1)
			.exec();
	}

	/** The median duration, or undefined until a few generations have been seen. */
	public async estimate(provider: string, model: string): Promise<number | undefined> {
		const samples = (await this.redis.lrange(this.key(provider, model), 0, -1)).map(Number).filter(Number.isFinite);
		if (samples.length < MIN_SAMPLES) return undefined;
		samples.sort((a, b) => a - b);
		return samples[Math.floor(samples.length / 2)];
	}
}
