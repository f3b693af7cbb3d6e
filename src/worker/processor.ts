import { setTimeout as sleep } from 'node:timers/promises';
import { DiscordAPIError } from 'discord.js';
import type { Replies, ReplyTarget } from '../discord/replies.js';
import { HandedBackError, PermanentJobError, type VideoJob, type VideoJobData } from '../jobs/index.js';
import type { Logger } from '../log.js';
import type { MediaStore } from '../media.js';
import { ProviderError } from '../providers/errors.js';
import { downloadCapped } from '../providers/http.js';
import type { ProviderImage, VideoProvider } from '../providers/types.js';
import type { Quota } from '../quota.js';
import * as texts from '../texts.js';
import type { ImageRef } from '../video/request.js';
import { ProgressThrottle } from './progress.js';

export interface ProcessorDeps {
	readonly provider: VideoProvider;
	readonly replies: Replies;
	readonly media: MediaStore;
	readonly quota: Quota;
	readonly logger: Logger;
	readonly pollIntervalMs: number;
	readonly progressIntervalMs: number;
	readonly generationTimeoutMs: number;
	readonly now?: () => number;
}

const target = (data: VideoJobData): ReplyTarget => ({
	applicationId: data.interaction.applicationId,
	token: data.interaction.token,
	channelId: data.interaction.channelId,
	userId: data.interaction.userId,
	createdAt: data.interaction.createdAt,
	messageId: data.interaction.messageId,
});

const mediaKeys = (data: VideoJobData) =>
	[data.request.firstFrame?.key, data.request.subject?.key].filter((key) => key !== undefined);

/** A failure no later attempt can fix: the user is told now and the quota goes back. */
function isPermanent(error: unknown): boolean {
	if (error instanceof ProviderError) return !error.retryable;
	if (error instanceof DiscordAPIError) return error.status >= 400 && error.status < 500;
	return false;
}

/**
 * Runs one generation as a resumable sequence: submit once (the task id is saved the moment it
 * exists), poll until done, download, attach to the reply. Every step can be re-entered by
 * another worker after a crash or a shutdown without paying twice.
 */
