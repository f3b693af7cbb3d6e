import type { Redis } from 'ioredis';
import { IntakeLog } from '../../src/store/intake.js';
import { Quota, type Holder, type Limits } from '../../src/store/quota.js';

/** No limit but the user's own, as a deployment with default settings has. */
export const openLimits = (user: number, overrides: Partial<Limits> = {}): Limits => ({
	user,
	waiting: 1_000,
	guildClips: null,
	guildMicros: null,
	global: null,
	...overrides,
});

/** A pending intake as a bot leaves it; `owner` names no live bot unless a test says so. */
export const intakeOf = (holder: Holder, owner = 'test') => ({
	userId: holder.userId,
	guildId: holder.guildId,
	owner,
	at: Date.now(),
	reply: { applicationId: '1', token: 'token', channelId: '1', locale: 'en-US', createdAt: Date.now() },
});

/** Units the user holds in the rolling 24 h. */
export async function usedUnits(redis: Redis, prefix: string, userId: string): Promise<number> {
	return (await new Quota(redis, prefix).status(userId, 0)).used;
}

/**
 * Spends units for jobs the test made up (as if they had been delivered), with nothing left
 * pending for a bot's reaper to give back.
 */
export async function spendUnits(
	redis: Redis,
	prefix: string,
	userId: string,
	jobIds: readonly string[],
	guildId: string | null = null,
): Promise<void> {
	const quota = new Quota(redis, prefix);
	for (const jobId of jobIds) {
		const holder = { jobId, userId, guildId };
		const reservation = await quota.reserve(holder, openLimits(1_000), 0, intakeOf(holder));
		if (!reservation.granted) throw new Error(`could not spend a unit for ${jobId}`);
		await quota.commit(holder, undefined);
	}
	await Promise.all(jobIds.map((jobId) => new IntakeLog(redis, prefix).enqueued(jobId)));
}
