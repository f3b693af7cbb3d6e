import { Redis, type RedisOptions } from 'ioredis';

/**
 * Two kinds of connection, following BullMQ's production guide: commands that answer a user must
 * fail fast when Redis is down (so the user hears about it at once), while blocking worker
 * connections must wait for Redis to come back instead of giving up.
 */
export function connectRedis(url: string, kind: 'fail-fast' | 'patient'): Redis {
	const options = (
		kind === 'fail-fast'
			? { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false }
			: { maxRetriesPerRequest: null, enableOfflineQueue: true }
	) satisfies RedisOptions;
	return new Redis(url, { ...options, connectionName: `clapper-${kind}` });
}

/** Resolves once the connection is ready, so a process does not report itself started too early. */
export async function untilReady(redis: Redis): Promise<void> {
	if (redis.status === 'ready') return;
	await new Promise<void>((resolve, reject) => {
		const onReady = () => {
			redis.off('error', onError);
			resolve();
		};
		const onError = (error: Error) => {
			redis.off('ready', onReady);
			reject(error);
		};
		redis.once('ready', onReady);
		redis.once('error', onError);
	});
}
