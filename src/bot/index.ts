import { type AllowedMentionsTypes, Client, Events, GatewayIntentBits, Routes, Status } from 'discord.js';
import { commands } from '../../commands/index.js';
import type { Config } from '../config.js';
import { createInteractionHandler } from '../discord/interactions.js';
import { createSettle } from '../generation/settle.js';
import { VideoJobs } from '../jobs/index.js';
import type { Logger } from '../log.js';
import type { Running } from '../running.js';
import { Replies } from '../discord/replies.js';
import { AdminAlerts } from '../discord/admin-alerts.js';
import { explainTokenRefusal } from '../discord/invite.js';
import { createRest, restOptions } from '../discord/rest.js';
import { createDashboard } from '../jobs/index.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { connectRedis, redisAnswers, untilReady } from '../redis.js';
import { openStores } from '../store/index.js';
import { watchQueue } from './queue-watch.js';

/**
 * Composition root of the bot: the gateway client that answers interactions and enqueues jobs.
 * It never generates anything itself, so it acknowledges well within Discord's 3 s.
 */
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

export async function startBot(config: Config, logger: Logger, metrics: Metrics = createMetrics()): Promise<Running> {
	const redis = connectRedis(config.redis, 'fail-fast');
	redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
	await untilReady(redis, config.redis.url);

	const jobs = new VideoJobs(redis, config.redis.prefix);
	jobs.onError((error) => logger.error({ err: error }, 'queue error'));
	const stores = openStores(redis, config.redis.prefix, config);
	metrics.readQueueDepthFrom(() => jobs.depth());

	const client = new Client({
		...(await shardPlan(config).catch((error: unknown) => {
			throw explainTokenRefusal(error);
		})),
		intents: [GatewayIntentBits.Guilds],
		rest: restOptions(config.discord.apiUrl),
		// Prompts are quoted back into the channel: they must never ping anyone.
		allowedMentions: { parse: [] as AllowedMentionsTypes[], repliedUser: false },
	});
	const admins = new AdminAlerts(client.rest, stores.alerts, config.discord.adminChannelId, logger);
	const context = { ...stores, config, jobs, settle: createSettle(stores), admins, logger };
	const handle = createInteractionHandler(commands, context);
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
		shown: stores.shown,
		replies: new Replies(client.rest),
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
			await client.destroy();
			await dashboard?.close();
			await jobs.close();
			redis.disconnect();
		},
	};
}
