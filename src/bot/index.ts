import { randomUUID } from 'node:crypto';
import { type AllowedMentionsTypes, Client, Events, GatewayIntentBits, Routes, Status } from 'discord.js';
import { commands, messageCommands } from '../../commands/index.js';
import type { Config } from '../config.js';
import { AdminAlerts } from '../discord/admin-alerts.js';
import { discordAttachmentGuard } from '../discord/cdn.js';
import { createInteractionHandler } from '../discord/interactions.js';
import { explainTokenRefusal } from '../discord/invite.js';
import { Replies } from '../discord/replies.js';
import { createRest, restOptions } from '../discord/rest.js';
import { createSettle } from '../generation/settle.js';
import { createDashboard, VideoJobs } from '../jobs/index.js';
import type { Logger } from '../log.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { connectRedis, redisAnswers, untilReady } from '../redis.js';
import type { Running } from '../running.js';
import { openStores } from '../store/index.js';
import { keepBoards } from './boards.js';
import { reapIntakes } from './intake-reaper.js';
import { watchQueue } from './queue-watch.js';

/**
 * The shards this process opens, and how many there are in all: SHARD_IDS (all when unset) of
 * SHARD_COUNT (Discord's recommendation when unset). With neither, discord.js asks Discord.
 */
async function shardPlan(config: Config): Promise<{ shards: number[] | 'auto'; shardCount?: number }> {
	const { ids, count } = config.shards;
	if (ids === undefined && count === undefined) return { shards: 'auto' };
	const total =
		count ??
		(
			(await createRest(config.discord.apiUrl, config.discord.token).get(Routes.gatewayBot())) as {
				readonly shards: number;
			}
		).shards;
	const beyond = (ids ?? []).filter((id) => id >= total);
	if (beyond.length > 0)
		throw new Error(
			`SHARD_IDS has ${beyond.join(', ')}, but Discord recommends ${total} shards (0 to ${total - 1}); set SHARD_COUNT`,
		);
	return { shards: [...(ids ?? Array.from({ length: total }, (_, id) => id))], shardCount: total };
}

/**
 * Composition root of the bot: the gateway client that answers interactions and enqueues jobs.
 * It never generates anything itself, so it acknowledges well within Discord's 3 s.
 */
export async function startBot(config: Config, logger: Logger, metrics: Metrics = createMetrics()): Promise<Running> {
	const redis = connectRedis(config.redis, 'fail-fast');
	redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
	await untilReady(redis, config.redis.url);

	const stores = openStores(redis, config.redis.prefix);
	const jobs = new VideoJobs(redis, config.redis.prefix, stores.rounds);
	jobs.onError((error) => logger.error({ err: error }, 'queue error'));
	metrics.readQueueDepthFrom(() => jobs.depth());
	// This process's name in the reservations it makes, so another bot can tell whether it died.
	const owner = randomUUID();
	const settle = createSettle(stores);

	const client = new Client({
		...(await shardPlan(config).catch((error: unknown) => {
			throw explainTokenRefusal(error);
		})),
		intents: [GatewayIntentBits.Guilds],
		rest: restOptions(config.discord.apiUrl),
		// Prompts are quoted back into the channel: they must never ping anyone.
		allowedMentions: { parse: [] as AllowedMentionsTypes[], repliedUser: false },
	});
	client.rest.on('response', (_request, response) => {
		if (response.status === 429) metrics.discordRateLimited.inc();
	});
	const replies = new Replies(client.rest);
	const admins = new AdminAlerts(client.rest, stores.alerts, config.discord.adminChannelId, logger);
	const boards = keepBoards({
		sequences: stores.sequences,
		edits: stores.edits,
		rest: client.rest,
		intervalMs: config.progressIntervalMs,
		logger,
	});
	const attachmentGuard = discordAttachmentGuard(config.discord.apiUrl);
	const context = { ...stores, config, jobs, settle, owner, admins, metrics, logger, replies, boards, attachmentGuard };
	const reaper = reapIntakes({ ...stores, owner, jobs, settle, replies, logger });
	await reaper.ready;
	const handle = createInteractionHandler(commands, context, messageCommands);
	client.on(Events.InteractionCreate, (interaction) => {
		handle(interaction).catch((error: unknown) => logger.error({ err: error }, 'interaction handler crashed'));
	});
	client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
	client.on(Events.ShardDisconnect, (event, shardId) =>
		logger.warn({ code: event.code, shardId }, 'gateway disconnected'),
	);

	const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
	await client.login(config.discord.token).catch((error: unknown) => {
		throw explainTokenRefusal(error);
	});
	await ready;
	reaper.sweep();
	boards.start();
	const shards = [...client.ws.shards.keys()];
	logger.info(
		{ user: client.user?.tag, guilds: client.guilds.cache.size, shards, shardCount: client.options.shardCount },
		'bot ready',
	);
	const dashboard =
		config.http.dashboardPassword === undefined
			? undefined
			: createDashboard(redis, config.redis.prefix, '/admin/queues');
	const watcher = watchQueue({
		jobs,
		edits: stores.edits,
		records: stores.records,
		shown: stores.shown,
		replies,
		intervalMs: config.progressIntervalMs,
		logger,
	});

	return {
		metrics,
		dashboard: dashboard?.router,
		ready: async () =>
			(await redisAnswers(redis)) &&
			client.ws.shards.size > 0 &&
			client.ws.shards.every((shard) => shard.status === Status.Ready),
		close: async () => {
			watcher.stop();
			reaper.stop();
			boards.stop();
			await client.destroy();
			await dashboard?.close();
			await jobs.close();
			redis.disconnect();
		},
	};
}
