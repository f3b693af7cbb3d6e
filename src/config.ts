import { z } from 'zod';
import { CATALOG } from './providers/catalog.js';
import { findModel } from './providers/plan.js';
import { priceTable, priceVariables, type PriceTable } from './providers/prices.js';
import { PROVIDER_NAMES, type ModelLists, type ProviderName, type ProviderSettings } from './providers/types.js';
import type { RedisSettings } from './redis.js';

/** Which process is starting; each needs a different part of the configuration. */
export type Role = 'bot' | 'worker' | 'all' | 'deploy';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const blankIsUnset = (value: unknown): unknown =>
	typeof value === 'string' && value.trim() === '' ? undefined : value;

const text = () => z.preprocess(blankIsUnset, z.string().trim().optional());

const httpUrl = (fallback: string) =>
	z.preprocess(
		blankIsUnset,
		z
			.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
			.default(fallback)
			// Trailing slashes would produce `//v10/...` once paths are appended.
			.transform((url) => url.replace(/\/+$/, '')),
	);

/** One redis:// URL, or (for a cluster's seed nodes or a set of sentinels) several, comma-separated. */
const redisUrls = z.preprocess(
	(value) => (typeof value === 'string' && value.trim() !== '' ? value.split(',').map((url) => url.trim()) : undefined),
	z
		.array(z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL (or several, comma-separated)' }))
		.default(['redis://127.0.0.1:6379']),
);

const wholeNumber = (min: number, max: number) =>
	z.coerce
		.number({ error: 'must be a whole number' })
		.int({ error: 'must be a whole number' })
		.min(min, { error: `must be at least ${min}` })
		.max(max, { error: `must be at most ${max}` });

const integer = (fallback: number, min: number, max: number) =>
	z.preprocess(blankIsUnset, wholeNumber(min, max).default(fallback));

/** A whole number that may be left unset (no limit). */
const optionalInteger = (min: number, max: number) => z.preprocess(blankIsUnset, wholeNumber(min, max).optional());

/** `0`, `1,3`, `0-3` or a mix (`0-2,5`): the shard ids one bot process runs. */
const shardIds = z.preprocess(
	blankIsUnset,
	z
		.string()
		.regex(/^\s*\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*\s*$/, {
			error: 'must be shard ids like 0, 1,3 or 0-3',
		})
		.transform((value, context) => {
			const ids = new Set<number>();
			for (const part of value.split(',')) {
				const [from = 0, to = from] = part.split('-').map((n) => Number(n.trim()));
				if (to < from)
					context.addIssue({ code: 'custom', message: `has a range that runs backwards (${part.trim()})` });
				for (let id = from; id <= to && id - from < 1_000; id++) ids.add(id);
			}
			return [...ids].sort((a, b) => a - b);
		})
		.optional(),
);

const dollars = z.preprocess(
	blankIsUnset,
	z.coerce
		.number({ error: 'must be a number of US dollars, e.g. 0.43' })
		.min(0, { error: 'must be at least 0' })
		.max(1_000, { error: 'must be at most 1000 (US dollars per clip)' })
		.optional(),
);

const snowflake = z.preprocess(
	blankIsUnset,
	z
		.string()
		.regex(/^\d{17,20}$/, { error: 'must be a Discord id (17 to 20 digits)' })
		.optional(),
);

const providerName = z.enum(PROVIDER_NAMES, { error: `must be one of: ${PROVIDER_NAMES.join(', ')}` });

const providerList = z.preprocess(
	(value) =>
		typeof value === 'string' && value.trim() !== ''
			? value
					.split(',')
					.map((item) => item.trim())
					.filter((item) => item !== '')
			: undefined,
	z.array(providerName, { error: `must be a comma-separated list of: ${PROVIDER_NAMES.join(', ')}` }).optional(),
);

/** Every remote provider has a key and a base URL variable, named in the catalog. */
const REMOTE = PROVIDER_NAMES.filter((name) => CATALOG[name].keyEnv !== null);

const providerVariables = Object.fromEntries(
	REMOTE.flatMap((name) => {
		const entry = CATALOG[name];
		return [
			[entry.keyEnv as string, text()],
			[entry.baseUrlEnv as string, httpUrl(entry.defaultBaseUrl as string)],
		];
	}),
) as Record<string, ReturnType<typeof text> | ReturnType<typeof httpUrl>>;

/** `MINIMAX_MODELS`, `FAL_MODELS`, …: the operator's ordered allow-list of a provider's models. */
export const modelsEnv = (provider: ProviderName): string => `${provider.toUpperCase()}_MODELS`;

/** `PRICE_PER_SECOND_MINIMAX_MINIMAX_H3`: the model id upper-cased, every other character `_`. */
export const pricePerSecondEnv = (provider: ProviderName, modelId: string): string =>
	`PRICE_PER_SECOND_${provider.toUpperCase()}_${modelId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/** The models billed per second (they have a list price per second in the catalog). */
const PER_SECOND_MODELS = REMOTE.flatMap((provider) =>
	CATALOG[provider].models
		.filter((model) => model.pricePerSecond !== undefined)
		.map((model) => ({ provider, id: model.id, env: pricePerSecondEnv(provider, model.id) })),
);

const pricePerSecond = z.preprocess(
	blankIsUnset,
	z.coerce
		.number({ error: 'must be a price in US dollars per second, e.g. 0.08' })
		.min(0, { error: 'must be a price in US dollars per second, e.g. 0.08' })
		.max(100, { error: 'must be at most 100 (US dollars per second)' })
		.optional(),
);

const perSecondVariables = Object.fromEntries(PER_SECOND_MODELS.map(({ env }) => [env, pricePerSecond])) as Record<
	string,
	typeof pricePerSecond
>;

/**
 * Reads the `<PROVIDER>_MODELS` allow-lists: comma-separated model ids or the labels the bot shows,
 * in any case, in the operator's order. An unknown name is a problem, named by its position (never
 * its value: a secret pasted there must not reach the logs).
 */
export function parseModelLists(env: NodeJS.ProcessEnv): { lists: ModelLists; problems: string[] } {
	const lists: Partial<Record<ProviderName, readonly string[]>> = {};
	const problems: string[] = [];
	for (const provider of REMOTE) {
		const name = modelsEnv(provider);
		const raw = blankIsUnset(env[name]);
		if (typeof raw !== 'string') continue;
		const ids: string[] = [];
		raw
			.split(',')
			.map((item) => item.trim())
			.filter((item) => item !== '')
			.forEach((item, index) => {
				const model = findModel(provider, item);
				if (model === undefined) {
					const known = CATALOG[provider].models.map((m) => m.label).join(', ');
					problems.push(`${name} item ${index + 1} is not one of ${CATALOG[provider].label}'s models: ${known}`);
				} else if (!ids.includes(model.id)) ids.push(model.id);
			});
		if (ids.length > 0) lists[provider] = ids;
	}
	return { lists, problems };
}
/** `<PROVIDER>_RPM` and `<PROVIDER>_CONCURRENCY`: limits of each remote provider, across all workers. */
const limitVariable = (name: ProviderName, what: 'RPM' | 'CONCURRENCY') => `${name.toUpperCase()}_${what}`;

