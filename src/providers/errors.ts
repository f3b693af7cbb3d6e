import { FAILURE_POLICY, type ProviderFailure } from '../failures.js';

export type { ProviderFailure } from '../failures.js';

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
		this.retryable = FAILURE_POLICY[failure].retry;
	}
}

/**
 * The longest wait a Retry-After is read as: a broken or hostile header ("86400", a date next
 * year) must not park a paid task for hours; the job's time-out bounds polling anyway.
 */
export const RETRY_AFTER_CAP_MS = 10 * 60_000;

/** Reads Retry-After (seconds or an HTTP date), or a reset timestamp, into milliseconds from now. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (value === undefined || value.trim() === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.min(RETRY_AFTER_CAP_MS, Math.max(0, seconds * 1000));
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.min(RETRY_AFTER_CAP_MS, Math.max(0, date - now));
}
