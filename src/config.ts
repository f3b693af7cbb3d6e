import { z } from 'zod';

/** Which process is starting; each needs a different part of the configuration. */
export type Role = 'bot' | 'worker' | 'all' | 'deploy';

export const PROVIDERS = ['minimax'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

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

const redisUrl = z.preprocess(
	blankIsUnset,
	z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).default('redis://127.0.0.1:6379'),
);

const integer = (fallback: number, min: number, max: number) =>
	z.preprocess(
		blankIsUnset,
		z.coerce
			.number({ error: 'must be a whole number' })
			.int({ error: 'must be a whole number' })
			.min(min, { error: `must be at least ${min}` })
			.max(max, { error: `must be at most ${max}` })
			.default(fallback),
	);

const snowflake = z.preprocess(
	blankIsUnset,
	z
		.string()
		.regex(/^\d{17,20}$/, { error: 'must be a Discord id (17 to 20 digits)' })
		.optional(),
);

const schema = z.object({
	DISCORD_TOKEN: text(),
	DISCORD_API_URL: httpUrl('https://discord.com/api'),
	DISCORD_GUILD_ID: snowflake,
	REDIS_URL: redisUrl,
	REDIS_PREFIX: z.preprocess(
		blankIsUnset,
		z
			.string()
			.regex(/^[A-Za-z0-9:_-]{1,64}$/, { error: 'may hold only letters, digits, ":", "_" and "-" (1 to 64)' })
			.default('clapper'),
	),
	VIDEO_PROVIDER: z.preprocess(
		blankIsUnset,
		z.enum(PROVIDERS, { error: `must be one of: ${PROVIDERS.join(', ')}` }).optional(),
	),
	MINIMAX_API_KEY: text(),
	MINIMAX_BASE_URL: httpUrl('https://api.minimax.io'),
	POLL_INTERVAL_MS: integer(5_000, 200, 600_000),
	PROGRESS_INTERVAL_MS: integer(3_000, 200, 600_000),
	GENERATION_TIMEOUT_MS: integer(20 * 60_000, 10_000, 24 * 3_600_000),
	USER_DAILY_QUOTA: integer(3, 0, 10_000),
	WORKER_CONCURRENCY: integer(5, 1, 100),
	JOB_LOCK_MS: integer(30_000, 1_000, 600_000),
	LOG_LEVEL: z.preprocess(
		blankIsUnset,
		z.enum(LOG_LEVELS, { error: `must be one of: ${LOG_LEVELS.join(', ')}` }).default('info'),
	),
});

type Env = z.infer<typeof schema>;

export interface Config {
	readonly discord: {
		readonly token: string;
		readonly apiUrl: string;
		readonly guildId: string | undefined;
	};
	readonly redis: { readonly url: string; readonly prefix: string };
	readonly provider: ProviderName;
	readonly minimax: { readonly apiKey: string | undefined; readonly baseUrl: string };
	readonly pollIntervalMs: number;
	readonly progressIntervalMs: number;
	readonly generationTimeoutMs: number;
	readonly userDailyQuota: number;
	readonly workerConcurrency: number;
	readonly jobLockMs: number;
	readonly logLevel: (typeof LOG_LEVELS)[number];
}

/** Thrown when the environment is unusable; `problems` holds one plain sentence per variable. */
export class ConfigError extends Error {
	public override readonly name = 'ConfigError';

	public constructor(public readonly problems: readonly string[]) {
		super(`The configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
	}
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
	// Presence is judged on the raw environment, so one bad value does not hide or invent others.
	const present = (name: keyof Env) => blankIsUnset(env[name]) !== undefined;
	const required = (name: keyof Env, why: string) => {
		if (!present(name)) problems.push(`${name} is required ${why}`);
	};
	required('DISCORD_TOKEN', '(the bot token from the Discord developer portal)');
	if (role !== 'deploy') required('VIDEO_PROVIDER', `(one of: ${PROVIDERS.join(', ')})`);
	if ((role === 'worker' || role === 'all') && env['VIDEO_PROVIDER']?.trim() === 'minimax') {
		required('MINIMAX_API_KEY', 'when VIDEO_PROVIDER is minimax');
	}

	if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
	const e = parsed.data;
	return Object.freeze({
		discord: { token: e.DISCORD_TOKEN ?? '', apiUrl: e.DISCORD_API_URL, guildId: e.DISCORD_GUILD_ID },
		redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
		provider: e.VIDEO_PROVIDER ?? 'minimax',
		minimax: { apiKey: e.MINIMAX_API_KEY, baseUrl: e.MINIMAX_BASE_URL },
		pollIntervalMs: e.POLL_INTERVAL_MS,
		progressIntervalMs: e.PROGRESS_INTERVAL_MS,
		generationTimeoutMs: e.GENERATION_TIMEOUT_MS,
		userDailyQuota: e.USER_DAILY_QUOTA,
		workerConcurrency: e.WORKER_CONCURRENCY,
		jobLockMs: e.JOB_LOCK_MS,
		logLevel: e.LOG_LEVEL,
	});
}