const providerLimitVariables = Object.fromEntries(
	REMOTE.flatMap((name) => [
		[limitVariable(name, 'RPM'), optionalInteger(1, 100_000)],
		[limitVariable(name, 'CONCURRENCY'), optionalInteger(1, 10_000)],
	]),
) as Record<string, ReturnType<typeof optionalInteger>>;

const PRICES = priceVariables();
const priceSchemas = Object.fromEntries(PRICES.map((variable) => [variable.name, dollars])) as Record<
	string,
	typeof dollars
>;

// Per-second prices belong to the provider clients that report them as their own cost.
const PER_SECOND_PREFIX = 'PRICE_PER_SECOND_';

const schema = z.object({
	DISCORD_TOKEN: text(),
	DISCORD_API_URL: httpUrl('https://discord.com/api'),
	DISCORD_GUILD_ID: snowflake,
	ADMIN_CHANNEL_ID: snowflake,
	REDIS_URL: redisUrls,
	REDIS_MODE: z.preprocess(
		blankIsUnset,
		z.enum(['single', 'cluster', 'sentinel'], { error: 'must be single, cluster or sentinel' }).default('single'),
	),
	REDIS_SENTINEL_NAME: text(),
	REDIS_PREFIX: z.preprocess(
		blankIsUnset,
		z
			.string()
			.regex(/^[A-Za-z0-9:_{}-]{1,64}$/, { error: 'may hold only letters, digits, ":", "_", "-" and braces (1 to 64)' })
			.default('clapper'),
	),
	VIDEO_PROVIDER: z.preprocess(blankIsUnset, providerName.optional()),
	VIDEO_PROVIDERS: providerList,
	...providerVariables,
	...perSecondVariables,
	SEGMIND_MODE: z.preprocess(
		blankIsUnset,
		z.enum(['async', 'blocking'], { error: 'must be async or blocking' }).default('async'),
	),
	POLL_INTERVAL_MS: integer(5_000, 200, 600_000),
	PROGRESS_INTERVAL_MS: integer(3_000, 200, 600_000),
	GENERATION_TIMEOUT_MS: integer(20 * 60_000, 2_000, 24 * 3_600_000),
	USER_DAILY_QUOTA: integer(3, 0, 10_000),
	WORKER_CONCURRENCY: integer(5, 1, 1_000),
	USER_MAX_ACTIVE: integer(1, 1, 1_000),
	USER_MAX_QUEUED: integer(5, 1, 10_000),
	GUILD_DAILY_BUDGET: optionalInteger(0, 1_000_000),
	GLOBAL_DAILY_CAP: optionalInteger(0, 10_000_000),
	...providerLimitVariables,
	...priceSchemas,
	// Tests only: a shorter window for <PROVIDER>_RPM, so a rate test does not wait minutes.
	TEST_RPM_WINDOW_MS: integer(60_000, 1_000, 60_000),
	JOB_LOCK_MS: integer(30_000, 1_000, 600_000),
	LOG_LEVEL: z.preprocess(
		blankIsUnset,
		z.enum(LOG_LEVELS, { error: `must be one of: ${LOG_LEVELS.join(', ')}` }).default('info'),
	),
	HTTP_PORT: optionalInteger(1, 65_535),
	HTTP_HOST: z.preprocess(blankIsUnset, z.string().trim().default('0.0.0.0')),
	DASHBOARD_PASSWORD: text(),
	SHARD_COUNT: optionalInteger(1, 10_000),
	SHARD_IDS: shardIds,
});

