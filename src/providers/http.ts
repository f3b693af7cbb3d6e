import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { httpRequest } from '../http.js';
import { type z } from 'zod';
import { DownloadError, fetchCapped, withoutQuery, type Download } from '../media/download.js';
import { failureForDownload, failureForStatus } from './error-table.js';
import { ProviderError, retryAfterMs } from './errors.js';

export interface JsonRequest {
	readonly provider: string;
	readonly method: 'GET' | 'POST' | 'PUT';
	readonly url: string;
	readonly headers?: Record<string, string>;
	readonly body?: unknown;
	readonly signal?: AbortSignal | undefined;
	readonly timeoutMs?: number;
	readonly dispatcher?: Dispatcher | undefined;
	/**
	 * The call creates billable work. Then an answer lost after the request went out is
	 * `outcome-unknown` (a task may exist), not a retryable network error.
	 */
	readonly creates?: boolean;
	/** Sees the headers of every answer, success or not (MiniMax says "rate limit" in a 200's body). */
	readonly onHeaders?: (headers: IncomingHttpHeaders) => void;
}

// Connection errors that prove the request never left this machine, so nothing was created.
const NEVER_SENT = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'ENETUNREACH',
	'EHOSTUNREACH',
	'UND_ERR_CONNECT_TIMEOUT',
]);

/** True when a connection error (or its cause) shows the request was never sent. */
export function neverSent(error: unknown): boolean {
	const found = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
	return [found?.code, found?.cause?.code].some((code) => typeof code === 'string' && NEVER_SENT.has(code));
}

/**
 * One JSON call to a provider. Every outcome is a value or a `ProviderError`: HTTP errors keep
 * their status, and an answer that does not match `schema` is `malformed`, never a crash.
 */
export async function requestJson<T>(
	options: JsonRequest,
	schema: z.ZodType<T>,
	/** Reads an error body a provider documents, for a better message and failure class. */
	describeError?: (status: number, body: unknown) => ProviderError | undefined,
): Promise<T> {
	const { provider } = options;
	const timeout = options.timeoutMs ?? 30_000;
	let response: Dispatcher.ResponseData;
	try {
		response = await httpRequest(options.url, {
			method: options.method,
			headers: {
				accept: 'application/json',
				...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
				...options.headers,
			},
			body: options.body === undefined ? null : JSON.stringify(options.body),
			signal: options.signal ?? null,
			headersTimeout: timeout,
			bodyTimeout: timeout,
			...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
		});
	} catch (error) {
		if (options.signal?.aborted) throw error;
		const where = `${options.method} ${redactUrl(options.url)}`;
		if (options.creates === true && !neverSent(error)) {
			throw new ProviderError(provider, 'outcome-unknown', `${where} got no answer; a task may exist`, {
				cause: error,
			});
		}
		throw new ProviderError(provider, 'network', `${where} got no answer`, { cause: error });
	}

	options.onHeaders?.(response.headers);
	const text = await response.body.text().catch(() => '');
	let body: unknown;
	try {
		body = text === '' ? undefined : JSON.parse(text);
	} catch {
		// A body that is not JSON is judged by its status alone.
	}

	if (response.statusCode >= 400) {
		const retryAfter = retryAfterMs(response.headers['retry-after']);
		const described = describeError?.(response.statusCode, body);
		if (described !== undefined) throw withRetryAfter(described, retryAfter);
		throw new ProviderError(
			provider,
			failureForStatus(response.statusCode),
			`${options.method} ${redactUrl(options.url)} answered HTTP ${response.statusCode}`,
			{ status: response.statusCode, ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) },
		);
	}

	const parsed = schema.safeParse(body);
	if (!parsed.success) {
		throw new ProviderError(provider, 'malformed', `unexpected answer to ${options.method} ${redactUrl(options.url)}`, {
			status: response.statusCode,
			cause: parsed.error,
		});
	}
	return parsed.data;
}

/**
 * The provider's Retry-After on an error a provider module described in its own words: the hook
 * sees the body only, and a 429 or 503 that waits less than it was asked to is refused again.
 */
export function withRetryAfter(error: ProviderError, retryAfter: number | undefined): ProviderError {
	if (retryAfter === undefined || !error.retryable || error.details.retryAfterMs !== undefined) return error;
	const message = error.message.slice(`${error.provider}: `.length);
	return new ProviderError(error.provider, error.failure, message, { ...error.details, retryAfterMs: retryAfter });
}

/** Query strings can carry ids we log, never keys; still, keep logs to the path. */
const redactUrl = withoutQuery;

export interface RetryPolicy {
	readonly attempts: number;
	readonly baseDelayMs: number;
	readonly maxDelayMs: number;
	readonly signal?: AbortSignal | undefined;
}

/**
 * The longest wait for a provider inside one call. A create call is not tied to the shutdown
 * signal (an abandoned one could bill a task nobody knows of), so a longer Retry-After is not
 * waited out in it: the error goes up, and the job fails over or waits for its next attempt.
 */
export const MAX_WAIT_IN_CALL_MS = 60_000;

/** The wait before try `tries + 1`: the backoff, and never less than the provider asked for. */
export function retryDelay(error: ProviderError, tries: number, baseDelayMs: number, maxDelayMs: number): number {
	const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (tries - 1));
	// Full jitter spreads retries; a rate limit with no Retry-After (MiniMax's 1002 in a 200) still
	// waits at least half the backoff, so a limited account is not asked again at once.
	const jitter =
		error.failure === 'rate-limited' ? backoff / 2 + (Math.random() * backoff) / 2 : Math.random() * backoff;
	return Math.max(error.details.retryAfterMs ?? 0, jitter);
}

/**
 * Retries retryable provider errors with exponential backoff and jitter, waiting at least as long
 * as the provider asked (Retry-After, seconds or a date). Other errors pass through at once, and so
 * does a Retry-After longer than `MAX_WAIT_IN_CALL_MS`.
 */
export async function withRetries<T>(policy: RetryPolicy, attempt: () => Promise<T>): Promise<T> {
	for (let tries = 1; ; tries++) {
		try {
			return await attempt();
		} catch (error) {
			if (!(error instanceof ProviderError) || !error.retryable || tries >= policy.attempts) throw error;
			if ((error.details.retryAfterMs ?? 0) > MAX_WAIT_IN_CALL_MS) throw error;
			await sleep(retryDelay(error, tries, policy.baseDelayMs, policy.maxDelayMs), undefined, {
				signal: policy.signal,
			});
		}
	}
}

/**
 * Downloads a provider's result into memory, capped at `maxBytes`; a host that refuses or does
 * not answer is this provider's failure. A link refused with 401/403/404/410 is `link-expired`
 * (the caller may ask the task for a fresh one), never a key problem.
 */
export async function downloadCapped(
	provider: string,
	url: string,
	maxBytes: number,
	signal?: AbortSignal,
	timeoutMs = 120_000,
): Promise<Download> {
	try {
		return await fetchCapped(url, maxBytes, { signal, timeoutMs });
	} catch (error) {
		if (!(error instanceof DownloadError)) throw error;
		const { status } = error;
		if (status === undefined) throw new ProviderError(provider, 'network', error.message, { cause: error });
		const wait = retryAfterMs(error.retryAfter);
		throw new ProviderError(provider, failureForDownload(status), error.message, {
			status,
			cause: error,
			...(wait === undefined ? {} : { retryAfterMs: wait }),
		});
	}
}
