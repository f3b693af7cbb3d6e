import { z } from 'zod';
import { FAILURE_POLICY, type FailureClass } from '../failures.js';
import type { JobRecords } from '../store/job-records.js';
import type { Ledger } from '../store/ledger.js';
import type { MediaStore } from '../store/media.js';
import { toMicros, type Quota } from '../store/quota.js';
import type { VideoRequest } from '../video/request.js';

/** How a job ended. */
export type Outcome =
	/**
	 * The clip reached the channel; the unit stays spent. `costUsd`: the provider's figure, else the
	 * configured price, else unknown. `at` is set when the outcome is claimed, so the ledger counts
	 * it on one day however often settling is repeated.
	 */
	| { readonly kind: 'delivered'; readonly costUsd?: number | undefined; readonly at?: number | undefined }
	/** The job ended on a failure; the failure policy says whether the unit comes back. */
	| { readonly kind: 'failed'; readonly failure: FailureClass }
	/** Someone (`by`, a user id) cancelled it, waiting or running; the unit comes back. */
	| { readonly kind: 'cancelled'; readonly by: string }
	/** The bot could not enqueue it after reserving; the unit and the images go back at once. */
	| { readonly kind: 'rolled-back' };

/** What settling needs to know of a job, from its queue payload or its record. */
export interface Settled {
	/** The interaction id: the job's id everywhere outside the queue. */
	readonly jobId: string;
	readonly userId: string;
	readonly guildId: string | null;
	/** The input images copied for it. */
	readonly imageKeys: readonly string[];
}

export const imageKeysOf = (request: Pick<VideoRequest, 'firstFrame' | 'lastFrame' | 'subject'>): string[] =>
	[request.firstFrame?.key, request.lastFrame?.key, request.subject?.key].filter((key) => key !== undefined);

export interface SettleDeps {
	readonly quota: Quota;
	readonly media: MediaStore;
	readonly records: JobRecords;
	readonly ledger: Ledger;
	readonly now?: () => number;
}

export type Settle = (
	job: Settled,
	outcome: Outcome,
) => Promise<{ readonly first: boolean; readonly outcome: Outcome }>;

/** Opens a job that already ended for another run; resolves with how it had ended, if it had. */
export type Reopen = (job: Settled) => Promise<Outcome | undefined>;

const outcomeSchema: z.ZodType<Outcome> = z.discriminatedUnion('kind', [
	z.object({ kind: z.literal('delivered'), costUsd: z.number().optional(), at: z.number().optional() }),
	z.object({
		kind: z.literal('failed'),
		failure: z.custom<FailureClass>((value) => typeof value === 'string' && value in FAILURE_POLICY),
	}),
	z.object({ kind: z.literal('cancelled'), by: z.string() }),
	z.object({ kind: z.literal('rolled-back') }),
]);

/**
 * The one place a job's end is written down: it alone commits or gives back a quota unit (of the
 * user, the server and the deployment at once), records a delivered clip's cost in the ledger,
 * releases or removes the input images and sets the job record's state. Idempotent by job id: the
 * first outcome is claimed before anything is done, and a second call (a retry, another worker
 * after a crash) redoes the first outcome's steps, which are each safe to repeat, and changes
 * nothing else. Callers tell the user; settling never talks to Discord.
 */
export function createSettle(deps: SettleDeps): Settle {
	const { quota, media, records, ledger } = deps;
	const now = deps.now ?? Date.now;

	async function apply(job: Settled, outcome: Outcome): Promise<void> {
		switch (outcome.kind) {
			case 'delivered': {
				// The unit stays spent; the images stay a day for Retry and Remix.
				const costMicros = outcome.costUsd === undefined ? undefined : toMicros(outcome.costUsd);
				await quota.commit(job, costMicros);
				if (job.guildId !== null) {
					const at = outcome.at ?? now();
					await ledger.record({ jobId: job.jobId, guildId: job.guildId, userId: job.userId, at, costMicros });
				}
				await media.release(...job.imageKeys);
				await records.setState(job.jobId, 'done');
				return;
			}
			case 'failed':
				if (FAILURE_POLICY[outcome.failure].refund) await quota.release(job);
				else await quota.finish(job);
				await media.release(...job.imageKeys);
				await records.setState(job.jobId, 'failed');
				return;
			case 'cancelled':
				await quota.release(job);
				await media.release(...job.imageKeys);
				await records.setState(job.jobId, 'cancelled');
				return;
			case 'rolled-back':
				// No job exists: nothing of it is kept.
				await quota.release(job);
				await media.remove(...job.imageKeys);
				await records.remove(job.jobId);
				return;
		}
	}

	return async (job, given) => {
		const outcome: Outcome = given.kind === 'delivered' ? { ...given, at: given.at ?? now() } : given;
		const claim = await records.claimSettlement(job.jobId, JSON.stringify(outcome));
		const stored = claim.first ? undefined : outcomeSchema.safeParse(JSON.parse(claim.outcome));
		const settled = stored?.success === true ? stored.data : outcome;
		await apply(job, settled);
		return { first: claim.first, outcome: settled };
	};
}

/**
 * A failed job runs again only when an operator retries it (from the queue dashboard): it is
 * opened again as if just accepted, its unit taken again (whatever the limit: the operator
 * decided) and its settlement forgotten, so this run ends through `settle` like any other.
 */
export function createReopen(deps: SettleDeps): Reopen {
	const { quota, records } = deps;
	return async (job) => {
		const raw = await records.settlement(job.jobId);
		if (raw === undefined) return undefined;
		const parsed = outcomeSchema.safeParse(JSON.parse(raw));
		const outcome = parsed.success ? parsed.data : undefined;
		if (outcome?.kind !== 'failed') return outcome;
		await quota.retake(job);
		await records.setState(job.jobId, 'running');
		await records.clearSettlement(job.jobId);
		return outcome;
	};
}
