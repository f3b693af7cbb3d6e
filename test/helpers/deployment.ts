import type { Redis } from 'ioredis';
import { expect } from 'vitest';
import type { DiscordStandIn, RecordedRequest, StoredMessage } from '../standins/discord.js';
import { startScript, type RunningScript } from './processes.js';
import { cleanPrefix, connect, redisUrl, uniquePrefix } from './redis.js';

/**
 * A deployment under test: the real bot and worker processes, started from their npm scripts'
 * commands, against a Discord stand-in and whatever provider variables the test gives.
 */
export interface Deployment {
	readonly env: Record<string, string>;
	readonly redis: Redis;
	readonly prefix: string;
	bot: RunningScript;
	worker: RunningScript;
	/** Workers started besides the first one. */
	readonly extraWorkers: RunningScript[];
	/** Starts one more worker process on the same queue. */
	addWorker(): Promise<RunningScript>;
	/** SIGKILLs the worker (as a crash would) and starts a fresh one. */
	crashWorker(): Promise<void>;
	/** Starts a fresh bot once the current one has exited (after a SIGKILL, say). */
	restartKilledBot(): Promise<void>;
	/** Starts a fresh worker once the current one has exited. */
	restartWorker(): Promise<void>;
	/** Stops the bot with SIGTERM and starts a new one (a deploy). */
	restartBot(): Promise<void>;
	stop(): Promise<void>;
}

/** The environment of a test deployment: fast polling and short locks, then the test's own. */
export function deploymentEnv(
	discord: DiscordStandIn,
	prefix: string,
	overrides: Record<string, string>,
): Record<string, string> {
	return {
		DISCORD_TOKEN: discord.token,
		DISCORD_API_URL: discord.apiUrl,
		DISCORD_GUILD_ID: discord.guildId,
		REDIS_URL: redisUrl(),
		REDIS_PREFIX: prefix,
		POLL_INTERVAL_MS: '200',
		PROGRESS_INTERVAL_MS: '500',
		JOB_LOCK_MS: '2000',
		LOG_LEVEL: 'info',
		...overrides,
	};
}

/** Variables for one process only (e.g. each its own HTTP_PORT). */
export interface PerProcess {
	readonly bot?: Record<string, string>;
	readonly worker?: Record<string, string>;
}

export async function startDeployment(
	discord: DiscordStandIn,
	overrides: Record<string, string>,
	perProcess: PerProcess = {},
): Promise<Deployment> {
	const redis = connect();
	const prefix = uniquePrefix();
	const env = deploymentEnv(discord, prefix, overrides);
	const startBot = async () => {
		const bot = startScript('start:bot', { ...env, ...perProcess.bot });
		await bot.waitForOutput(/bot ready/);
		return bot;
	};
	const startWorker = async () => {
		const worker = startScript('start:worker', { ...env, ...perProcess.worker });
		await worker.waitForOutput(/worker ready/);
		return worker;
	};
	const [worker, bot] = await Promise.all([startWorker(), startBot()]);
	const deployment: Deployment = {
		env,
		redis,
		prefix,
		bot,
		worker,
		extraWorkers: [],
		async addWorker() {
			const extra = await startWorker();
			deployment.extraWorkers.push(extra);
			return extra;
		},
		async restartKilledBot() {
			await deployment.bot.exited();
			deployment.bot = await startBot();
		},
		async crashWorker() {
			deployment.worker.signal('SIGKILL');
			await deployment.restartWorker();
		},
		async restartWorker() {
			await deployment.worker.exited();
			deployment.worker = await startWorker();
		},
		async restartBot() {
			deployment.bot.signal('SIGTERM');
			await deployment.bot.exited();
			deployment.bot = await startBot();
		},
		async stop() {
			const all = [deployment.bot, deployment.worker, ...deployment.extraWorkers];
			for (const running of all) running.signal('SIGTERM');
			await Promise.all(all.map((running) => running.exited()));
			await cleanPrefix(redis, prefix);
			redis.disconnect();
		},
	};
	return deployment;
}

let users = 0;
/** A fresh user per test keeps quotas apart. */
export const nextUser = (): string => `81234567890124${String(++users).padStart(4, '0')}`;

