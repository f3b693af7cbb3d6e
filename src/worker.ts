import { REST } from 'discord.js';
import type { Running } from './bot.js';
import type { Config } from './config.js';
import { ClipStore } from './clips.js';
import { EtaBook } from './eta.js';
import { AdminAlerts } from './discord/admin-alerts.js';
import { Replies } from './discord/replies.js';
import { restTransport } from './discord/rest.js';
import { startVideoWorker } from './jobs/index.js';
import type { Logger } from './log.js';
import { MediaStore } from './media.js';
import { createProviders } from './providers/index.js';
import { Quota } from './quota.js';
import { connectRedis, untilReady } from './redis.js';
import { createProcessor } from './worker/processor.js';

/**
 * Composition root of a worker: takes jobs from the queue, drives the providers, and answers on
 * Discord over REST only. Any number of them may run, on any hosts.
 */
export async function startWorker(config: Config, logger: Logger): Promise<Running> {
	const redis = connectRedis(config.redis.url, 'patient');
	redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
	await untilReady(redis);

	const rest = new REST({ api: config.discord.apiUrl, ...restTransport }).setToken(config.discord.token);
	rest.on('rateLimited', (info) => logger.info({ route: info.route, retryAfter: info.retryAfter }, 'discord rate limit'));

	const processor = createProcessor({
		providers: createProviders(config),
		replies: new Replies(rest),
		media: new MediaStore(redis, config.redis.prefix),
		quota: new Quota(redis, config.redis.prefix, config.userDailyQuota),
		alerts: new AdminAlerts(rest, redis, config.redis.prefix, config.discord.adminChannelId, logger),
		clips: new ClipStore(redis, config.redis.prefix),
		eta: new EtaBook(redis, config.redis.prefix),
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
