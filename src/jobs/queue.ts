import { Queue, type Job } from 'bullmq';
import type { RedisConnection } from '../redis.js';
import { renderJobSchema, videoJobSchema, type RenderJobData, type VideoJobData } from './payload.js';

export const VIDEO_QUEUE = 'video';

/** Attempts of one job: each resumes from what the previous one stored, so none re-submits. */
const ATTEMPTS = 6;

/**
 * BullMQ refuses custom ids that read as integers, and a snowflake does whenever it survives a
 * round trip through a double (one in a few thousand), so the id gets a prefix.
 */
export const jobIdOf = (interactionId: string): string => `video-${interactionId}`;

/** The ids every log line about a job carries, in bot and worker alike (its queue id as the dashboard shows it). */
export const jobLogFields = (
	job: { id: string; userId: string; guildId: string | null },
	kind: 'video' | 'render' = 'video',
) => ({
	jobId: kind === 'video' ? jobIdOf(job.id) : renderJobIdOf(job.id),
	interactionId: job.id,
	userId: job.userId,
	guildId: job.guildId,
});
/** A sequence's render, by the id of the `/sequence render` interaction. */
export const renderJobIdOf = (interactionId: string): string => `render-${interactionId}`;

/** BullMQ's name for each kind of job on the queue: the worker runs each with its own processor. */
export const JOB_NAMES = { video: 'generate', render: 'render' } as const;

/** Attempts of a render: a passing outage (Discord, Redis) is tried again; a render makes nothing paid. */
const RENDER_ATTEMPTS = 3;

/** Anything on the queue: clips, and sequences' renders. */
export type QueuedData = VideoJobData | RenderJobData;

/** Where a job is, in this project's words rather than BullMQ's. */
export type JobState = 'waiting' | 'running' | 'finished' | 'unknown';

/** A waiting job with its place in line (1 = next to start). */
export interface Waiting {
	readonly data: VideoJobData;
	readonly position: number;
}

/**
 * Round-robin between users (`store/rounds.ts`): a job's round is its priority, so the n-th
 * waiting job of every user starts before anyone's (n+1)-th.
 */
export interface RoundBook {
	take(userId: string): Promise<number>;
	peek(userId: string): Promise<number>;
	reset(): Promise<void>;
}

/** Past this round, the count starts again the next time nothing waits (BullMQ's priorities end at 2^21). */
const RESET_ROUNDS_AFTER = 1_000_000;

type QueuedJob = Job<QueuedData>;

/**
 * The producer side, used by the bot. Its connection fails fast so a user hears about outages.
 * It alone knows the order jobs start in, so positions are only ever computed here.
 */
export class VideoJobs {
	private readonly queue: Queue<QueuedData>;

