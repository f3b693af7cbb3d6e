import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

export const redisUrl = (): string => inject('redisUrl');

/** A unique key prefix per test, so tests sharing one Redis never see each other's keys. */
export const uniquePrefix = (): string => `clapper-test-${randomUUID().slice(0, 8)}`;

export function connect(): Redis {
	return new Redis(redisUrl(), { maxRetriesPerRequest: null });
}

/** Deletes every key under a prefix (SCAN, not KEYS, to be kind to a shared Redis). */
export async function cleanPrefix(redis: Redis, prefix: string): Promise<void> {
	let cursor = '0';
	do {
		const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
		cursor = next;
		if (keys.length > 0) await redis.del(...keys);
	} while (cursor !== '0');
}
