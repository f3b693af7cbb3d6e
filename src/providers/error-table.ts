import type { ProviderFailure } from './errors.js';

/**
 * The error table: every answer a provider can give that is not success, mapped to what it means
 * for the job. `retryable` failures are retried with backoff (and may fail over to the next
 * provider); every other failure ends the job at once with a plain-words message and the quota
 * given back. Sources: docs/providers.md.
 */

/** HTTP statuses, the same for every provider. */
export function failureForStatus(status: number): ProviderFailure {
	if (status === 401 || status === 403) return 'auth';
	if (status === 402) return 'credits';
	if (status === 429) return 'rate-limited';
	if (status === 408 || status >= 500) return 'unavailable';
	return 'rejected'; // 400, 404, 406, 410, 422 and the rest of 4xx
}

/**
 * A download of a finished clip refused with one of these: the link expired or was withdrawn.
 * Downloads never carry our key, so this is never an authentication problem; where the provider's
 * task query hands out fresh links, the worker asks for one (MiniMax: "time-limited … query again
 * for a refreshed URL").
 */
export const EXPIRED_LINK_STATUSES: ReadonlySet<number> = new Set([401, 403, 404, 410]);

/** A failed download's class: an expired link, or what the status means for any other call. */
export const failureForDownload = (status: number): ProviderFailure =>
	EXPIRED_LINK_STATUSES.has(status) ? 'link-expired' : failureForStatus(status);

/** MiniMax reports most errors in `base_resp.status_code` with HTTP 200. */
export const MINIMAX_CODES: Readonly<Record<number, ProviderFailure>> = {
	1000: 'unavailable', // unknown error
	1001: 'unavailable', // request timeout
	1002: 'rate-limited',
	1004: 'auth', // not authorised, or a key for the other region's host
	1008: 'credits', // insufficient balance
	1024: 'unavailable', // internal error
	1026: 'safety-input',
	1027: 'safety-output',
	1033: 'unavailable', // system error
	1039: 'rate-limited', // token limit
	1041: 'rate-limited', // connection limit
	1042: 'rejected', // too many invisible characters
	2013: 'rejected', // invalid parameters
	2045: 'rate-limited', // rate growth limit
	2049: 'auth', // invalid API key
};

/**
 * MiniMax's v2 API answers errors with an HTTP status and `{type: "error", error: {type, message,
 * http_code}}`, the code in brackets at the end of the message ("insufficient balance (1008)").
 */
export const MINIMAX_CODE_IN_MESSAGE = /\((\d{3,5})\)\s*$/;

/** MiniMax 2013 for a key whose plan cannot use H3 (Token Plan or Credit keys): a key problem. */
export const MINIMAX_PLAN_WORDS = /token\s*plan|credit.*not support|not support.*h3/i;

/** Runware's `errors[].code` strings; unknown `invalid*` codes are the request's fault. */
export const RUNWARE_CODES: Readonly<Record<string, ProviderFailure>> = {
	invalidApiKey: 'auth',
	insufficientCredits: 'credits',
	insufficientBalance: 'credits',
	timeoutProvider: 'unavailable',
	providerError: 'unavailable',
	internalError: 'unavailable',
	rateLimitExceeded: 'rate-limited',
	contentModerated: 'safety-output',
	invalidContent: 'safety-input',
};

/** Words in an error message that mean a safety filter, whatever the provider calls it. */
export const SAFETY_WORDS = /nsfw|sensitive|safety|moderat|content[ _]polic|flagged/i;

/** Words that mean the account is out of money (Segmind's 406 carries several meanings). */
export const CREDIT_WORDS = /credit|balance|spend limit|billing|payment|exhausted|user is locked/i;

/** Provider-specific headers that say when a rate limit resets. */
export const RESET_HEADERS = {
	/** Segmind: an ISO timestamp in UTC. */
	segmind: 'x-rate-limit-reset-at-utc',
} as const;
