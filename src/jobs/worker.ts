import { DelayedError, Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { RedisConnection } from '../redis.js';
import { z } from 'zod';
import type { Logger } from '../log.js';
import { renderJobSchema, videoJobSchema, type RenderJobData, type VideoJobData } from './payload.js';
import { JOB_NAMES, jobLogFields, VIDEO_QUEUE, type QueuedData } from './queue.js';

/** Thrown by `VideoJob.handBack`; a processor lets it pass so the job returns to the queue. */
export class HandedBackError extends Error {
	public override readonly name = 'HandedBackError';
}

/** Thrown by `VideoJob.postpone`; a processor lets it pass so the job waits and starts again later. */
export class PostponedError extends Error {
	public override readonly name = 'PostponedError';
}

/** Thrown by a processor to fail a job at once, without the remaining attempts. */
export class PermanentJobError extends Error {
	public override readonly name = 'PermanentJobError';

	public constructor(public readonly reason: unknown) {
		super(reason instanceof Error ? reason.message : String(reason), { cause: reason });
	}
}

/** What a processor sees of its job: its data, a way to save progress, and its attempt. */
export interface JobHandle<D> {
	readonly id: string;
	readonly data: D;
	/** True on the last attempt: a failure now is final and the user must be told. */
	readonly lastAttempt: boolean;
	save(patch: Partial<D>): Promise<void>;
	/** Hands the job back to the queue for another worker (used on shutdown). Never returns. */
	handBack(): Promise<never>;
	/** Puts the job aside for `ms` without using an attempt (a provider's rate limit). Never returns. */
	postpone(ms: number): Promise<never>;
}

/** A clip's job. */
export interface VideoJob extends JobHandle<VideoJobData> {
	/** Its round in the round-robin between users (its priority; 0 when it has none). */
	readonly round: number;
}

/** A sequence's render. */
export type RenderJob = JobHandle<RenderJobData>;

/** True for the errors `handBack` and `postpone` throw: a processor must let them pass. */
export const isHandOver = (error: unknown): boolean =>
	error instanceof HandedBackError || error instanceof PostponedError;

export interface VideoWorkerOptions {
	readonly connection: RedisConnection;
	readonly prefix: string;
	readonly concurrency: number;
	readonly lockMs: number;
	readonly logger: Logger;
	readonly process: (job: VideoJob, shutdown: AbortSignal) => Promise<void>;
	/** A job failed for good without its processor running (it stalled too often). */
	readonly onAbandoned: (data: VideoJobData, error: Error) => Promise<void>;
	readonly render: (job: RenderJob, shutdown: AbortSignal) => Promise<void>;
	readonly onRenderAbandoned: (data: RenderJobData, error: Error) => Promise<void>;
}

export interface VideoWorker {
	/** Stops taking jobs, hands in-flight ones back to the queue and closes. */
	close(): Promise<void>;
}

export function startVideoWorker(options: VideoWorkerOptions): VideoWorker {
	const shutdown = new AbortController();
	const { logger } = options;

	/** The narrow handle a processor gets: its data (saved as it changes), its attempt, hand-overs. */
	function handleOf<D extends QueuedData>(job: Job<QueuedData>, parsed: D, token: string | undefined): JobHandle<D> {
		let data = parsed;
		return {
			id: job.id ?? data.interaction.id,
			get data() {
				return data;
			},
			lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
			save: async (patch) => {
				data = { ...data, ...patch };
				await job.updateData(data);
			},
			handBack: async () => {
				await job.moveToWait(token);
				throw new HandedBackError('handed back to the queue');
			},
			postpone: async (ms) => {
				await job.moveToDelayed(Date.now() + ms, token);
				throw new PostponedError(`postponed by ${ms} ms`);
			},
		};
	}

	const processor = async (job: Job<QueuedData>, token?: string): Promise<void> => {
		const schema = job.name === JOB_NAMES.render ? renderJobSchema : videoJobSchema;
		const parsed = schema.safeParse(job.data);
		if (!parsed.success) {
			throw new UnrecoverableError(`invalid job payload: ${z.prettifyError(parsed.error)}`);
		}
		try {
			if ('kind' in parsed.data) await options.render(handleOf(job, parsed.data, token), shutdown.signal);
			else
				await options.process(
					Object.assign(handleOf(job, parsed.data, token), { round: job.priority }),
					shutdown.signal,
				);
		} catch (error) {
			// BullMQ leaves a job it was told about alone when the processor throws these.
			if (error instanceof HandedBackError) throw new WaitingError();
			if (error instanceof PostponedError) throw new DelayedError();
			if (error instanceof PermanentJobError) throw new UnrecoverableError(error.message);
			throw error;
		}
	};

	const worker = new Worker<QueuedData>(VIDEO_QUEUE, processor, {
		connection: options.connection,
		prefix: options.prefix,
		concurrency: options.concurrency,
		lockDuration: options.lockMs,
		stalledInterval: options.lockMs,
		// A worker killed mid-job is normal (deploys, crashes); its jobs resume elsewhere. Only a job
		// that keeps killing workers is given up on.
		maxStalledCount: 5,
	});

	worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
	worker.on('failed', (job, error) => {
		if (job === undefined) return;
		const render = renderJobSchema.safeParse(job.data);
		const video = videoJobSchema.safeParse(job.data);
		const ids = render.success
			? jobLogFields(render.data.interaction, 'render')
			: video.success
				? jobLogFields(video.data.interaction)
				: { jobId: job.id };
		logger.warn({ ...ids, attemptsMade: job.attemptsMade, err: error }, 'job attempt failed');
	});
	// A job whose workers keep dying is failed by BullMQ's stalled check, where no processor runs to
	// tell the user or give the quota back.
	worker.on('stalled', (jobId) => {
		void (async () => {
			const job = await Job.fromId<QueuedData>(worker, jobId);
			if (job === undefined || (await job.getState()) !== 'failed') return;
			const error = new Error(job.failedReason);
			const render = renderJobSchema.safeParse(job.data);
			if (render.success) return await options.onRenderAbandoned(render.data, error);
			const parsed = videoJobSchema.safeParse(job.data);
			if (parsed.success) await options.onAbandoned(parsed.data, error);
		})().catch((cause: unknown) => logger.error({ jobId, err: cause }, 'could not settle a stalled job'));
	});

	return {
		close: async () => {
			shutdown.abort(new Error('shutting down'));
			await worker.close();
		},
	};
}
