import { AllowedMentionsTypes, Client, Events, GatewayIntentBits } from 'discord.js';
import { commands } from '../commands/index.js';
import type { Config } from './config.js';
import { createInteractionHandler } from './discord/interactions.js';
import { createSettle } from './generation/settle.js';
import { VideoJobs } from './jobs/index.js';
import type { Logger } from './log.js';
import { watchQueue } from './queue-watch.js';
import { Replies } from './discord/replies.js';
import { connectRedis, untilReady } from './redis.js';
import { JobRecords } from './store/job-records.js';
import { MediaStore } from './store/media.js';
import { MessageEdits } from './store/message-edits.js';
import { PopularStore } from './store/popular.js';
import { ShownPositions } from './store/positions.js';
import { Quota } from './store/quota.js';

export interface Running {
	close(): Promise<void>;
}

/**
 * Composition root of the bot: the gateway client that answers interactions and enqueues jobs.
 * It never generates anything itself, so it acknowledges well within Discord's 3 s.
 */
export async function startBot(config: Config, logger: Logger): Promise<Running> {
	const redis = connectRedis(config.redis.url, 'fail-fast');
	redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
	await untilReady(redis);

	const jobs = new VideoJobs(redis, config.redis.prefix);
	const quota = new Quota(redis, config.redis.prefix, config.userDailyQuota);
	const media = new MediaStore(redis, config.redis.prefix);
	const records = new JobRecords(redis, config.redis.prefix);
	jobs.onError((error) => logger.error({ err: error }, 'queue error'));
	const context = {
		config,
		jobs,
		quota,
		media,
		records,
		settle: createSettle({ quota, media, records }),
		popular: new PopularStore(redis, config.redis.prefix),
		logger,
	};

	const client = new Client({
		intents: [GatewayIntentBits.Guilds],
		rest: { api: config.discord.apiUrl },
		// Prompts are quoted back into the channel: they must never ping anyone.
		allowedMentions: { parse: [] as AllowedMentionsTypes[], repliedUser: false },
	});
	const handle = createInteractionHandler(commands, context);
	client.on(Events.InteractionCreate, (interaction) => {
		handle(interaction).catch((error: unknown) => logger.error({ err: error }, 'interaction handler crashed'));
	});
	client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
	client.on(Events.ShardDisconnect, (event, shardId) => logger.warn({ code: event.code, shardId }, 'gateway disconnected'));

	const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
	await client.login(config.discord.token);
	await ready;
	logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'bot ready');
	const watcher = watchQueue({
		jobs,
		edits: new MessageEdits(redis, config.redis.prefix),
		shown: new ShownPositions(redis, config.redis.prefix),
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
