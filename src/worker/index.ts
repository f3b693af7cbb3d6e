import type { Config } from '../config.js';
import { AdminAlerts } from '../discord/admin-alerts.js';
import { Replies } from '../discord/replies.js';
import { createRest, WORKER_REST } from '../discord/rest.js';
import { createSettle } from '../generation/settle.js';
import { startVideoWorker } from '../jobs/index.js';
import type { Logger } from '../log.js';
import { createProviders } from '../providers/index.js';
import { connectRedis, untilReady } from '../redis.js';
import type { Running } from '../running.js';
import { openStores } from '../store/index.js';
import { createProcessor } from './processor.js';

/**
 * Composition root of a worker: takes jobs from the queue, drives the providers, and answers on
 * Discord over REST only. Any number of them may run, on any hosts.
 */
export async function startWorker(config: Config, logger: Logger): Promise<Running> {
	const redis = connectRedis(config.redis.url, 'patient');
	redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
	await untilReady(redis);

	const rest = createRest(config.discord.apiUrl, config.discord.token, WORKER_REST);
	rest.on('rateLimited', (info) =>
		logger.info({ route: info.route, retryAfter: info.retryAfter }, 'discord rate limit'),
	);

	const stores = openStores(redis, config.redis.prefix, config);
	const processor = createProcessor({
		...stores,
		providers: createProviders(config),
		replies: new Replies(rest),
		settle: createSettle(stores),
		alerts: new AdminAlerts(rest, stores.alerts, config.discord.adminChannelId, logger),
		logger,
		pollIntervalMs: config.pollIntervalMs,
		progressIntervalMs: config.progressIntervalMs,
		generationTimeoutMs: config.generationTimeoutMs,
	});
	const worker = startVideoWorker({
		connection: redis,
		prefix: config.redis.prefix,
		concurrency: config.workerConcurrency,
		lockMs: config.jobLockMs,
		logger,
		process: processor.process,
		onAbandoned: processor.abandon,
	});
	logger.info({ providers: config.providers, concurrency: config.workerConcurrency }, 'worker ready');

	return {
		close: async () => {
			await worker.close();
			redis.disconnect();
		},
	};
}
