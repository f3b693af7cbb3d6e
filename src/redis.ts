import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { StartupError } from './errors.js';

/** A connection to one Redis, or to a Redis Cluster: every store and the queue take either. */
export type RedisConnection = Redis | Cluster;

/**
 * Two kinds of connection, following BullMQ's production guide: commands that answer a user must
 * fail fast when Redis is down (so the user hears about it at once), while blocking worker
 * connections must wait for Redis to come back instead of giving up.
 */
export function connectRedis(settings: RedisSettings, kind: 'fail-fast' | 'patient'): RedisConnection {
	const options = (
		kind === 'fail-fast'
			? { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false }
			: { maxRetriesPerRequest: null, enableOfflineQueue: true }
	) satisfies RedisOptions;
	const named = { ...options, connectionName: `clapper-${kind}` };
	const [first = 'redis://127.0.0.1:6379'] = settings.urls;
	switch (settings.mode) {
		case 'single':
			return new Redis(first, named);
		case 'cluster':
			// Seed nodes; the client learns the rest. Credentials and TLS come from the first URL.
			return new Cluster(settings.urls.map(nodeOf), {
				enableOfflineQueue: options.enableOfflineQueue,
				redisOptions: { ...named, ...credentialsOf(first) },
			});
		case 'sentinel':
			return new Redis({
				...named,
				...credentialsOf(first),
				sentinels: settings.urls.map(nodeOf),
				name: settings.sentinelName ?? 'mymaster',
			});
	}
}

/** How to reach Redis: one server, a cluster's seed nodes, or the sentinels of a master set. */
export interface RedisSettings {
	/** The URLs as configured, comma-separated (for messages). */
	readonly url: string;
	readonly urls: readonly string[];
	readonly mode: 'single' | 'cluster' | 'sentinel';
	readonly sentinelName: string | undefined;
}

function nodeOf(url: string): { host: string; port: number } {
	const parsed = new URL(url);
	return { host: parsed.hostname, port: Number(parsed.port || 6379) };
}

function credentialsOf(url: string): Pick<RedisOptions, 'username' | 'password' | 'tls'> {
	const parsed = new URL(url);
	return {
		...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
		...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
		...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
	};
}

/** True when Redis answers a PING within `ms` (a connection that waits for Redis never hangs this). */
export async function redisAnswers(redis: RedisConnection, ms = 1_000): Promise<boolean> {
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
	return url
		.split(',')
		.map((one) => {
			const parsed = new URL(one.trim());
			return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
		})
		.join(', ');
}

/**
 * Resolves once the connection is ready, so a process does not report itself started too early;
 * a Redis that cannot be reached is a `StartupError` that says what to do.
 */
export async function untilReady(redis: RedisConnection, url?: string): Promise<void> {
	try {
		await firstReady(redis);
	} catch (error) {
		const where = url === undefined ? 'Redis' : `Redis at ${redisAddress(url)}`;
		const code = error instanceof Error && 'code' in error ? ` (${String(error.code)})` : '';
		throw new StartupError(`${where} is unreachable${code}: start Redis or set REDIS_URL`, 69, { cause: error });
	}
}

async function firstReady(redis: RedisConnection): Promise<void> {
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
