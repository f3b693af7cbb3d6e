import { Job, Queue, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../log.js';
import { PROVIDER_NAMES } from '../providers/types.js';
import { videoRequestSchema } from '../video/request.js';

/** The only module that knows BullMQ: queue name, payload schema, retry policy and job ids. */

export const VIDEO_QUEUE = 'video';

/** Attempts of one job: each resumes from what the previous one stored, so none re-submits. */
const ATTEMPTS = 6;

const snowflake = z.string().regex(/^\d{1,20}$/);

export const videoJobSchema = z.object({
	v: z.literal(1),
	interaction: z.object({
		id: snowflake,
		applicationId: snowflake,
		/** Valid 15 minutes from `createdAt`: a short-lived secret, never logged. */
		token: z.string().min(1),
		channelId: snowflake,
		guildId: snowflake.nullable(),
		userId: snowflake,
		locale: z.string(),
		createdAt: z.number(),
		/** The deferred reply, for delivery with the bot token once the interaction token expires. */
		messageId: snowflake,
		attachmentSizeLimit: z.number().int().positive(),
	}),
	request: videoRequestSchema,
	/** The provider and model now in charge; they change when a job fails over. */
	provider: z.enum(PROVIDER_NAMES),
	model: z.string(),
	/** Providers given up on for this job, with why, so none is tried twice. */
	failedOver: z.array(z.object({ provider: z.enum(PROVIDER_NAMES), failure: z.string() })).default([]),
	enqueuedAt: z.number(),
	/** Set just before the provider's create call: a crash in that call leaves the outcome unknown. */
	submittingAt: z.number().nullable().optional(),
	/** Stored the moment the create call returns; a restarted worker polls it and never re-submits. */
	task: z.object({ id: z.string().min(1), submittedAt: z.number() }).nullable().optional(),
});

export type VideoJobData = z.infer<typeof videoJobSchema>;

/**
 * BullMQ refuses custom ids that read as integers, and a snowflake does whenever it survives a
 * round trip through a double (one in a few thousand), so the id gets a prefix.
 */
export const jobIdOf = (interactionId: string): string => `video-${interactionId}`;

/** Thrown by `VideoJob.handBack`; a processor lets it pass so the job returns to the queue. */
export class HandedBackError extends Error {
	public override readonly name = 'HandedBackError';
}

/** Thrown by a processor to fail a job at once, without the remaining attempts. */
export class PermanentJobError extends Error {
	public override readonly name = 'PermanentJobError';

	public constructor(public readonly reason: unknown) {
		super(reason instanceof Error ? reason.message : String(reason), { cause: reason });
	}
}

/** The producer side, used by the bot. Its connection fails fast so a user hears about outages. */
export class VideoJobs {
	private readonly queue: Queue<VideoJobData>;

	public constructor(connection: Redis, prefix: string) {
		this.queue = new Queue<VideoJobData>(VIDEO_QUEUE, {
			connection,
			prefix,
			defaultJobOptions: {
				attempts: ATTEMPTS,
				backoff: { type: 'exponential', delay: 10_000 },
				removeOnComplete: { age: 7 * 24 * 3_600, count: 5_000 },
				removeOnFail: { age: 30 * 24 * 3_600 },
			},
		});
	}

	public onError(listener: (error: Error) => void): void {
		this.queue.on('error', listener);
	}

	/** Enqueues under the interaction id, so a redelivered interaction cannot make a second job. */
	public async enqueue(data: VideoJobData): Promise<string> {
		const payload = videoJobSchema.parse(data);
		const job = await this.queue.add('generate', payload, { jobId: jobIdOf(payload.interaction.id) });
		return job.id ?? jobIdOf(payload.interaction.id);
	}

	/** The first `limit` waiting jobs, next to start first. */
	public async nextWaiting(limit: number): Promise<VideoJobData[]> {
		const jobs = await this.queue.getJobs(['waiting'], 0, limit - 1, true);
		return jobs.flatMap((job) => {
			const parsed = videoJobSchema.safeParse(job.data);
			return parsed.success ? [parsed.data] : [];
		});
	}

	/** Jobs waiting to start; a new job's position is this plus one. */
	public async waiting(): Promise<number> {
		return this.queue.getWaitingCount();
	}

	/**
	 * Cancels a job: one still waiting is removed at once; a running one can only be stopped by its
	 * worker (the caller flags it); a finished one is left alone.
	 */
	public async cancel(interactionId: string): Promise<'removed' | 'running' | 'finished'> {
		const job = await this.queue.getJob(jobIdOf(interactionId));
		if (job === undefined) return 'finished';
		const state = await job.getState();
		if (state === 'active') return 'running';
		if (state === 'completed' || state === 'failed' || state === 'unknown') return 'finished';
		try {
			await job.remove();
			return 'removed';
		} catch {
			// A worker took it between the two calls.
			return 'running';
		}
	}

	/** The job's state in BullMQ's words ('waiting', 'active', …, 'unknown' when there is none). */
	public async state(interactionId: string): Promise<string> {
		return this.queue.getJobState(jobIdOf(interactionId));
	}

	public async close(): Promise<void> {
		await this.queue.close();
	}
}

/** What a processor sees of its job: its data, a way to save progress, and its attempt. */
export interface VideoJob {
	readonly id: string;
	readonly data: VideoJobData;
	/** True on the last attempt: a failure now is final and the user must be told. */
	readonly lastAttempt: boolean;
	save(patch: Partial<VideoJobData>): Promise<void>;
	/** Hands the job back to the queue for another worker (used on shutdown). Never returns. */
	handBack(): Promise<never>;
}

export interface VideoWorkerOptions {
	readonly connection: Redis;
	readonly prefix: string;
	readonly concurrency: number;
	readonly lockMs: number;
	readonly logger: Logger;
	readonly process: (job: VideoJob, shutdown: AbortSignal) => Promise<void>;
	/** A job failed for good without its processor running (it stalled too often). */
	readonly onAbandoned: (data: VideoJobData, error: Error) => Promise<void>;
}

export interface VideoWorker {
	/** Stops taking jobs, hands in-flight ones back to the queue and closes. */
	close(): Promise<void>;
}

export function startVideoWorker(options: VideoWorkerOptions): VideoWorker {
	const shutdown = new AbortController();
	const { logger } = options;

	const processor = async (job: Job<VideoJobData>, token?: string): Promise<void> => {
		const parsed = videoJobSchema.safeParse(job.data);
		if (!parsed.success) {
			throw new UnrecoverableError(`invalid job payload: ${z.prettifyError(parsed.error)}`);
		}
		let data = parsed.data;
		const handle: VideoJob = {
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
		};
		try {
			await options.process(handle, shutdown.signal);
		} catch (error) {
			// BullMQ leaves a job moved back to wait alone when the processor throws WaitingError.
			if (error instanceof HandedBackError) throw new WaitingError();
			if (error instanceof PermanentJobError) throw new UnrecoverableError(error.message);
			throw error;
		}
	};

	const worker = new Worker<VideoJobData>(VIDEO_QUEUE, processor, {
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
		logger.warn({ jobId: job.id, attemptsMade: job.attemptsMade, err: error }, 'job attempt failed');
	});
	// A job whose workers keep dying is failed by BullMQ's stalled check, where no processor runs to
	// tell the user or give the quota back.
	worker.on('stalled', (jobId) => {
		void (async () => {
			const job = await Job.fromId<VideoJobData>(worker, jobId);
			if (job === undefined || (await job.getState()) !== 'failed') return;
			const parsed = videoJobSchema.safeParse(job.data);
			if (parsed.success) await options.onAbandoned(parsed.data, new Error(job.failedReason));
		})().catch((cause: unknown) => logger.error({ jobId, err: cause }, 'could not settle a stalled job'));
	});

	return {
		close: async () => {
			shutdown.abort(new Error('shutting down'));
			await worker.close();
		},
	};
}
