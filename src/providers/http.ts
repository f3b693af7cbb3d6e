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

	const text = await response.body.text().catch(() => '');
	let body: unknown;
	try {
		body = text === '' ? undefined : JSON.parse(text);
	} catch {
		// A body that is not JSON is judged by its status alone.
	}

	if (response.statusCode >= 400) {
		const described = describeError?.(response.statusCode, body);
		if (described !== undefined) throw described;
		const retryAfter = retryAfterMs(response.headers['retry-after']);
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

/** Query strings can carry ids we log, never keys; still, keep logs to the path. */
const redactUrl = withoutQuery;

export interface RetryPolicy {
	readonly attempts: number;
	readonly baseDelayMs: number;
	readonly maxDelayMs: number;
	readonly signal?: AbortSignal | undefined;
}

/**
 * Retries retryable provider errors with exponential backoff and full jitter, waiting at least as
 * long as the provider asked (Retry-After). Other errors pass through at once.
 */
export async function withRetries<T>(policy: RetryPolicy, attempt: () => Promise<T>): Promise<T> {
	for (let tries = 1; ; tries++) {
		try {
			return await attempt();
		} catch (error) {
			if (!(error instanceof ProviderError) || !error.retryable || tries >= policy.attempts) throw error;
			const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (tries - 1));
			const delay = Math.max(error.details.retryAfterMs ?? 0, Math.random() * backoff);
			await sleep(delay, undefined, { signal: policy.signal });
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
		throw new ProviderError(provider, failureForDownload(status), error.message, { status, cause: error });
	}
}
