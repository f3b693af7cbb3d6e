import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import process from 'node:process';
import { Routes } from 'discord.js';
import type { Config } from '../config.js';
import { AdminAlerts } from '../discord/admin-alerts.js';
import { explainTokenRefusal } from '../discord/invite.js';
import { discordAttachmentGuard } from '../discord/cdn.js';
import { Replies } from '../discord/replies.js';
import { createRest, WORKER_REST } from '../discord/rest.js';
import { StartupError } from '../errors.js';
import { createReopen, createSettle } from '../generation/settle.js';
import { startVideoWorker } from '../jobs/index.js';
import type { Logger } from '../log.js';
import { FfmpegError, runFfmpeg } from '../media/ffmpeg.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { createProviders } from '../providers/index.js';
import { connectRedis, redisAnswers, untilReady } from '../redis.js';
import type { Running } from '../running.js';
import { openStores } from '../store/index.js';
import { createAdmission } from './admission.js';
import { limitProvider } from './limits.js';
import { createProcessor } from './processor.js';
import { createRenderer } from './render.js';

/** Extra length of the rate window, for the time a create call takes to reach the provider. */
const RATE_MARGIN_MS = 1_000;
/** A task slot is kept at most this long after the generation time-out (a crash, a time-out). */
const SLOT_GRACE_MS = 5 * 60_000;

/**
 * Composition root of a worker: takes jobs from the queue, drives the providers, and answers on
 * Discord over REST only. Any number of them may run, on any hosts.
 */
export async function startWorker(
	config: Config,
	logger: Logger,
	metrics: Metrics = createMetrics(),
): Promise<Running> {
	const redis = connectRedis(config.redis, 'patient');
	redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
	await untilReady(redis, config.redis.url);

	const rest = createRest(config.discord.apiUrl, config.discord.token, WORKER_REST);
	// Checked now rather than at the first clip: the token, and ffmpeg (Extend, renders and the free preview).
	await rest.get(Routes.user('@me')).catch((error: unknown) => {
		throw explainTokenRefusal(error);
	});
	await runFfmpeg({ args: ['-version'], timeoutMs: 10_000 }).catch((error: unknown) => {
		if (!(error instanceof FfmpegError)) throw error;
		throw new StartupError(
			`ffmpeg cannot run (${error.message}); workers need it for Extend, renders and the free preview: install it (Debian: apt-get install ffmpeg)`,
			69,
			{ cause: error },
		);
	});
	rest.on('response', (_request, response) => {
		if (response.status === 429) metrics.discordRateLimited.inc();
	});
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
	// Every download of a member's file (Extend's clip, a sequence's shots) stays on Discord's hosts.
	const attachmentGuard = discordAttachmentGuard(config.discord.apiUrl);
	const processor = createProcessor({
		...stores,
		attachmentGuard,
		providers,
		models: config.models,
		replies: new Replies(rest),
		settle: createSettle(stores),
		reopen: createReopen(stores),
		admit: createAdmission({
			...stores,
			maxActive: config.userMaxActive,
			// Past the generation time-out and the longest delivery, a running job has ended.
			staleAfterMs: config.generationTimeoutMs + 15 * 60_000,
		}),
		prices: config.prices,
		metrics,
		alerts: new AdminAlerts(rest, stores.alerts, config.discord.adminChannelId, logger),
		logger,
		pollIntervalMs: config.pollIntervalMs,
		progressIntervalMs: config.progressIntervalMs,
		generationTimeoutMs: config.generationTimeoutMs,
	});
	const renderer = createRenderer({
		replies: new Replies(rest),
		attachmentGuard,
		edits: stores.edits,
		records: stores.records,
		logger,
		progressIntervalMs: config.progressIntervalMs,
	});
	const worker = startVideoWorker({
		connection: redis,
		prefix: config.redis.prefix,
		concurrency: config.workerConcurrency,
		lockMs: config.jobLockMs,
		logger,
		process: processor.process,
		onAbandoned: processor.abandon,
		render: renderer.process,
		onRenderAbandoned: renderer.abandon,
	});
	// Beats while it runs, so the bot knows a worker will take new jobs.
	const workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
	let lastBeat: Promise<void> = Promise.resolve();
	const beat = () =>
		(lastBeat = stores.workers
			.beat(workerId)
			.catch((error: unknown) => logger.warn({ err: error }, 'heartbeat failed')));
	await beat();
	const beating = setInterval(() => void beat(), 5_000);
	beating.unref();
	logger.info(
		{ providers: config.providers, concurrency: config.workerConcurrency, limits: config.providerLimits, workerId },
		'worker ready',
	);

	return {
		metrics,
		ready: () => redisAnswers(redis),
		close: async () => {
			clearInterval(beating);
			await worker.close();
			// A beat still on its way must not land after the leave.
			await lastBeat;
			await stores.workers.leave(workerId).catch(() => undefined);
			redis.disconnect();
		},
	};
}
