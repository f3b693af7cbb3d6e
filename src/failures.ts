/**
 * Every way a job can fail, and what each one means for it: one exhaustive table, so a new
 * failure class does not compile until someone decides its row. The words users read for each
 * class are in `src/texts/`; the retry loop, the failover, the admin alerts and the quota
 * settlement all read their decision here.
 */

/** Failures a video provider reports (through `ProviderError`). */
export type ProviderFailure =
	| 'rejected' // the request itself is invalid: retrying cannot help
	| 'safety-input' // the provider's filter refused the prompt or an image
	| 'safety-output' // the provider's filter refused the generated video
	| 'auth' // the key is missing, wrong, or not allowed this model
	| 'credits' // the account is out of balance
	| 'rate-limited'
	| 'unavailable' // 5xx, gateway errors, the provider's own "try again"
	| 'network' // no answer at all
	| 'malformed' // an answer that does not match the documented protocol
	| 'generation-failed' // the task ended in failure without a reason
	| 'task-cancelled' // the provider reports the task cancelled, not by us (MiniMax v2 `cancelled`)
	| 'task-expired' // the task expired at the provider before it finished (MiniMax v2 `expired`)
	| 'link-expired' // the finished clip's download link was refused, and asking again gave no working one
	| 'timed-out' // the task did not finish in the allowed time
	| 'outcome-unknown' // a create call was interrupted: the task may or may not exist
	| 'too-large'; // the clip is over the upload limit and there is no link to give instead

/** Every failure class: the providers' and the ones that happen on our side. */
export type FailureClass =
	| ProviderFailure
	| 'source-unreadable' // an input the worker prepares itself (Extend's last frame) could not be read
	| 'undeliverable' // Discord refused the delivery for good (a 4xx other than a dead token)
	| 'internal'; // anything unexpected: a bug, or an outage of our own

/**
 * An admin alert: once per provider (deduplicated for hours) or once per job. In English: it goes
 * to the bot's operators (ADMIN_CHANNEL_ID and the logs), never to a user.
 */
export interface Alert {
	readonly scope: 'provider' | 'job';
	readonly says: (provider: string, jobId: string) => string;
}

const handedOn = (problem: string) => (provider: string) =>
	`${provider} ${problem}. Jobs move on to the next provider, if one is configured.`;

export interface FailurePolicy {
	/** Tried again with backoff: the provider call, the poll, and the job's next attempt. */
	readonly retry: boolean;
	/** Before a task exists, the job moves on to the next provider of the chain that can serve it. */
	readonly failOver: boolean;
	/** Who must be told besides the user; null when nobody. */
	readonly alert: Alert | null;
	/** The quota unit goes back when the job ends on this failure. */
	readonly refund: boolean;
}

const final = { retry: false, failOver: false, alert: null, refund: true } as const;
const passing = { retry: true, failOver: true, alert: null, refund: true } as const;

export const FAILURE_POLICY: { readonly [F in FailureClass]: FailurePolicy } = {
	'rejected': final,
	'safety-input': final,
	'safety-output': final,
	// A provider that refuses its key or is out of money hands the job on, and the admins hear of it.
	'auth': {
		retry: false,
		failOver: true,
		alert: { scope: 'provider', says: handedOn('does not accept its API key') },
		refund: true,
	},
	'credits': {
		retry: false,
		failOver: true,
		alert: { scope: 'provider', says: handedOn('is out of credits') },
		refund: true,
	},
	'rate-limited': passing,
	'unavailable': passing,
	'network': passing,
	'malformed': final,
	'generation-failed': final,
	'task-cancelled': final,
	'task-expired': final,
	// The clip exists and is paid for: the job's next attempt asks the same task for a fresh link
	// again (never a second task). A refused download is never the key's fault.
	'link-expired': { retry: true, failOver: false, alert: null, refund: true },
	'timed-out': final,
	// The task may exist and be billed (a create call cut off, or answered unreadably): never sent
	// again, never handed on, and the admins are told.
	'outcome-unknown': {
		retry: false,
		failOver: false,
		alert: {
			scope: 'job',
			says: (provider, jobId) =>
				`A ${provider} create call for job ${jobId} was cut off by a worker crash or got an answer that could not be read, so the task may exist and be billed. It was not sent again; the user's quota was given back.`,
		},
		refund: true,
	},
	'too-large': final,
	'source-unreadable': final,
	'undeliverable': final,
	// Our own trouble (Redis, a bug): the job's next attempt resumes from what it stored.
	'internal': { retry: true, failOver: false, alert: null, refund: true },
};