export const contentOf = (request: RecordedRequest): string =>
	typeof request.body === 'object' && request.body !== null && 'content' in request.body
		? String(request.body.content)
		: '';

export const originalEdits = (discord: DiscordStandIn, token: string): RecordedRequest[] =>
	discord.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/${token}/messages/@original`));

/** Rethrows a time-out with the processes' logs, which say why. */
export const withLogs = (deployment: Deployment) => (error: unknown) => {
	const extra = deployment.extraWorkers.map((worker, i) => `\n--- worker ${i + 2} ---\n${worker.output()}`).join('');
	throw new Error(
		`${String(error)}\n--- bot ---\n${deployment.bot.output()}\n--- worker ---\n${deployment.worker.output()}${extra}`,
	);
};

/** Waits until the reply shows a stage (by its words), e.g. /Generating/. */
export async function untilStage(
	discord: DiscordStandIn,
	deployment: Deployment,
	token: string,
	stage: RegExp,
	timeoutMs = 15_000,
): Promise<void> {
	await discord
		.waitFor(() => originalEdits(discord, token).some((r) => stage.test(contentOf(r))), timeoutMs, `the stage ${stage}`)
		.catch(withLogs(deployment));
}

/** Waits for the clip on the original reply; on a time-out the error carries both processes' logs. */
export async function clipOf(
	discord: DiscordStandIn,
	deployment: Deployment,
	token: string,
	timeoutMs = 25_000,
): Promise<StoredMessage> {
	return discord
		.waitFor(
			() => {
				// The waiting message may carry a first-frame thumbnail; the clip is the MP4.
				const message = discord.original(token);
				return message?.attachments.some((file) => file.filename.endsWith('.mp4')) === true ? message : undefined;
			},
			timeoutMs,
			'the clip on the original reply',
		)
		.catch(withLogs(deployment));
}

/** Waits for the final failure text on the reply. */
export async function failureOf(
	discord: DiscordStandIn,
	deployment: Deployment,
	token: string,
	timeoutMs = 25_000,
): Promise<string> {
	return discord
		.waitFor(
			() =>
				originalEdits(discord, token)
					.map(contentOf)
					.find((content) => content.startsWith('❌')),
			timeoutMs,
			'the failure message',
		)
		.catch(withLogs(deployment));
}

/** Every request that used an interaction's token (webhook routes), in order. */
export const tokenRequests = (discord: DiscordStandIn, token: string): RecordedRequest[] =>
	discord.requests.filter((r) => r.path.includes(`/${token}`));

/** A job's payload as the queue keeps it (BullMQ's hash), to see what it saved for another worker. */
export async function jobDataOf(deployment: Deployment, interactionId: string): Promise<Record<string, unknown>> {
	const raw = await deployment.redis.hget(`${deployment.prefix}:video:video-${interactionId}`, 'data');
	if (raw === null) throw new Error(`no job ${interactionId} in the queue`);
	return JSON.parse(raw) as Record<string, unknown>;
}

/** Waits for a message anywhere (channel, DM) that carries a clip and matches `check`. */
export async function messageWithClip(
	discord: DiscordStandIn,
	deployment: Deployment,
	check: (message: StoredMessage) => boolean,
	timeoutMs = 30_000,
): Promise<StoredMessage> {
	return discord
		.waitFor(
			() =>
				discord.channelMessages().find((m) => m.attachments.some((file) => file.filename.endsWith('.mp4')) && check(m)),
			timeoutMs,
			'a channel message with the clip',
		)
		.catch(withLogs(deployment));
}

/** Anything a test file starts: a deployment stops, a stand-in closes. */
export type Closable = { stop(): Promise<void> } | { close(): Promise<void> };

/**
 * The end of a test file: stops what it started in order, closes the Discord stand-in last, and
 * fails the file if the bot broke one of Discord's rules the stand-in checks (read before anything
 * stops, so a shutdown's own requests are not counted).
 */
export async function closeAll(
	discord: DiscordStandIn | undefined,
	...parts: Array<Closable | undefined>
): Promise<void> {
	const violations = discord?.violations ?? [];
	for (const part of parts) if (part !== undefined) await ('stop' in part ? part.stop() : part.close());
	await discord?.close();
	expect(violations).toEqual([]);
}
