import { setTimeout as sleep } from 'node:timers/promises';
import { DiscordAPIError } from 'discord.js';
import type { AdminAlerts } from '../discord/admin-alerts.js';
import { progressButtons, resultButtons, retryButtons } from '../discord/components.js';
import type { Replies, ReplyTarget } from '../discord/replies.js';
import { isHandOver, PermanentJobError, type VideoJob, type VideoJobData } from '../jobs/index.js';
import type { Logger } from '../log.js';
import { CATALOG } from '../providers/catalog.js';
import { ProviderError, type ProviderFailure } from '../providers/errors.js';
import { downloadCapped } from '../providers/http.js';
import { modelsFor } from '../providers/plan.js';
import type { ProviderImage, ProviderName, VideoProvider } from '../providers/types.js';
import type { EtaBook } from '../store/eta.js';
import type { JobRecords } from '../store/job-records.js';
import type { MediaStore } from '../store/media.js';
import type { MessageEdits } from '../store/message-edits.js';
import type { Quota } from '../store/quota.js';
import { textsFor, type Progress, type Texts } from '../texts/index.js';
import { needOf } from '../video/need.js';
import type { ImageRef } from '../video/request.js';
import { ProgressThrottle } from './progress.js';

export interface ProcessorDeps {
	/** The providers of the chain, in failover order. */
	readonly providers: ReadonlyMap<ProviderName, VideoProvider>;
	readonly replies: Replies;
	readonly media: MediaStore;
	readonly quota: Quota;
	readonly alerts: AdminAlerts;
	readonly records: JobRecords;
	readonly edits: MessageEdits;
	readonly eta: EtaBook;
	readonly logger: Logger;
	readonly pollIntervalMs: number;
	readonly progressIntervalMs: number;
	readonly generationTimeoutMs: number;
	readonly now?: () => number;
}

/** A provider that is down or out of money hands a job on; a request at fault never does. */
const FAILS_OVER: ReadonlySet<ProviderFailure> = new Set(['credits', 'auth', 'unavailable', 'network', 'rate-limited']);

/**
 * Problems only an admin can fix. Admin alerts stay in English, like the logs they repeat: they go
 * to the bot's operators in ADMIN_CHANNEL_ID, not to a user, so no user's locale applies.
 */
const ALERTS: Partial<Record<ProviderFailure, string>> = {
	credits: 'is out of credits',
	auth: 'does not accept its API key',
};

type Clip = { readonly kind: 'url'; readonly url: string } | { readonly kind: 'bytes'; readonly data: Buffer };

/** The user (or an admin) cancelled the job; `byUserId` clicked the button. */
class CancelledError extends Error {
	public override readonly name = 'CancelledError';

	public constructor(public readonly byUserId: string) {
		super('cancelled');
	}
}

const target = (data: VideoJobData): ReplyTarget => ({
	applicationId: data.interaction.applicationId,
	token: data.interaction.token,
	channelId: data.interaction.channelId,
	userId: data.interaction.userId,
	createdAt: data.interaction.createdAt,
	messageId: data.interaction.messageId,
});

/** The job author's language: every message of the job is in it, from "queued" to the clip. */
const textsOf = (data: VideoJobData): Texts => textsFor(data.interaction.locale);

const mediaKeys = (data: VideoJobData) =>
	[data.request.firstFrame?.key, data.request.lastFrame?.key, data.request.subject?.key].filter((key) => key !== undefined);


/** A failure no later attempt can fix: the user is told now and the quota goes back. */
function isPermanent(error: unknown): boolean {
	if (error instanceof ProviderError) return !error.retryable;
	if (error instanceof DiscordAPIError) return error.status >= 400 && error.status < 500;
	return false;
}

/**
 * Runs one generation as a resumable sequence: submit once per provider (the task id is saved the
 * moment it exists), poll until done, download, attach to the reply. Any step can be re-entered
 * by another worker after a crash or a shutdown without paying twice. Before a task exists, a
 * provider that is down or out of credits hands the job to the next one in the chain.
 */
