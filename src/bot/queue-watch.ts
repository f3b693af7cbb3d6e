import { progressButtons } from '../discord/components.js';
import { currentMessageOf, replyTargetOf, type Replies, type ReplyTarget } from '../discord/replies.js';
import { jobLogFields, type VideoJobData, type VideoJobs } from '../jobs/index.js';
import type { Logger } from '../log.js';
import { promptSent } from '../providers/plan.js';
import type { JobRecords } from '../store/job-records.js';
import type { MessageEdits } from '../store/message-edits.js';
import type { ShownPositions } from '../store/positions.js';
import { textsFor } from '../texts/index.js';

/** Queued messages further back than this keep the position they were given. */
const WATCHED = 25;

/** A position edit holds its claim this long at most if the bot dies during it. */
const LEASE_MS = 30_000;

export interface QueueWatchOptions {
	readonly jobs: VideoJobs;
	readonly edits: MessageEdits;
	readonly records: Pick<JobRecords, 'settlement'>;
	readonly shown: ShownPositions;
	readonly replies: Replies;
	readonly intervalMs: number;
	readonly logger: Logger;
}

/**
 * Keeps "Position #n in the queue" true while jobs wait: every interval, the queued messages whose
 * position changed are edited. One bot process does it per tick (a Redis lock), and each edit
 * takes its turn in the message's edit budget, shared with the workers (`store/message-edits.ts`):
 * a message edited less than an interval ago keeps its position until a later tick.
 */
export function watchQueue(options: QueueWatchOptions): { stop(): void } {
	const { jobs, edits, shown, replies, logger } = options;
	const holder = `bot:${process.pid}`;
	const claim = { intervalMs: options.intervalMs, holder, leaseMs: LEASE_MS };

	/** The job's target, with what any process learnt of its token. */
	async function targetOf(data: VideoJobData): Promise<ReplyTarget> {
		const target = replyTargetOf(data);
		if (target.tokenDead === true || !(await edits.tokenDead(target.originalId))) return target;
		return { ...target, tokenDead: true };
	}

	async function show(data: VideoJobData, position: number): Promise<void> {
		const id = data.interaction.id;
		const target = await targetOf(data);
		const messageId = currentMessageOf(target);
		if (messageId === undefined || (await edits.claim(messageId, claim)) > 0) return;
		try {
			const texts = textsFor(data.interaction.locale);
			const progress = { prompt: promptSent(data.provider, data.model, data.request.prompt), model: data.model };
			const content = texts.queued(progress, position);
			// The token is never used again for this job, by this process or any worker.
			const learn = async (now: ReplyTarget) => {
				if (now.tokenDead === true && target.tokenDead !== true) await edits.markTokenDead(target.originalId);
			};
			const message = { content, components: progressButtons(id, texts) };
			const result = await replies.edit(target, message, { mayMove: false, learn });
			if (result.ok) await shown.set(id, position);
		} catch (error) {
			logger.warn({ err: error, ...jobLogFields(data.interaction) }, 'queue position edit failed');
		} finally {
			await edits.completed(messageId, holder);
		}
	}

	async function tick(): Promise<void> {
		if (!(await shown.takeTick(holder, options.intervalMs))) return;
		const waiting = await jobs.waitingInOrder(WATCHED);
		for (const { data, position } of waiting) {
			if ((await shown.get(data.interaction.id)) === position) continue;
			// A job back in line after a stall may already be finished: its message keeps its clip.
			if ((await options.records.settlement(data.interaction.id)) !== undefined) continue;
			await show(data, position);
		}
		await shown.keepOnly(new Set(waiting.map(({ data }) => data.interaction.id)));
	}

	let running = false;
	const timer = setInterval(() => {
		if (running) return;
		running = true;
		tick()
			.catch((error: unknown) => logger.warn({ err: error }, 'queue watch failed'))
			.finally(() => (running = false));
	}, options.intervalMs);
	timer.unref();
	return { stop: () => clearInterval(timer) };
}
