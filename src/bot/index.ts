import { type AllowedMentionsTypes, Client, Events, GatewayIntentBits } from 'discord.js';
import { commands } from '../../commands/index.js';
import type { Config } from '../config.js';
import { createInteractionHandler } from '../discord/interactions.js';
import { createSettle } from '../generation/settle.js';
import { VideoJobs } from '../jobs/index.js';
import type { Logger } from '../log.js';
import type { Running } from '../running.js';
import { Replies } from '../discord/replies.js';
import { restOptions } from '../discord/rest.js';
import { connectRedis, untilReady } from '../redis.js';
import { openStores } from '../store/index.js';
import { watchQueue } from './queue-watch.js';

/**
 * Composition root of the bot: the gateway client that answers interactions and enqueues jobs.
 * It never generates anything itself, so it acknowledges well within Discord's 3 s.
 */
export async function startBot(config: Config, logger: Logger): Promise<Running> {
	const redis = connectRedis(config.redis.url, 'fail-fast');
	redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
	await untilReady(redis);

	const jobs = new VideoJobs(redis, config.redis.prefix);
	jobs.onError((error) => logger.error({ err: error }, 'queue error'));
	const stores = openStores(redis, config.redis.prefix, config);
	const context = { ...stores, config, jobs, settle: createSettle(stores), logger };

	const client = new Client({
		intents: [GatewayIntentBits.Guilds],
		rest: restOptions(config.discord.apiUrl),
		// Prompts are quoted back into the channel: they must never ping anyone.
		allowedMentions: { parse: [] as AllowedMentionsTypes[], repliedUser: false },
	});
	const handle = createInteractionHandler(commands, context);
	client.on(Events.InteractionCreate, (interaction) => {
		handle(interaction).catch((error: unknown) => logger.error({ err: error }, 'interaction handler crashed'));
	});
	client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
	client.on(Events.ShardDisconnect, (event, shardId) =>
		logger.warn({ code: event.code, shardId }, 'gateway disconnected'),
	);

	const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
	await client.login(config.discord.token);
	await ready;
	logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'bot ready');
	const watcher = watchQueue({
		jobs,
		edits: stores.edits,
		records: stores.records,
		shown: stores.shown,
		replies: new Replies(client.rest),
		intervalMs: config.progressIntervalMs,
		logger,
	});

	return {
		close: async () => {
			watcher.stop();
			await client.destroy();
			await jobs.close();
			redis.disconnect();
		},
	};
}