export function createProcessor(deps: ProcessorDeps) {
	const now = deps.now ?? Date.now;
	const { replies, media, quota, alerts, records, edits } = deps;

	async function checkCancelled(data: VideoJobData): Promise<void> {
		const by = await records.cancelledBy(data.interaction.id);
		if (by !== undefined) throw new CancelledError(by);
	}

	/** Tells the user and gives the quota back. Safe to run twice for one job. */
	async function settleFailure(data: VideoJobData, error: unknown, logger: Logger, throttle?: ProgressThrottle) {
		await quota.release(data.interaction.userId, data.interaction.id);
		await media.release(...mediaKeys(data));
		await records.setState(data.interaction.id, 'failed');
		if (error instanceof ProviderError && error.failure === 'outcome-unknown') {
			await alerts.once(
				`unknown:${data.interaction.id}`,
				`A ${CATALOG[data.provider].label} create call for job ${data.interaction.id} was cut off by a worker crash, so the task may exist and be billed. It was not sent again; the user's quota was given back.`,
			);
		}
		const texts = textsOf(data);
		const content = texts.failed(error, { prompt: data.request.prompt, model: data.model });
		const tell = () => replies.edit(target(data), content, retryButtons(data.interaction.id, texts));
		await (throttle === undefined ? tell() : throttle.edit(tell)).catch((cause: unknown) => {
			logger.warn({ err: cause }, 'could not tell the user about a failed job');
		});
	}

	async function loadImage(provider: ProviderName, ref: ImageRef | undefined): Promise<ProviderImage | undefined> {
		if (ref === undefined) return undefined;
		const data = await media.get(ref.key);
		// The copy is kept for days; losing it means the job waited far too long or Redis lost data.
		if (data === null) throw new ProviderError(provider, 'rejected', `input image ${ref.key} is gone`);
		return { data, contentType: ref.contentType };
	}

	/** Submits on the job's current provider, once; returns the task id or the finished clip. */
	async function submit(job: VideoJob, provider: VideoProvider, logger: Logger): Promise<{ taskId: string } | Clip> {
		const existing = job.data.task?.id;
		if (existing !== undefined) {
			logger.info({ taskId: existing }, 'resuming a submitted task');
			return { taskId: existing };
		}
		// A free provider may simply run again; a paid one whose create call was cut off may have
		// made (and billed) a task we cannot see.
		if (job.data.submittingAt != null && provider.name !== 'preview') {
			throw new ProviderError(provider.name, 'outcome-unknown', 'a create call was interrupted');
		}
		await checkCancelled(job.data);
		const { request } = job.data;
		const input = {
			model: job.data.model,
			request,
			firstFrame: await loadImage(provider.name, request.firstFrame),
			lastFrame: await loadImage(provider.name, request.lastFrame),
			subject: await loadImage(provider.name, request.subject),
		};
		await job.save({ submittingAt: now() });
		let submission;
		try {
			// Deliberately not tied to the shutdown signal: an abandoned create call could bill a
			// task nobody knows about. A shutdown waits for it to return.
			submission = await provider.submit(input);
		} catch (error) {
			// The provider answered (or could not be reached), so no task exists to lose.
			await job.save({ submittingAt: null });
			throw error;
		}
		if (submission.kind === 'video') {
			logger.info({ model: job.data.model, costUsd: submission.costUsd }, 'clip made in the create call');
			return { kind: 'bytes', data: submission.data };
		}
		await job.save({ task: { id: submission.taskId, submittedAt: now() }, submittingAt: null });
		logger.info({ taskId: submission.taskId, model: job.data.model }, 'task submitted');
		return { taskId: submission.taskId };
	}

	async function poll(
		job: VideoJob,
		provider: VideoProvider,
		taskId: string,
		progress: Progress,
		throttle: ProgressThrottle,
		shutdown: AbortSignal,
		logger: Logger,
	): Promise<Clip> {
		const texts = textsOf(job.data);
		await throttle.show(texts.submitted(progress), shutdown);
		const submittedAt = job.data.task?.submittedAt ?? now();
		const eta = await deps.eta.estimate(provider.name, job.data.model).catch(() => undefined);
		for (;;) {
			const elapsed = now() - submittedAt;
			if (elapsed > deps.generationTimeoutMs) {
				throw new ProviderError(provider.name, 'timed-out', `no result after ${Math.round(elapsed / 1000)} s`);
			}
			await checkCancelled(job.data);
			let status;
			try {
				status = await provider.poll(taskId, shutdown);
			} catch (error) {
				// Polling is free and safe to repeat: a passing outage only delays the next look.
				if (!(error instanceof ProviderError) || !error.retryable) throw error;
				logger.warn({ err: error, taskId }, 'poll failed; trying again');
				status = undefined;
			}
			if (status?.state === 'succeeded') {
				if (status.costUsd !== undefined) logger.info({ taskId, costUsd: status.costUsd }, 'provider reported the cost');
				await deps.eta.record(provider.name, job.data.model, now() - submittedAt).catch(() => undefined);
				return { kind: 'url', url: status.videoUrl };
			}
			if (status?.state === 'failed') throw status.error;
			if (status?.state === 'pending') await throttle.offer(texts.generating(progress, elapsed, status.phase, eta));
			await sleep(deps.pollIntervalMs, undefined, { signal: shutdown });
		}
	}

	/** The next provider of the chain, not yet tried, that can serve this request. */
	function nextProvider(data: VideoJobData): { name: ProviderName; model: string } | undefined {
		const tried = new Set([data.provider, ...data.failedOver.map((entry) => entry.provider)]);
		for (const name of deps.providers.keys()) {
			if (tried.has(name)) continue;
			const [model] = modelsFor(name, needOf(data.request));
			if (model !== undefined) return { name, model: model.id };
		}
		return undefined;
	}

	async function generate(
		job: VideoJob,
		throttle: ProgressThrottle,
		shutdown: AbortSignal,
		baseLogger: Logger,
	): Promise<Clip> {
		for (;;) {
			const name = job.data.provider;
			const logger = baseLogger.child({ provider: name });
			const progress = { prompt: job.data.request.prompt, model: job.data.model };
			try {
				const provider = deps.providers.get(name);
				if (provider === undefined) throw new ProviderError(name, 'auth', 'this provider is not configured on this worker');
				const submitted = await submit(job, provider, logger);
				if (!('taskId' in submitted)) return submitted;
				return await poll(job, provider, submitted.taskId, progress, throttle, shutdown, logger);
			} catch (error) {
				// Only before a task exists: a submitted task is paid for and is followed to its end.
				if (!(error instanceof ProviderError) || !FAILS_OVER.has(error.failure) || job.data.task != null) throw error;
				const problem = ALERTS[error.failure];
				if (problem !== undefined) {
					await alerts.once(`${error.failure}:${name}`, `${CATALOG[name].label} ${problem}. Jobs move on to the next provider, if one is configured.`);
				}
				const next = nextProvider(job.data);
				if (next === undefined) throw error;
				logger.warn({ err: error, next: next.name }, 'provider unavailable; failing over');
				await job.save({
					provider: next.name,
					model: next.model,
					failedOver: [...job.data.failedOver, { provider: name, failure: error.failure }],
					task: null,
					submittingAt: null,
				});
			}
		}
	}

	async function deliver(job: VideoJob, clip: Clip, throttle: ProgressThrottle, logger: Logger): Promise<void> {
		const progress = { prompt: job.data.request.prompt, model: job.data.model };
		const reply = target(job.data);
		const limit = job.data.interaction.attachmentSizeLimit;
		const texts = textsOf(job.data);
		await throttle.show(texts.uploading(progress));
		const provider = job.data.provider;
		const download = clip.kind === 'bytes' ? undefined : await downloadCapped(provider, clip.url, limit);
		const data = clip.kind === 'bytes' ? clip.data : download?.ok ? download.data : undefined;
		const elapsed = now() - job.data.enqueuedAt;
		const id = job.data.interaction.id;
		if (data !== undefined && data.length <= limit) {
			const file = { name: 'clip.mp4', data, contentType: 'video/mp4' };
			const content = texts.done(progress, elapsed, job.data.interaction.userId);
			await throttle.edit(() => replies.deliver(reply, content, file, resultButtons(id, texts)));
			logger.info({ bytes: data.length, elapsedMs: elapsed }, 'clip delivered');
		} else if (clip.kind === 'url') {
			const content = texts.tooLargeToUpload(progress, clip.url, limit);
			await throttle.edit(() => replies.deliver(reply, content, undefined, retryButtons(id, texts)));
			logger.warn({ limit }, 'clip over the upload limit; sent a link');
		} else {
			throw new ProviderError(provider, 'too-large', `the clip is over this server's ${limit} byte upload limit`);
		}
	}

	async function process(job: VideoJob, shutdown: AbortSignal): Promise<void> {
		const logger = deps.logger.child({
			jobId: job.id,
			userId: job.data.interaction.userId,
			guildId: job.data.interaction.guildId,
		});
		const reply = target(job.data);
		const buttons = progressButtons(job.data.interaction.id, textsOf(job.data));
		const editProgress = async (content: string) => {
			// A progress edit that fails must never fail the generation behind it.
			await replies.edit(reply, content, buttons).catch((error: unknown) => {
				logger.warn({ err: error }, 'progress edit failed');
			});
		};
		// The bot showed "queued" just before `enqueuedAt`, and its queue watch may have edited since:
		// keep the interval from those edits too.
		const editedElsewhere = Math.max(job.data.enqueuedAt, await edits.lastEdited(job.data.interaction.id));
		const throttle = new ProgressThrottle(editProgress, deps.progressIntervalMs, now, editedElsewhere);

		try {
			if (shutdown.aborted) return await job.handBack();
			await records.setState(job.data.interaction.id, 'running');
			const clip = await generate(job, throttle, shutdown, logger);
			await deliver(job, clip, throttle, logger);
			await media.release(...mediaKeys(job.data));
			await records.setState(job.data.interaction.id, 'done');
		} catch (error) {
			if (isHandOver(error)) throw error;
			if (error instanceof CancelledError) return await settleCancel(job, error.byUserId, throttle, logger);
			if (shutdown.aborted) {
				logger.info('shutting down; handing the job back to the queue');
				return await job.handBack();
			}
			if (!isPermanent(error) && !job.lastAttempt) {
				logger.warn({ err: error }, 'attempt failed; will retry');
				throw error;
			}
			logger.error({ err: error }, 'job failed');
			await settleFailure(job.data, error, logger, throttle);
			throw new PermanentJobError(error);
		}
	}

	/** Stops the task at the provider where it can, gives the quota back and says so. */
	async function settleCancel(job: VideoJob, byUserId: string, throttle: ProgressThrottle, logger: Logger): Promise<void> {
		const { data } = job;
		const taskId = data.task?.id;
		const provider = deps.providers.get(data.provider);
		if (taskId !== undefined && provider?.cancel !== undefined) {
			await provider.cancel(taskId).catch((error: unknown) => logger.warn({ err: error, taskId }, 'provider cancel failed'));
		}
		await quota.release(data.interaction.userId, data.interaction.id);
		await media.release(...mediaKeys(data));
		await records.setState(data.interaction.id, 'cancelled');
		const texts = textsOf(data);
		const content = texts.cancelled({ prompt: data.request.prompt, model: data.model }, byUserId);
		await throttle
			.edit(() => replies.edit(target(data), content, retryButtons(data.interaction.id, texts)))
			.catch((error: unknown) => logger.warn({ err: error }, 'could not show the cancellation'));
		logger.info({ byUserId, taskId }, 'job cancelled');
	}

	/** For jobs that failed without a processor running (they stalled too often). */
	async function abandon(data: VideoJobData, error: Error): Promise<void> {
		const logger = deps.logger.child({ jobId: data.interaction.id, userId: data.interaction.userId });
		logger.error({ err: error }, 'job abandoned after repeated stalls');
		await settleFailure(data, error, logger);
	}

	return { process, abandon };
}
