import type { RedisConnection } from '../redis.js';
import { z } from 'zod';

/**
 * Reservations whose job is not in the queue yet (key `intake:pending`, a hash by job id), and
 * which bot processes are alive (keys `alive:<owner>`). The reservation and its entry are written
 * in one step by `Quota.reserve`; the entry goes when the job is enqueued or rolled back. An entry
 * left by a bot that died in between is what the bot's reaper gives back.
 */

export const intakeKey = (prefix: string): string => `${prefix}:intake:pending`;

export const pendingIntakeSchema = z.object({
	userId: z.string(),
	guildId: z.string().nullable(),
	/** The bot process that reserved it (a random id per process start). */
	owner: z.string(),
	at: z.number(),
	/** Enough to tell the user their request was lost, while the interaction token lives. */
	reply: z.object({
		applicationId: z.string(),
		token: z.string(),
		channelId: z.string(),
		locale: z.string(),
		createdAt: z.number(),
	}),
});
export type PendingIntake = z.infer<typeof pendingIntakeSchema>;

export class IntakeLog {
	public constructor(
		private readonly redis: RedisConnection,
		private readonly prefix: string,
	) {}

	/** The job is in the queue: its reservation no longer needs watching. */
	public async enqueued(jobId: string): Promise<void> {
		await this.redis.hdel(intakeKey(this.prefix), jobId);
	}

	/** Every reservation not yet enqueued, with its job id. */
	public async pending(): Promise<Array<{ jobId: string; entry: PendingIntake }>> {
		const all = await this.redis.hgetall(intakeKey(this.prefix));
		return Object.entries(all).flatMap(([jobId, raw]) => {
			try {
				const parsed = pendingIntakeSchema.safeParse(JSON.parse(raw));
				return parsed.success ? [{ jobId, entry: parsed.data }] : [];
			} catch {
				return [];
			}
		});
	}

	/** Says this bot process is alive for `ms` more. */
	public async alive(owner: string, ms: number): Promise<void> {
		await this.redis.set(`${this.prefix}:alive:${owner}`, '1', 'PX', ms);
	}

	public async isAlive(owner: string): Promise<boolean> {
		return (await this.redis.exists(`${this.prefix}:alive:${owner}`)) === 1;
	}
}
