import type { Redis } from 'ioredis';
import { z } from 'zod';
import { videoRequestSchema } from './video/request.js';

/** How long a clip's buttons keep working. */
const CLIP_TTL_SECONDS = 7 * 24 * 3_600;

/**
 * What the buttons under a clip need to know, kept apart from the queue (finished jobs are
 * trimmed) and keyed by the interaction id that the buttons' custom ids carry.
 */
export const clipSchema = z.object({
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
export type Clip = z.infer<typeof clipSchema>;

export class ClipStore {
	public constructor(
		private readonly redis: Redis,
		private readonly prefix: string,
	) {}

	private key(interactionId: string): string {
		return `${this.prefix}:clip:${interactionId}`;
	}

	public async save(clip: Clip): Promise<void> {
		await this.redis.set(this.key(clip.interactionId), JSON.stringify(clipSchema.parse(clip)), 'EX', CLIP_TTL_SECONDS);
	}

	public async get(interactionId: string): Promise<Clip | undefined> {
		const raw = await this.redis.get(this.key(interactionId));
		if (raw === null) return undefined;
		const parsed = clipSchema.safeParse(JSON.parse(raw));
		return parsed.success ? parsed.data : undefined;
	}

	public async setState(interactionId: string, state: Clip['state']): Promise<void> {
		const clip = await this.get(interactionId);
		if (clip !== undefined) await this.save({ ...clip, state });
	}

	/** Notes that a process other than the job's worker edited its message (the queue watch). */
	public async markEdited(interactionId: string, at = Date.now()): Promise<void> {
		await this.redis.set(`${this.prefix}:edited:${interactionId}`, String(at), 'EX', 3_600);
	}

	/** When the message was last edited by another process, so a worker keeps the interval. */
	public async lastEdited(interactionId: string): Promise<number> {
		return Number(await this.redis.get(`${this.prefix}:edited:${interactionId}`)) || 0;
	}

	/** Asks whichever worker runs the job to stop it; checked between polls. */
	public async requestCancel(interactionId: string, byUserId: string): Promise<void> {
		await this.redis.set(`${this.prefix}:cancel:${interactionId}`, byUserId, 'EX', CLIP_TTL_SECONDS);
	}

	/** Who asked to cancel the job, if anyone. */
	public async cancelledBy(interactionId: string): Promise<string | undefined> {
		return (await this.redis.get(`${this.prefix}:cancel:${interactionId}`)) ?? undefined;
	}
}

