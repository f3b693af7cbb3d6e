import { Queue } from 'bullmq';
import type { RedisConnection } from '../redis.js';
import { videoJobSchema, type VideoJobData } from './payload.js';

export const VIDEO_QUEUE = 'video';

/** Attempts of one job: each resumes from what the previous one stored, so none re-submits. */
const ATTEMPTS = 6;

/**
 * BullMQ refuses custom ids that read as integers, and a snowflake does whenever it survives a
 * round trip through a double (one in a few thousand), so the id gets a prefix.
 */
export const jobIdOf = (interactionId: string): string => `video-${interactionId}`;

/** Where a job is, in this project's words rather than BullMQ's. */
export type JobState = 'waiting' | 'running' | 'finished' | 'unknown';

/** A waiting job with its place in line (1 = next to start). */
export interface Waiting {
	readonly data: VideoJobData;
	readonly position: number;
}

/**
 * The producer side, used by the bot. Its connection fails fast so a user hears about outages.
 * It alone knows the order jobs start in, so positions are only ever computed here.
 */
export class VideoJobs {
	private readonly queue: Queue<VideoJobData>;

	public constructor(connection: RedisConnection, prefix: string) {
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

	/** The first `limit` waiting jobs in the order they will start. */
	public async waitingInOrder(limit: number): Promise<Waiting[]> {
		const jobs = await this.queue.getJobs(['waiting'], 0, limit - 1, true);
		return jobs.flatMap((job, index) => {
			const parsed = videoJobSchema.safeParse(job.data);
			return parsed.success ? [{ data: parsed.data, position: index + 1 }] : [];
		});
	}

	/** The place in line a job enqueued now would take. */
	public async positionForNew(): Promise<number> {
		return (await this.queue.getWaitingCount()) + 1;
	}

	/** A waiting job's place in line, or undefined when it is not waiting. */
	public async positionOf(interactionId: string): Promise<number | undefined> {
		const id = jobIdOf(interactionId);
		const ids = (await this.queue.getJobs(['waiting'], 0, -1, true)).map((job) => job.id);
		const index = ids.indexOf(id);
		return index === -1 ? undefined : index + 1;
	}

	/** How many jobs are in each state, for the queue-depth metric. */
	public async depth(): Promise<Record<'waiting' | 'postponed' | 'running' | 'failed', number>> {
		const counts = await this.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed');
		return {
			waiting: (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0),
			postponed: counts['delayed'] ?? 0,
			running: counts['active'] ?? 0,
			failed: counts['failed'] ?? 0,
		};
	}

	/** Jobs waiting to start. */
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

	public async state(interactionId: string): Promise<JobState> {
		const state = await this.queue.getJobState(jobIdOf(interactionId));
		switch (state) {
			case 'waiting':
			case 'waiting-children':
			case 'prioritized':
			case 'delayed':
				return 'waiting';
			case 'active':
				return 'running';
			case 'completed':
			case 'failed':
				return 'finished';
			default:
				return 'unknown';
		}
	}

	public async close(): Promise<void> {
		await this.queue.close();
	}
}