type Env = z.infer<typeof schema>;

export interface Config {
	readonly discord: {
		readonly token: string;
		readonly apiUrl: string;
		readonly guildId: string | undefined;
		/** Where credit, key and lost-task problems are reported, once each. */
		readonly adminChannelId: string | undefined;
	};
	readonly redis: RedisSettings & { readonly prefix: string };
	/** The providers jobs may use, in failover order; the first is the default. */
	readonly providers: readonly ProviderName[];
	readonly provider: ProviderName;
	readonly remote: Readonly<Record<Exclude<ProviderName, 'preview'>, ProviderSettings>>;
	readonly segmindMode: 'async' | 'blocking';
	/** The operator's allow-list per provider (`<PROVIDER>_MODELS`), in order; absent: the whole catalog. */
	readonly models: ModelLists;
	/** Configured prices per second by provider and model id (`PRICE_PER_SECOND_<PROVIDER>_<MODEL>`). */
	readonly pricesPerSecond: Readonly<Partial<Record<ProviderName, Readonly<Record<string, number>>>>>;
	readonly pollIntervalMs: number;
	readonly progressIntervalMs: number;
	readonly generationTimeoutMs: number;
	readonly userDailyQuota: number;
	/** A user's jobs being generated at once, across all workers. */
	readonly userMaxActive: number;
	/** A user's jobs waiting to start. */
	readonly userMaxQueued: number;
	/** Clips per server per rolling 24 h, for servers without an `/admin budget`. */
	readonly guildDailyBudget: number | undefined;
	/** Clips per rolling 24 h for the whole deployment. */
	readonly globalDailyCap: number | undefined;
	/** Each provider's limits across all workers: create calls per window, tasks at once. */
	readonly providerLimits: Readonly<Partial<Record<ProviderName, { rpm?: number; concurrency?: number }>>>;
	/** The window `rpm` counts in: 60 s, shorter only in tests. */
	readonly rpmWindowMs: number;
	readonly prices: PriceTable;
	readonly workerConcurrency: number;
	readonly jobLockMs: number;
	readonly logLevel: (typeof LOG_LEVELS)[number];
	/** The process's HTTP server (health, readiness, metrics, dashboard); no server without a port. */
	readonly http: {
		readonly port: number | undefined;
		readonly host: string;
		readonly dashboardPassword: string | undefined;
	};
	/** Shards across all bot processes, and the ones this process runs; unset: Discord's recommendation, all. */
	readonly shards: { readonly count: number | undefined; readonly ids: readonly number[] | undefined };
}

