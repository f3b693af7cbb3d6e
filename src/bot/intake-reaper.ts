import type { Replies } from '../discord/replies.js';
import type { Settle } from '../generation/settle.js';
import { jobLogFields, type JobState } from '../jobs/index.js';
import type { Logger } from '../log.js';
import type { IntakeLog } from '../store/intake.js';
import type { JobRecords } from '../store/job-records.js';
import type { MediaStore } from '../store/media.js';
import { textsFor } from '../texts/index.js';

/**
 * How long a bot process counts as alive after it last said so: three missed heartbeats. Only a
 * process that stalled that long could see a slow intake of its own given back.
 */
export const ALIVE_FOR_MS = 10_000;
const HEARTBEAT_MS = 3_000;
const SWEEP_MS = 5_000;
/** No intake takes longer than the interaction token lives; one this old is stuck wherever it is. */
const STUCK_AFTER_MS = 15 * 60_000;

const SLOTS = ['first_frame', 'last_frame', 'subject'] as const;

export interface IntakeReaperOptions {
	/** This bot process. */
	readonly owner: string;
	readonly intakes: IntakeLog;
	readonly jobs: { state(interactionId: string): Promise<JobState> };
	readonly records: JobRecords;
	readonly media: MediaStore;
	readonly settle: Settle;
	readonly replies: Replies;
	readonly logger: Logger;
	readonly now?: () => number;
}

/**
 * Keeps this bot process marked alive, and gives back the units of requests a dead bot accepted
 * but never enqueued (killed between the reservation and the queue): every such reservation is
 * rolled back through `settle`, once, and its user is told while the interaction token lives. A
 * reservation whose job did reach the queue is left spent. Reservations of live bots are never
 * touched, however slow their intake.
 */
export function reapIntakes(options: IntakeReaperOptions): {
	/** Resolves once this process is marked alive. */
	ready: Promise<void>;
	/** Sweeps now (once the Discord client can talk), then every 5 s. */
	sweep(): void;
	stop(): void;
} {
	const { owner, intakes, jobs, records, media, settle, replies, logger } = options;
	const now = options.now ?? Date.now;

	async function sweep(): Promise<void> {
		for (const { jobId, entry } of await intakes.pending()) {
			const stuck = now() - entry.at > STUCK_AFTER_MS;
			if (!stuck && (entry.owner === owner || (await intakes.isAlive(entry.owner)))) continue;
			if ((await jobs.state(jobId)) !== 'unknown') {
				// Enqueued just before its bot died: the unit is the job's.
				await intakes.enqueued(jobId);
				continue;
			}
			const messageId = (await records.get(jobId))?.messageId;
			const job = {
				jobId,
				userId: entry.userId,
				guildId: entry.guildId,
				imageKeys: SLOTS.map((s) => media.key(jobId, s)),
			};
			const { first } = await settle(job, { kind: 'rolled-back' });
			const ids = jobLogFields({ id: jobId, userId: entry.userId, guildId: entry.guildId });
			logger.warn({ ...ids, owner: entry.owner }, 'gave back a request its bot never enqueued');
			if (!first) continue;
			// The reply, through its token while it lives (its message id may not have been saved).
			const target = {
				applicationId: entry.reply.applicationId,
				token: entry.reply.token,
				channelId: entry.reply.channelId,
				guildId: entry.guildId,
				userId: entry.userId,
				createdAt: entry.reply.createdAt,
				originalId: messageId ?? '@original',
			};
			await replies
				.edit(target, { content: textsFor(entry.reply.locale).lostInRestart }, { mayMove: false })
				.catch((error: unknown) => logger.info({ err: error, ...ids }, 'could not tell the user about a lost request'));
		}
	}

	const beat = () =>
		intakes
			.alive(owner, ALIVE_FOR_MS)
			.catch((error: unknown) => logger.warn({ err: error }, 'could not say this bot is alive'));
	let sweeping = false;
	const tick = () => {
		if (sweeping) return;
		sweeping = true;
		sweep()
			.catch((error: unknown) => logger.warn({ err: error }, 'intake sweep failed'))
			.finally(() => (sweeping = false));
	};
	const heartbeat = setInterval(() => void beat(), HEARTBEAT_MS);
	heartbeat.unref();
	let sweeper: NodeJS.Timeout | undefined;
	return {
		ready: beat(),
		sweep: () => {
			tick();
			sweeper ??= setInterval(tick, SWEEP_MS);
			sweeper.unref();
		},
		stop: () => {
			clearInterval(heartbeat);
			clearInterval(sweeper);
		},
	};
}