	public constructor(
		private readonly connection: RedisConnection,
		prefix: string,
		private readonly rounds?: RoundBook,
	) {
		this.queue = new Queue<QueuedData>(VIDEO_QUEUE, {
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

	/**
	 * Enqueues under the interaction id, so a redelivered interaction cannot make a second job, in
	 * its user's next round.
	 */
	public async enqueue(data: VideoJobData): Promise<string> {
		const payload = videoJobSchema.parse(data);
		const round = await this.nextRound(payload.interaction.userId);
		const job = await this.queue.add(JOB_NAMES.video, payload, {
			jobId: jobIdOf(payload.interaction.id),
			...(round === undefined ? {} : { priority: round }),
		});
		return job.id ?? jobIdOf(payload.interaction.id);
	}

	/**
	 * Enqueues a sequence's render under its interaction id, ahead of the clips' rounds (it takes
	 * no provider's time). It waits, as clips do, until a worker runs.
	 */
	public async enqueueRender(data: RenderJobData): Promise<string> {
		const payload = renderJobSchema.parse(data);
		const id = renderJobIdOf(payload.interaction.id);
		const job = await this.queue.add(JOB_NAMES.render, payload, {
			jobId: id,
			attempts: RENDER_ATTEMPTS,
			backoff: { type: 'exponential', delay: 5_000 },
		});
		return job.id ?? id;
	}

	private async nextRound(userId: string): Promise<number | undefined> {
		if (this.rounds === undefined) return undefined;
		const round = await this.rounds.take(userId);
		if (round <= RESET_ROUNDS_AFTER || (await this.waiting()) > 0) return round;
		await this.rounds.reset();
		return this.rounds.take(userId);
	}

	/**
	 * Every job not started yet, in the order they will start: the plain waiting list, then by
	 * round, arrival order within a round. A postponed job (a rate limit, a user's running job, a
	 * paused server) keeps its round and comes after the jobs of its round still in line.
	 */
	private async pending(limit?: number): Promise<QueuedJob[]> {
		// The first `limit` in order come from the first `limit` of each list; postponed jobs are few.
		const end = limit === undefined ? -1 : limit - 1;
		const [wait, prioritized, delayed] = await Promise.all([
			this.queue.getJobs(['wait'], 0, end, true),
			this.queue.getJobs(['prioritized'], 0, end, true),
			this.queue.getJobs(['delayed'], 0, -1, true),
		]);
		const later = [...delayed].sort((a, b) => a.priority - b.priority || a.timestamp - b.timestamp);
		const merged: QueuedJob[] = [];
		let next = 0;
		for (const job of prioritized) {
			while (next < later.length && (later[next]?.priority ?? 0) < job.priority)
				merged.push(later[next++] as QueuedJob);
			merged.push(job);
		}
		merged.push(...later.slice(next));
		return [...wait, ...merged];
	}

	private static parsed(jobs: readonly QueuedJob[]): Waiting[] {
		return jobs.flatMap((job, index) => {
			const parsed = videoJobSchema.safeParse(job.data);
			return parsed.success ? [{ data: parsed.data, position: index + 1 }] : [];
		});
	}

	/** The first `limit` waiting jobs in the order they will start. */
	public async waitingInOrder(limit: number): Promise<Waiting[]> {
		return VideoJobs.parsed((await this.pending(limit)).slice(0, limit));
	}

	/** Every waiting job, with its place in line. */
	public async allWaiting(): Promise<Waiting[]> {
		return VideoJobs.parsed(await this.pending());
	}

	/** Jobs a worker is running. */
	public async running(): Promise<VideoJobData[]> {
		const jobs = await this.queue.getJobs(['active'], 0, -1, true);
		return jobs.flatMap((job) => {
			const parsed = videoJobSchema.safeParse(job.data);
			return parsed.success ? [parsed.data] : [];
		});
	}

	/** The place in line a job of this user enqueued now would take. */
	public async positionForNew(userId: string): Promise<number> {
		if (this.rounds === undefined) return (await this.waiting()) + 1;
		// Counted, not listed: every command asks, and the line may be thousands long.
		const round = await this.rounds.peek(userId);
		const { wait = '', prioritized = '', delayed = '' } = this.queue.keys;
		const counts = await this.connection
			.pipeline()
			.llen(wait)
			// BullMQ scores a prioritized job `priority * 2^32 + arrival` (as its getCountsPerPriority counts them).
			.zcount(prioritized, 0, (round + 1) * 0x100000000 - 1)
			.zcard(delayed)
			.exec();
		const [plain = 0, ahead = 0, postponed = 0] = (counts ?? []).map(([error, count]) => {
			if (error !== null) throw error;
			return Number(count);
		});
		if (postponed === 0) return plain + ahead + 1;
		// A postponed job goes after the jobs of its own round still in line (see `pending`).
		const later = await this.queue.getJobs(['delayed'], 0, -1, true);
		return plain + ahead + later.filter((job) => job.priority < round).length + 1;
	}

	/** A waiting job's place in line, or undefined when it is not waiting. */
	public async positionOf(interactionId: string): Promise<number | undefined> {
		const id = jobIdOf(interactionId);
		const index = (await this.pending()).findIndex((job) => job.id === id);
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

	/** Starts the postponed jobs `which` picks now, instead of at their next look (a server resumed). */
	public async wake(which: (data: VideoJobData) => boolean): Promise<number> {
		let woken = 0;
		for (const job of await this.queue.getJobs(['delayed'], 0, -1, true)) {
			const parsed = videoJobSchema.safeParse(job.data);
			if (!parsed.success || !which(parsed.data)) continue;
			// It may have started meanwhile.
			await job.promote().then(
				() => woken++,
				() => undefined,
			);
		}
		return woken;
	}

	/** Jobs waiting to start, postponed ones included. */
	public async waiting(): Promise<number> {
		const counts = await this.queue.getJobCounts('wait', 'prioritized', 'delayed');
		return Object.values(counts).reduce((sum, count) => sum + count, 0);
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