/** Thrown when the environment is unusable; `problems` holds one plain sentence per variable. */
export class ConfigError extends Error {
	public override readonly name = 'ConfigError';

	public constructor(public readonly problems: readonly string[]) {
		super(`The configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
	}
}

/**
 * The provider chain: VIDEO_PROVIDER first, then VIDEO_PROVIDERS in order. Without either, the
 * first provider whose key is set, or the free preview when none is, so a newcomer with only a
 * Discord token sees the bot work.
 */
function providerChain(
	env: NodeJS.ProcessEnv,
	chosen: ProviderName | undefined,
	list: readonly ProviderName[] | undefined,
) {
	const withKey = REMOTE.find((name) => blankIsUnset(env[CATALOG[name].keyEnv as string]) !== undefined);
	const first = chosen ?? list?.[0] ?? withKey ?? 'preview';
	return [...new Set([first, ...(list ?? [])])];
}

/**
 * Parses the process environment once at start-up. Every problem is reported at once, and a
 * message never repeats a value, so a mistyped secret is not printed to the logs.
 */
export function loadConfig(env: NodeJS.ProcessEnv, role: Role): Config {
	const parsed = schema.safeParse(env);
	const problems: string[] = parsed.success
		? []
		: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`);

	const modelLists = parseModelLists(env);
	problems.push(...modelLists.problems);

	// Presence is judged on the raw environment, so one bad value does not hide or invent others.
	const present = (name: string) => blankIsUnset(env[name]) !== undefined;
	if (!present('DISCORD_TOKEN'))
		problems.push('DISCORD_TOKEN is required (the bot token from the Discord developer portal)');
	const known = new Set(PRICES.map((variable) => variable.name));
	for (const name of Object.keys(env).sort()) {
		if (name.startsWith('PRICE_') && !name.startsWith(PER_SECOND_PREFIX) && !known.has(name) && present(name))
			problems.push(`${name} names no provider or model this bot knows (see PRICE_<PROVIDER>_<MODEL> in the README)`);
	}

	if (parsed.success) {
		const chain = providerChain(env, parsed.data.VIDEO_PROVIDER, parsed.data.VIDEO_PROVIDERS);
		// Keys are needed where jobs run; the bot only plans with the catalog.
		if (role === 'worker' || role === 'all') {
			for (const name of chain) {
				const keyEnv = CATALOG[name].keyEnv;
				if (keyEnv !== null && !present(keyEnv)) problems.push(`${keyEnv} is required to use the ${name} provider`);
			}
		}
	}

	if (parsed.success) {
		const { REDIS_MODE: mode, REDIS_URL: urls, REDIS_PREFIX: prefix, REDIS_SENTINEL_NAME: sentinel } = parsed.data;
		if (mode === 'single' && urls.length > 1)
			problems.push('REDIS_URL lists several servers: set REDIS_MODE to cluster or sentinel');
		// Multi-key scripts (quota, settlement, BullMQ's own) need every key in one cluster slot.
		if (mode === 'cluster' && !/\{[^{}]+\}/.test(prefix)) {
			problems.push('REDIS_PREFIX must hold a hash tag on Redis Cluster, e.g. {clapper}, so related keys share a slot');
		}
		if (mode === 'sentinel' && sentinel === undefined)
			problems.push('REDIS_SENTINEL_NAME is required with REDIS_MODE=sentinel (the master set name)');
		const { SHARD_COUNT: count, SHARD_IDS: ids } = parsed.data;
		const beyond = count === undefined ? [] : (ids ?? []).filter((id) => id >= count);
		if (beyond.length > 0)
			problems.push(
				`SHARD_IDS has ${beyond.join(', ')}, but shards are numbered 0 to ${(count ?? 1) - 1} (SHARD_COUNT)`,
			);
	}

	if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
	const e: Env = parsed.data;
	const values = e as unknown as Record<string, string | undefined>;
	const settings = (name: Exclude<ProviderName, 'preview'>): ProviderSettings => ({
		apiKey: values[CATALOG[name].keyEnv as string],
		baseUrl: values[CATALOG[name].baseUrlEnv as string] as string,
	});
	const providers = providerChain(env, e.VIDEO_PROVIDER, e.VIDEO_PROVIDERS);
	const pricesPerSecond: Partial<Record<ProviderName, Record<string, number>>> = {};
	for (const { provider, id, env: name } of PER_SECOND_MODELS) {
		const price = (e as unknown as Record<string, number | undefined>)[name];
		if (price !== undefined) pricesPerSecond[provider] = { ...pricesPerSecond[provider], [id]: price };
	}
	const numbers = e as unknown as Record<string, number | undefined>;
	const providerLimits: Partial<Record<ProviderName, { rpm?: number; concurrency?: number }>> = {};
	for (const name of REMOTE) {
		const rpm = numbers[limitVariable(name, 'RPM')];
		const concurrency = numbers[limitVariable(name, 'CONCURRENCY')];
		if (rpm !== undefined || concurrency !== undefined)
			providerLimits[name] = {
				...(rpm === undefined ? {} : { rpm }),
				...(concurrency === undefined ? {} : { concurrency }),
			};
	}
	return Object.freeze({
		discord: {
			token: e.DISCORD_TOKEN ?? '',
			apiUrl: e.DISCORD_API_URL,
			guildId: e.DISCORD_GUILD_ID,
			adminChannelId: e.ADMIN_CHANNEL_ID,
		},
		redis: {
			url: e.REDIS_URL.join(','),
			urls: e.REDIS_URL,
			mode: e.REDIS_MODE,
			sentinelName: e.REDIS_SENTINEL_NAME,
			prefix: e.REDIS_PREFIX,
		},
		providers,
		provider: providers[0] ?? 'preview',
		remote: {
			minimax: settings('minimax'),
			segmind: settings('segmind'),
			runware: settings('runware'),
			atlascloud: settings('atlascloud'),
			replicate: settings('replicate'),
			fal: settings('fal'),
		},
		segmindMode: e.SEGMIND_MODE,
		models: modelLists.lists,
		pricesPerSecond,
		pollIntervalMs: e.POLL_INTERVAL_MS,
		progressIntervalMs: e.PROGRESS_INTERVAL_MS,
		generationTimeoutMs: e.GENERATION_TIMEOUT_MS,
		userDailyQuota: e.USER_DAILY_QUOTA,
		userMaxActive: e.USER_MAX_ACTIVE,
		userMaxQueued: e.USER_MAX_QUEUED,
		guildDailyBudget: e.GUILD_DAILY_BUDGET,
		globalDailyCap: e.GLOBAL_DAILY_CAP,
		providerLimits,
		rpmWindowMs: e.TEST_RPM_WINDOW_MS,
		prices: priceTable(numbers),
		workerConcurrency: e.WORKER_CONCURRENCY,
		jobLockMs: e.JOB_LOCK_MS,
		logLevel: e.LOG_LEVEL,
		http: { port: e.HTTP_PORT, host: e.HTTP_HOST, dashboardPassword: e.DASHBOARD_PASSWORD },
		shards: { count: e.SHARD_COUNT, ids: e.SHARD_IDS },
	});
}
