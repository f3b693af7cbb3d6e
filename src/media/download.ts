import type { Dispatcher } from 'undici';
import { fileAgent, httpRequest } from '../http.js';

/**
 * Downloads of media files (Discord's CDN, a provider's result link) into memory, capped: no
 * caller ever holds more than the bytes it allows. This is not a provider call; callers decide
 * what a failure means for them.
 */

/** The file host answered with an error status, or did not answer at all. */
export class DownloadError extends Error {
	public override readonly name = 'DownloadError';

	public constructor(
		message: string,
		/** The HTTP status, when the host answered. */
		public readonly status?: number,
		options?: ErrorOptions,
		/** The host's Retry-After header (seconds or an HTTP date), when it asked to wait. */
		public readonly retryAfter?: string,
	) {
		super(message, options);
	}
}

export type Download =
	| { readonly ok: true; readonly data: Buffer; readonly contentType: string | undefined }
	| { readonly ok: false; readonly reason: 'too-large'; readonly bytes: number | undefined };

export interface DownloadOptions {
	readonly signal?: AbortSignal | undefined;
	readonly timeoutMs?: number;
}

/** The URL without its query, which may hold a signature. */
export function withoutQuery(url: string): string {
	const parsed = new URL(url);
	return `${parsed.origin}${parsed.pathname}`;
}

/**
 * Downloads a file, stopping as soon as it would exceed `maxBytes`. Throws `DownloadError` for an
 * error status or no answer (an abort rethrows the signal's reason).
 */
export async function fetchCapped(url: string, maxBytes: number, options: DownloadOptions = {}): Promise<Download> {
	const { signal } = options;
	const timeoutMs = options.timeoutMs ?? 120_000;
	let response: Dispatcher.ResponseData;
	try {
		response = await httpRequest(url, {
			method: 'GET',
			signal: signal ?? null,
			headersTimeout: timeoutMs,
			bodyTimeout: timeoutMs,
			dispatcher: fileAgent(),
		});
	} catch (error) {
		if (signal?.aborted) throw error;
		throw new DownloadError(`download of ${withoutQuery(url)} got no answer`, undefined, { cause: error });
	}
	if (response.statusCode >= 400) {
		await response.body.dump();
		const header = response.headers['retry-after'];
		const retryAfter = Array.isArray(header) ? header[0] : header;
		throw new DownloadError(`download answered HTTP ${response.statusCode}`, response.statusCode, {}, retryAfter);
	}
	const declared = Number(response.headers['content-length']);
	if (Number.isFinite(declared) && declared > maxBytes) {
		await response.body.dump();
		return { ok: false, reason: 'too-large', bytes: declared };
	}
	const chunks: Buffer[] = [];
	let total = 0;
	for await (const chunk of response.body) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
		total += buffer.length;
		if (total > maxBytes) {
			response.body.destroy();
			return { ok: false, reason: 'too-large', bytes: undefined };
		}
		chunks.push(buffer);
	}
	const type = response.headers['content-type'];
	return { ok: true, data: Buffer.concat(chunks), contentType: Array.isArray(type) ? type[0] : type };
}
