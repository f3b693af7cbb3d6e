import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { priceOf } from '../../src/providers/prices.js';

const minimal = { DISCORD_TOKEN: 'discord-secret-token', VIDEO_PROVIDER: 'minimax', MINIMAX_API_KEY: 'mm-secret' };

function problemsOf(env: NodeJS.ProcessEnv, role: Parameters<typeof loadConfig>[1] = 'all'): readonly string[] {
	try {
		loadConfig(env, role);
	} catch (error) {
		if (error instanceof ConfigError) return error.problems;
		throw error;
	}
	return [];
}

describe('configuration', () => {
	it('applies the documented defaults', () => {
		const config = loadConfig(minimal, 'all');
		expect(config.discord.apiUrl).toBe('https://discord.com/api');
		expect(config.discord.guildId).toBeUndefined();
		expect(config.redis).toEqual({
			url: 'redis://127.0.0.1:6379',
			urls: ['redis://127.0.0.1:6379'],
			mode: 'single',
			sentinelName: undefined,
			prefix: 'clapper',
		});
		expect(config.http).toEqual({ port: undefined, host: '0.0.0.0', dashboardPassword: undefined });
		expect(config.shards).toEqual({ count: undefined, ids: undefined });
		expect(config.remote.minimax.baseUrl).toBe('https://api.minimax.io');
		expect(config.remote.fal.baseUrl).toBe('https://queue.fal.run');
		expect(config.providers).toEqual(['minimax']);
		expect(config.segmindMode).toBe('async');
		expect(config.pollIntervalMs).toBe(5000);
		expect(config.progressIntervalMs).toBe(3000);
		expect(config.userDailyQuota).toBe(3);
		expect(config.logLevel).toBe('info');
	});

	it('lists every problem at once, in plain words', () => {
		const problems = problemsOf({
			POLL_INTERVAL_MS: 'soon',
			USER_DAILY_QUOTA: '-1',
			DISCORD_API_URL: 'ftp://x',
			VIDEO_PROVIDERS: 'runware, sora',
		});
		expect(problems).toEqual(
			expect.arrayContaining([
				expect.stringMatching(/^DISCORD_TOKEN is required/),
				'POLL_INTERVAL_MS must be a whole number',
				'USER_DAILY_QUOTA must be at least 0',
				'DISCORD_API_URL must be an http(s) URL',
				'VIDEO_PROVIDERS.1 must be one of: minimax, segmind, runware, atlascloud, replicate, fal, preview',
			]),
		);
		expect(problems).toHaveLength(5);
	});

	it('never repeats a value, so a secret put in the wrong variable is not printed', () => {
		const secret = 'sk-very-secret-value-1234567890';
		try {
			loadConfig({ ...minimal, VIDEO_PROVIDER: secret, REDIS_URL: secret, DISCORD_GUILD_ID: secret }, 'all');
			expect.unreachable('the configuration should be refused');
		} catch (error) {
			expect(error).toBeInstanceOf(ConfigError);
			expect((error as ConfigError).problems).toHaveLength(3);
			expect((error as Error).message).not.toContain(secret);
		}
	});

	it('needs the keys of the whole failover chain, but only where jobs run', () => {
		const withoutKeys = { DISCORD_TOKEN: 't', VIDEO_PROVIDER: 'minimax', VIDEO_PROVIDERS: 'runware,preview' };
		expect(problemsOf(withoutKeys, 'bot')).toEqual([]);
		expect(problemsOf(withoutKeys, 'worker')).toEqual([
			'MINIMAX_API_KEY is required to use the minimax provider',
			'RUNWARE_API_KEY is required to use the runware provider',
		]);
		expect(problemsOf({ DISCORD_TOKEN: 't' }, 'deploy')).toEqual([]);
	});

	it('defaults to the first provider with a key, or to the free preview without any', () => {
		expect(loadConfig({ DISCORD_TOKEN: 't' }, 'all').providers).toEqual(['preview']);
		expect(loadConfig({ DISCORD_TOKEN: 't', FAL_KEY: 'k' }, 'all').providers).toEqual(['fal']);
		const chain = loadConfig(
			{
				DISCORD_TOKEN: 't',
				VIDEO_PROVIDER: 'segmind',
				VIDEO_PROVIDERS: 'runware, segmind ,preview',
				SEGMIND_API_KEY: 'a',
				RUNWARE_API_KEY: 'b',
			},
			'all',
		);
		expect(chain.providers).toEqual(['segmind', 'runware', 'preview']);
		expect(chain.provider).toBe('segmind');
	});

	it('treats blank values as unset and trims trailing slashes from bases', () => {
		const config = loadConfig(
			{ ...minimal, DISCORD_GUILD_ID: '', MINIMAX_BASE_URL: 'https://gateway.example/minimax/', LOG_LEVEL: ' ' },
			'all',
		);
		expect(config.discord.guildId).toBeUndefined();
		expect(config.remote.minimax.baseUrl).toBe('https://gateway.example/minimax');
		expect(config.logLevel).toBe('info');
	});

	it('refuses an unknown provider and names the known ones', () => {
		expect(problemsOf({ ...minimal, VIDEO_PROVIDER: 'sora' })).toEqual([
			'VIDEO_PROVIDER must be one of: minimax, segmind, runware, atlascloud, replicate, fal, preview',
		]);
	});

	it('reads each provider’s ordered model list by ids or labels in any case, and lists unknown names', () => {
		const config = loadConfig({ ...minimal, MINIMAX_MODELS: ' MiniMax-H3, hailuo-2.3 ,h3,, ', FAL_MODELS: '' }, 'all');
		expect(config.models).toEqual({ minimax: ['MiniMax-H3', 'MiniMax-Hailuo-2.3'] });
		expect(loadConfig(minimal, 'all').models).toEqual({});

		const secret = 'sk-very-secret-value-1234567890';
		const problems = problemsOf({ ...minimal, MINIMAX_MODELS: 'H3, sora', FAL_MODELS: secret }, 'bot');
		expect(problems).toEqual([
			"MINIMAX_MODELS item 2 is not one of MiniMax's models: Hailuo-2.3, Hailuo-2.3-Fast, Hailuo-02, S2V-01, H3, H3-Max, T2V-01-Director, T2V-01, I2V-01-Director, I2V-01, I2V-01-live",
			expect.stringMatching(/^FAL_MODELS item 1 is not one of fal's models: video-01, /),
		]);
		expect(problems.join('\n')).not.toContain(secret);
		expect(problems.join('\n')).not.toContain('sora');
	});

	it('reads a price per second for the models billed by the second, and refuses what is not a price', () => {
		const config = loadConfig({ ...minimal, PRICE_PER_SECOND_MINIMAX_MINIMAX_H3: '0.1' }, 'all');
		expect(config.pricesPerSecond).toEqual({ minimax: { 'MiniMax-H3': 0.1 } });
		expect(loadConfig(minimal, 'all').pricesPerSecond).toEqual({});
		expect(problemsOf({ ...minimal, PRICE_PER_SECOND_MINIMAX_MINIMAX_H3_MAX: 'cheap' })).toEqual([
			'PRICE_PER_SECOND_MINIMAX_MINIMAX_H3_MAX must be a price in US dollars per second, e.g. 0.08',
		]);
		expect(problemsOf({ ...minimal, PRICE_PER_SECOND_MINIMAX_MINIMAX_H3: '-1' })).toEqual([
			'PRICE_PER_SECOND_MINIMAX_MINIMAX_H3 must be a price in US dollars per second, e.g. 0.08',
		]);
	});
});

describe('configuration for operations', () => {
	it('reads shard ids as lists and ranges, and refuses ids beyond the shard count', () => {
		expect(loadConfig({ ...minimal, SHARD_IDS: '0' }, 'bot').shards).toEqual({ count: undefined, ids: [0] });
		expect(loadConfig({ ...minimal, SHARD_IDS: '1, 3', SHARD_COUNT: '4' }, 'bot').shards).toEqual({
			count: 4,
			ids: [1, 3],
		});
		expect(loadConfig({ ...minimal, SHARD_IDS: '0-2,5,1', SHARD_COUNT: '6' }, 'bot').shards.ids).toEqual([0, 1, 2, 5]);
		expect(problemsOf({ ...minimal, SHARD_IDS: '1,3', SHARD_COUNT: '2' }, 'bot')).toEqual([
			'SHARD_IDS has 3, but shards are numbered 0 to 1 (SHARD_COUNT)',
		]);
		expect(problemsOf({ ...minimal, SHARD_IDS: 'first' }, 'bot')).toEqual([
			'SHARD_IDS must be shard ids like 0, 1,3 or 0-3',
		]);
		expect(problemsOf({ ...minimal, SHARD_IDS: '3-1' }, 'bot')).toEqual([
			'SHARD_IDS has a range that runs backwards (3-1)',
		]);
		expect(problemsOf({ ...minimal, SHARD_COUNT: '0' }, 'bot')).toEqual(['SHARD_COUNT must be at least 1']);
	});

	it('reads the HTTP server settings and refuses a port that is not one', () => {
		const config = loadConfig({ ...minimal, HTTP_PORT: '8080', DASHBOARD_PASSWORD: 'pw' }, 'bot');
		expect(config.http).toEqual({ port: 8080, host: '0.0.0.0', dashboardPassword: 'pw' });
		expect(problemsOf({ ...minimal, HTTP_PORT: '70000' }, 'bot')).toEqual(['HTTP_PORT must be at most 65535']);
	});

	it('reaches a cluster through seed nodes with a hash-tagged prefix, and sentinels by their master name', () => {
		const cluster = loadConfig(
			{
				...minimal,
				REDIS_MODE: 'cluster',
				REDIS_URL: 'redis://10.0.0.1:7000, redis://10.0.0.2:7000',
				REDIS_PREFIX: '{clapper}',
			},
			'bot',
		);
		expect(cluster.redis).toMatchObject({
			mode: 'cluster',
			urls: ['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000'],
			prefix: '{clapper}',
		});
		expect(problemsOf({ ...minimal, REDIS_MODE: 'cluster', REDIS_URL: 'redis://10.0.0.1:7000' }, 'bot')).toEqual([
			'REDIS_PREFIX must hold a hash tag on Redis Cluster, e.g. {clapper}, so related keys share a slot',
		]);
		expect(problemsOf({ ...minimal, REDIS_URL: 'redis://a:1,redis://b:2' }, 'bot')).toEqual([
			'REDIS_URL lists several servers: set REDIS_MODE to cluster or sentinel',
		]);
		expect(problemsOf({ ...minimal, REDIS_MODE: 'sentinel', REDIS_URL: 'redis://s1:26379' }, 'bot')).toEqual([
			'REDIS_SENTINEL_NAME is required with REDIS_MODE=sentinel (the master set name)',
		]);
		expect(problemsOf({ ...minimal, REDIS_MODE: 'sharded' }, 'bot')).toEqual([
			'REDIS_MODE must be single, cluster or sentinel',
		]);
	});
});

describe('configuration for spending', () => {
	it('applies the spending defaults: one running and five waiting per user, no budget, cap or provider limit', () => {
		const config = loadConfig(minimal, 'all');
		expect(config.userMaxActive).toBe(1);
		expect(config.userMaxQueued).toBe(5);
		expect(config.guildDailyBudget).toBeUndefined();
		expect(config.globalDailyCap).toBeUndefined();
		expect(config.providerLimits).toEqual({});
		expect(config.rpmWindowMs).toBe(60_000);
	});

	it('reads the spending variables: limits per provider, and prices per provider and per model', () => {
		const config = loadConfig(
			{
				...minimal,
				USER_MAX_ACTIVE: '2',
				USER_MAX_QUEUED: '12',
				GUILD_DAILY_BUDGET: '5',
				GLOBAL_DAILY_CAP: '0',
				MINIMAX_RPM: '20',
				MINIMAX_CONCURRENCY: '2',
				FAL_CONCURRENCY: '1',
				PRICE_MINIMAX: '0.43',
				PRICE_MINIMAX_MINIMAX_HAILUO_02: '0.25',
				PRICE_RUNWARE_MINIMAX_1_1: '0.18',
				// Another part of the bot reads per-second prices; they are not this table's business.
				PRICE_PER_SECOND_MINIMAX_MINIMAX_H3: '0.08',
			},
			'all',
		);
		expect(config).toMatchObject({ userMaxActive: 2, userMaxQueued: 12, guildDailyBudget: 5, globalDailyCap: 0 });
		expect(config.providerLimits).toEqual({ minimax: { rpm: 20, concurrency: 2 }, fal: { concurrency: 1 } });
		expect(priceOf(config.prices, 'minimax', 'MiniMax-Hailuo-02')).toBe(0.25);
		expect(priceOf(config.prices, 'minimax', 'T2V-01-Director')).toBe(0.43);
		expect(priceOf(config.prices, 'runware', 'minimax:1@1')).toBe(0.18);
		expect(priceOf(config.prices, 'runware', 'minimax:2@1')).toBeUndefined();
		// The list prices where nothing is configured.
		expect(priceOf(config.prices, 'segmind', 'minimax-ai')).toBe(0.625);
		expect(priceOf(config.prices, 'preview', 'animatic')).toBe(0);
	});

	it('reports bad spending values in plain words, and price names that match nothing', () => {
		const problems = problemsOf({
			...minimal,
			USER_MAX_ACTIVE: '0',
			USER_MAX_QUEUED: 'many',
			GLOBAL_DAILY_CAP: '-3',
			MINIMAX_RPM: '4.5',
			PRICE_MINIMAX: 'cheap',
			PRICE_MINIMAX_T2V01: '0.4',
			TEST_RPM_WINDOW_MS: '600000',
		});
		expect(problems).toEqual([
			'USER_MAX_ACTIVE must be at least 1',
			'USER_MAX_QUEUED must be a whole number',
			'GLOBAL_DAILY_CAP must be at least 0',
			'MINIMAX_RPM must be a whole number',
			'PRICE_MINIMAX must be a number of US dollars, e.g. 0.43',
			'TEST_RPM_WINDOW_MS must be at most 60000',
			'PRICE_MINIMAX_T2V01 names no provider or model this bot knows (see PRICE_<PROVIDER>_<MODEL> in the README)',
		]);
		expect(problems.join('\n')).not.toContain('cheap');
	});
});
