import type { Config } from '../config.js';
import { AdminAlerts } from '../discord/admin-alerts.js';
import { Replies } from '../discord/replies.js';
import { createRest } from '../discord/rest.js';
import { createSettle } from '../generation/settle.js';
import { startVideoWorker } from '../jobs/index.js';
import type { Logger } from '../log.js';
import { createProviders } from '../providers/index.js';
import { connectRedis, untilReady } from '../redis.js';
import type { Running } from '../running.js';
import { openStores } from '../store/index.js';
import { createAdmission } from './admission.js';
import { limitProvider } from './limits.js';
import { createProcessor } from './processor.js';

/** Extra length of the rate window, for the time a create call takes to reach the provider. */
const RATE_MARGIN_MS = 1_000;
/** A task slot is kept at most this long after the generation time-out (a crash, a time-out). */
const SLOT_GRACE_MS = 5 * 60_000;

/**
 * Composition root of a worker: takes jobs from the queue, drives the providers, and answers on
 * Discord over REST only. Any number of them may run, on any hosts.
 */
export async function startWorker(config: Config, logger: Logger): Promise<Running> {
	const redis = connectRedis(config.redis.url, 'patient');
	redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
	await untilReady(redis);

	const rest = createRest(config.discord.apiUrl, config.discord.token);
	rest.on('rateLimited', (info) =>
		logger.info({ route: info.route, retryAfter: info.retryAfter }, 'discord rate limit'),
	);

	const stores = openStores(redis, config.redis.prefix);
	// Each provider with a limit is wrapped so every worker counts against the same slots.
	const providers = new Map(
		[...createProviders(config)].map(([name, provider]) => {
			const limit = config.providerLimits[name];
			if (limit === undefined) return [name, provider] as const;
			const settings = {
				...limit,
				windowMs: config.rpmWindowMs + RATE_MARGIN_MS,
				leaseMs: config.generationTimeoutMs + SLOT_GRACE_MS,
			};
			const busyRetryMs = Math.max(1_000, config.pollIntervalMs);
			return [name, limitProvider(provider, { limits: stores.limits, settings, busyRetryMs })] as const;
		}),
	);
	const processor = createProcessor({
		...stores,
		providers,
		replies: new Replies(rest),
		settle: createSettle(stores),
		admit: createAdmission({
			...stores,
			maxActive: config.userMaxActive,
			// Past the generation time-out and the longest delivery, a running job has ended.
			staleAfterMs: config.generationTimeoutMs + 15 * 60_000,
		}),
		prices: config.prices,
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
	logger.info(
		{ providers: config.providers, concurrency: config.workerConcurrency, limits: config.providerLimits },
		'worker ready',
	);

	return {
		close: async () => {
			await worker.close();
			redis.disconnect();
		},
	};
}
