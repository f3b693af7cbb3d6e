/** What went wrong at a provider, in the terms the user message and the retry policy need. */
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
	| 'timed-out' // the task did not finish in the allowed time
	| 'outcome-unknown' // a create call was interrupted: the task may or may not exist
	| 'too-large'; // the clip is over the upload limit and there is no link to give instead

const RETRYABLE: ReadonlySet<ProviderFailure> = new Set(['rate-limited', 'unavailable', 'network']);

export class ProviderError extends Error {
	public override readonly name = 'ProviderError';
	public readonly retryable: boolean;

	public constructor(
		public readonly provider: string,
		public readonly failure: ProviderFailure,
		message: string,
		public readonly details: {
			readonly status?: number;
			readonly code?: string | number;
			readonly retryAfterMs?: number;
			readonly cause?: unknown;
		} = {},
	) {
		super(`${provider}: ${message}`, { cause: details.cause });
		this.retryable = RETRYABLE.has(failure);
	}
}

/** Reads Retry-After (seconds or an HTTP date), or a reset timestamp, into milliseconds from now. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (value === undefined || value.trim() === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
