import type { RedisConnection } from '../redis.js';
import { z } from 'zod';
import { videoRequestSchema } from '../video/request.js';

/** How long a job's record (and so its buttons) is kept. */
const RECORD_TTL_SECONDS = 7 * 24 * 3_600;

/**
 * What outlives a job in the queue (finished jobs are trimmed): who asked what, where its message
 * is and how it ended. Keyed by the interaction id that the buttons' custom ids carry.
 */
export const jobRecordSchema = z.object({
	interactionId: z.string(),
	userId: z.string(),
	guildId: z.string().nullable(),
	channelId: z.string(),
	/** The reply the clip is (or will be) attached to. */
	messageId: z.string(),
	request: videoRequestSchema,
	model: z.string(),
	state: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
	/** The author's Discord locale: the public message stays in their language whoever clicks. */
	locale: z.string().default('en-US'),
});
export type JobRecord = z.infer<typeof jobRecordSchema>;
export type JobRecordState = JobRecord['state'];

/**
 * Job records, their cancel requests and their settlement: the key family `clip:`, `cancel:` and
 * `settled:` (the record kept its first name, so buttons of clips made before keep working).
 */
export class JobRecords {
	public constructor(
		private readonly redis: RedisConnection,
		private readonly prefix: string,
	) {}

	private key(interactionId: string): string {
		return `${this.prefix}:clip:${interactionId}`;
	}

	public async save(record: JobRecord): Promise<void> {
		await this.redis.set(
			this.key(record.interactionId),
			JSON.stringify(jobRecordSchema.parse(record)),
			'EX',
			RECORD_TTL_SECONDS,
		);
	}

	public async get(interactionId: string): Promise<JobRecord | undefined> {
		const raw = await this.redis.get(this.key(interactionId));
		if (raw === null) return undefined;
		const parsed = jobRecordSchema.safeParse(JSON.parse(raw));
		return parsed.success ? parsed.data : undefined;
	}

	public async setState(interactionId: string, state: JobRecordState): Promise<void> {
		const record = await this.get(interactionId);
		if (record !== undefined) await this.save({ ...record, state });
	}

	/** The message the clip ended up on, when it is not the command's reply (Extend reads it there). */
	public async setMessage(interactionId: string, messageId: string): Promise<void> {
		const record = await this.get(interactionId);
		if (record !== undefined && record.messageId !== messageId) await this.save({ ...record, messageId });
	}

	public async remove(interactionId: string): Promise<void> {
		await this.redis.del(this.key(interactionId));
	}

	/** Asks whichever worker runs the job to stop it; checked between polls. */
	public async requestCancel(interactionId: string, byUserId: string): Promise<void> {
		await this.redis.set(`${this.prefix}:cancel:${interactionId}`, byUserId, 'EX', RECORD_TTL_SECONDS);
	}

	/** Who asked to cancel the job, if anyone. */
	public async cancelledBy(interactionId: string): Promise<string | undefined> {
		return (await this.redis.get(`${this.prefix}:cancel:${interactionId}`)) ?? undefined;
	}

	/**
	 * Claims the job's one settlement: the first caller stores its outcome and gets `true`; every
	 * later caller (a retry, a second worker after a crash) reads the outcome that was stored.
	 */
	public async claimSettlement(interactionId: string, outcome: string): Promise<{ first: boolean; outcome: string }> {
		const key = `${this.prefix}:settled:${interactionId}`;
		const claimed = await this.redis.set(key, outcome, 'EX', RECORD_TTL_SECONDS, 'NX');
		if (claimed !== null) return { first: true, outcome };
		return { first: false, outcome: (await this.redis.get(key)) ?? outcome };
	}

	/** Forgets how the job ended, when an operator runs it again. */
	public async clearSettlement(interactionId: string): Promise<void> {
		await this.redis.del(`${this.prefix}:settled:${interactionId}`);
	}

	/** The settled outcome, as stored by `claimSettlement`. */
	public async settlement(interactionId: string): Promise<string | undefined> {
		return (await this.redis.get(`${this.prefix}:settled:${interactionId}`)) ?? undefined;
	}
}