export function createProcessor(deps: ProcessorDeps) {
	const now = deps.now ?? Date.now;
	const { provider, replies, media, quota } = deps;

	/** Tells the user and gives the quota back. Safe to run twice for one job. */
	async function settleFailure(
		data: VideoJobData,
		error: unknown,
		logger: Logger,
		throttle?: ProgressThrottle,
	): Promise<void> {
		await quota.release(data.interaction.userId, data.interaction.id);
		await media.remove(...mediaKeys(data));
		const content = texts.failed(error, { prompt: data.request.prompt, model: data.model });
		const tell = () => replies.edit(target(data), content);
		await (throttle === undefined ? tell() : throttle.edit(tell)).catch((cause: unknown) => {
			logger.warn({ err: cause }, 'could not tell the user about a failed job');
		});
	}

	async function loadImage(ref: ImageRef | undefined): Promise<ProviderImage | undefined> {
		if (ref === undefined) return undefined;
		const data = await media.get(ref.key);
		// The copy is kept for days; losing it means the job waited far too long or Redis lost data.
		if (data === null) throw new ProviderError(provider.name, 'rejected', `input image ${ref.key} is gone`);
		return { data, contentType: ref.contentType };
	}

	async function submit(job: VideoJob, logger: Logger): Promise<string> {
		const existing = job.data.task?.id;
		if (existing !== undefined) {
			logger.info({ taskId: existing }, 'resuming a submitted task');
			return existing;
		}
		if (job.data.submittingAt != null) {
			// A previous worker died inside the create call: the task may exist and be billed.
			throw new ProviderError(provider.name, 'outcome-unknown', 'a create call was interrupted');
		}
		const input = {
			model: job.data.model,
			request: job.data.request,
			firstFrame: await loadImage(job.data.request.firstFrame),
			subject: await loadImage(job.data.request.subject),
		};
		await job.save({ submittingAt: now() });
		let taskId: string;
		try {
			// Deliberately not tied to the shutdown signal: an abandoned create call could bill a
			// task nobody knows about. A shutdown waits for it to return.
			const submission = await provider.submit(input);
			if (submission.kind !== 'task') throw new Error('blocking providers are not wired yet');
			taskId = submission.taskId;
		} catch (error) {
			// The provider answered (or could not be reached), so no task exists to lose.
			await job.save({ submittingAt: null });
			throw error;
		}
		await job.save({ task: { id: taskId, submittedAt: now() }, submittingAt: null });
		logger.info({ taskId, model: job.data.model }, 'task submitted');
		return taskId;
	}

	async function waitForVideo(
		job: VideoJob,
		taskId: string,
		progress: texts.Progress,
		throttle: (content: string) => Promise<void>,
		shutdown: AbortSignal,
		logger: Logger,
	): Promise<string> {
		const submittedAt = job.data.task?.submittedAt ?? now();
		for (;;) {
			const elapsed = now() - submittedAt;
			if (elapsed > deps.generationTimeoutMs) {
				throw new ProviderError(provider.name, 'timed-out', `no result after ${Math.round(elapsed / 1000)} s`);
			}
			let status;
			try {
				status = await provider.poll(taskId, shutdown);
			} catch (error) {
				// Polling is free and safe to repeat: a passing outage only delays the next look.
				if (!(error instanceof ProviderError) || !error.retryable) throw error;
				logger.warn({ err: error, taskId }, 'poll failed; trying again');
				status = undefined;
			}
			if (status?.state === 'succeeded') return status.videoUrl;
			if (status?.state === 'failed') throw status.error;
			if (status?.state === 'pending') await throttle(texts.generating(progress, elapsed, status.phase));
			await sleep(deps.pollIntervalMs, undefined, { signal: shutdown });
		}
	}

	async function process(job: VideoJob, shutdown: AbortSignal): Promise<void> {
		const logger = deps.logger.child({
			jobId: job.id,
			userId: job.data.interaction.userId,
			guildId: job.data.interaction.guildId,
			provider: provider.name,
		});
		const progress = { prompt: job.data.request.prompt, model: job.data.model };
		const reply = target(job.data);
		const editProgress = async (content: string) => {
			// A progress edit that fails must never fail the generation behind it.
			await replies.edit(reply, content).catch((error: unknown) => {
				logger.warn({ err: error }, 'progress edit failed');
			});
		};
		// The bot showed "queued" just before `enqueuedAt`: keep the interval from that edit too.
		const throttle = new ProgressThrottle(editProgress, deps.progressIntervalMs, now, job.data.enqueuedAt);

		try {
			if (shutdown.aborted) return await job.handBack();
			const taskId = await submit(job, logger);
			await throttle.show(texts.submitted(progress), shutdown);
			const videoUrl = await waitForVideo(job, taskId, progress, (c) => throttle.offer(c), shutdown, logger);

			await throttle.show(texts.uploading(progress));
			const limit = job.data.interaction.attachmentSizeLimit;
			const clip = await downloadCapped(provider.name, videoUrl, limit);
			const elapsed = now() - job.data.enqueuedAt;
			if (clip.ok) {
				const file = { name: 'clip.mp4', data: clip.data, contentType: 'video/mp4' };
				await throttle.edit(() => replies.deliver(reply, texts.done(progress, elapsed, job.data.interaction.userId), file));
				logger.info({ bytes: clip.data.length, elapsedMs: elapsed }, 'clip delivered');
			} else {
				await throttle.edit(() => replies.deliver(reply, texts.tooLargeToUpload(progress, videoUrl, limit)));
				logger.warn({ bytes: clip.bytes, limit }, 'clip over the upload limit; sent a link');
			}
			await media.remove(...mediaKeys(job.data));
		} catch (error) {
			if (error instanceof HandedBackError) throw error;
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

	/** For jobs that failed without a processor running (they stalled too often). */
	async function abandon(data: VideoJobData, error: Error): Promise<void> {
		const logger = deps.logger.child({ jobId: data.interaction.id, userId: data.interaction.userId });
		logger.error({ err: error }, 'job abandoned after repeated stalls');
		await settleFailure(data, error, logger);
	}

	return { process, abandon };
}
