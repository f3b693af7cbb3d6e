import { Redis, type RedisOptions } from 'ioredis';
import { StartupError } from './errors.js';

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

/** True when Redis answers a PING within `ms` (a connection that waits for Redis never hangs this). */
export async function redisAnswers(redis: Redis, ms = 1_000): Promise<boolean> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
	try {
		return await Promise.race([
			redis.ping().then(
				(reply) => reply === 'PONG',
				() => false,
			),
			late,
		]);
	} finally {
		clearTimeout(timer);
	}
}

/** The address of a Redis URL without its credentials, for messages and logs. */
export function redisAddress(url: string): string {
	const parsed = new URL(url);
	return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

/**
 * Resolves once the connection is ready, so a process does not report itself started too early;
 * a Redis that cannot be reached is a `StartupError` that says what to do.
 */
export async function untilReady(redis: Redis, url?: string): Promise<void> {
	try {
		await firstReady(redis);
	} catch (error) {
		const where = url === undefined ? 'Redis' : `Redis at ${redisAddress(url)}`;
		const code = error instanceof Error && 'code' in error ? ` (${String(error.code)})` : '';
		throw new StartupError(`${where} is unreachable${code}: start Redis or set REDIS_URL`, 69, { cause: error });
	}
}

async function firstReady(redis: Redis): Promise<void> {
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
