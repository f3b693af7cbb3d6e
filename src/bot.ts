import { AllowedMentionsTypes, Client, Events, GatewayIntentBits } from 'discord.js';
import { commands } from '../commands/index.js';
import { ClipStore } from './clips.js';
import type { Config } from './config.js';
import { createInteractionHandler } from './discord/interactions.js';
import { VideoJobs } from './jobs/index.js';
import type { Logger } from './log.js';
import { MediaStore } from './media.js';
import { watchQueue } from './queue-watch.js';
import { Replies } from './discord/replies.js';
import { restTransport } from './discord/rest.js';
import { Quota } from './quota.js';
import { connectRedis, untilReady } from './redis.js';
import { PopularStore } from './video/popular.js';

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
	jobs.onError((error) => logger.error({ err: error }, 'queue error'));
	const context = {
		config,
		jobs,
		quota: new Quota(redis, config.redis.prefix, config.userDailyQuota),
		media: new MediaStore(redis, config.redis.prefix),
		clips: new ClipStore(redis, config.redis.prefix),
		popular: new PopularStore(redis, config.redis.prefix),
		logger,
	};

	const client = new Client({
		intents: [GatewayIntentBits.Guilds],
		rest: { api: config.discord.apiUrl, ...restTransport },
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
		clips: context.clips,
		replies: new Replies(client.rest),
		redis,
		prefix: config.redis.prefix,
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
