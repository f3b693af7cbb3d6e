import type { VideoJob } from '../jobs/index.js';
import type { GuildSettings } from '../store/guild-settings.js';
import type { Quota } from '../store/quota.js';
import type { Rounds } from '../store/rounds.js';

/** A paused server's waiting jobs look again this often (and at once on `/admin resume`). */
export const PAUSED_RECHECK_MS = 30_000;
/** A job whose user already has USER_MAX_ACTIVE running looks again this often. */
export const USER_BUSY_RECHECK_MS = 2_000;

export interface AdmissionDeps {
	readonly quota: Pick<Quota, 'admit'>;
	readonly guilds: Pick<GuildSettings, 'isPaused'>;
	readonly rounds: Pick<Rounds, 'started'>;
	/** USER_MAX_ACTIVE. */
	readonly maxActive: number;
	/** A running job not settled in this long is no longer counted (it ended without a settle). */
	readonly staleAfterMs: number;
}

export type Admission =
	| { readonly admitted: true }
	| { readonly admitted: false; readonly reason: 'paused' | 'user-busy'; readonly retryAfterMs: number };

/**
 * Whether a job that has not reached its provider may start now: not while its server is paused,
 * and not while its user already has USER_MAX_ACTIVE jobs running (counted across all workers, in
 * one atomic step). A job that may not start is postponed, keeping its round, and is never failed.
 */
export function createAdmission(deps: AdmissionDeps) {
	return async function admit(job: VideoJob): Promise<Admission> {
		const { id: jobId, userId, guildId } = job.data.interaction;
		if (guildId !== null && (await deps.guilds.isPaused(guildId)))
			return { admitted: false, reason: 'paused', retryAfterMs: PAUSED_RECHECK_MS };
		if (!(await deps.quota.admit({ jobId, userId, guildId }, deps.maxActive, deps.staleAfterMs)))
			return { admitted: false, reason: 'user-busy', retryAfterMs: USER_BUSY_RECHECK_MS };
		// Later arrivals now join no earlier round than this job's.
		if (job.round > 0) await deps.rounds.started(job.round);
		return { admitted: true };
	};
}

export type Admit = ReturnType<typeof createAdmission>;
