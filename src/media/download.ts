import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { fileAgent, httpRequest } from '../http.js';
import { ipLiteral, isPublicAddress } from './address.js';

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
	/** Only where this guard allows: every URL, redirects included, is checked before it is fetched. */
	readonly guard?: DownloadGuard | undefined;
}

/** Why a guarded download was refused before anything was fetched. */
export type UnsafeReason = 'malformed' | 'scheme' | 'credentials' | 'host' | 'port' | 'address' | 'redirects';

/** A guarded download refused a URL (or a redirect to one) before any byte was fetched from it. */
export class UnsafeUrlError extends Error {
	public override readonly name = 'UnsafeUrlError';

	public constructor(
		public readonly reason: UnsafeReason,
		message: string,
	) {
		super(message);
	}
}

/** Where downloads may go. Redirects are followed by hand, each one checked like the first URL. */
export interface DownloadGuard {
	/** Throws `UnsafeUrlError` for a URL that may not be fetched. */
	check(url: URL): Promise<void>;
	/** Connections whose name lookups refuse addresses the guard does not allow; redirects are not followed. */
	readonly dispatcher: Dispatcher;
}

/** Resolves a host name to every address it has (the system resolver by default). */
export type Resolve = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemResolve: Resolve = (hostname) =>
	new Promise((resolve, reject) => {
		dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
			error === null ? resolve(addresses) : reject(error),
		);
	});

export interface GuardOptions {
	/** `scheme://host[:port]` origins allowed, exactly (an explicit default port is the same origin). */
	readonly origins: readonly string[];
	/**
	 * Whether loopback, private and special-purpose addresses may be reached (a local stand-in or a
	 * REST proxy on the private network). Asked once, when first needed.
	 */
	readonly allowPrivate: () => Promise<boolean>;
	readonly resolve?: Resolve;
}

/**
 * A guard for downloads that must stay on a few known origins: no other scheme, host or port, no
 * credentials in the URL (`https://cdn.example@evil.example/` is a trick, never a login), and,
 * unless private addresses are allowed, no address literal or resolved name in a private range.
 * Names are resolved and checked inside the connection's own lookup, so the address checked is
 * the one connected to (a name that answers differently a second time gains nothing).
 */
export function originGuard(options: GuardOptions): DownloadGuard {
	const allowed = new Set(options.origins.map((origin) => new URL(origin).origin));
	const resolve = options.resolve ?? systemResolve;
	let allowPrivate: Promise<boolean> | undefined;
	const privateAllowed = () => (allowPrivate ??= options.allowPrivate().catch(() => false));

	const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
		const answer = async () => {
			const found = (await resolve(hostname)).filter(
				(address) =>
					lookupOptions.family === undefined || lookupOptions.family === 0 || address.family === lookupOptions.family,
			);
			if (found.length === 0) throw new UnsafeUrlError('address', `${hostname} has no address`);
			if (!(await privateAllowed()) && found.some((address) => !isPublicAddress(address.address)))
				throw new UnsafeUrlError('address', `${hostname} resolves to a private address`);
			return found;
		};
		answer().then(
			(found) => {
				const [first] = found as [LookupAddress, ...LookupAddress[]];
				if (lookupOptions.all === true) callback(null, found);
				else callback(null, first.address, first.family);
			},
			(error: unknown) => callback(error as NodeJS.ErrnoException, '', 0),
		);
	};

	return {
		dispatcher: new Agent({ connect: { lookup } }),
		async check(url) {
			if (url.protocol !== 'https:' && url.protocol !== 'http:')
				throw new UnsafeUrlError('scheme', `${url.protocol} is not http(s)`);
			if (url.username !== '' || url.password !== '')
				throw new UnsafeUrlError('credentials', 'the URL carries credentials');
			if (!allowed.has(url.origin)) {
				const sameHost = [...allowed]
					.map((origin) => new URL(origin))
					.filter((origin) => origin.hostname === url.hostname);
				const reason =
					sameHost.length === 0 ? 'host' : sameHost.some((o) => o.protocol === url.protocol) ? 'port' : 'scheme';
				throw new UnsafeUrlError(reason, `${url.origin} is not an allowed origin`);
			}
			const literal = ipLiteral(url.hostname);
			if (literal !== undefined && !isPublicAddress(literal) && !(await privateAllowed()))
				throw new UnsafeUrlError('address', `${literal} is a private address`);
		},
	};
}

/** A redirect's target, from its Location header. */
function redirectTarget(response: Dispatcher.ResponseData, from: URL): URL | undefined {
	if (![301, 302, 303, 307, 308].includes(response.statusCode)) return undefined;
	const location = response.headers.location;
	const value = Array.isArray(location) ? location[0] : location;
	if (value === undefined) return undefined;
	try {
		return new URL(value, from);
	} catch {
		throw new UnsafeUrlError('malformed', 'the redirect points nowhere readable');
	}
}

/** Redirects a guarded download follows at most, each checked. */
const MAX_REDIRECTS = 3;

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
	const { signal, guard } = options;
	const timeoutMs = options.timeoutMs ?? 120_000;
	const get = async (target: string, dispatcher: Dispatcher) => {
		try {
			return await httpRequest(target, {
				method: 'GET',
				signal: signal ?? null,
				headersTimeout: timeoutMs,
				bodyTimeout: timeoutMs,
				dispatcher,
			});
		} catch (error) {
			if (signal?.aborted) throw error;
			const refused = unsafeIn(error);
			if (refused !== undefined) throw refused;
			throw new DownloadError(`download of ${withoutQuery(target)} got no answer`, undefined, { cause: error });
		}
	};
	let response: Dispatcher.ResponseData;
	if (guard === undefined) response = await get(url, fileAgent());
	else {
		let current: URL;
		try {
			current = new URL(url);
		} catch {
			throw new UnsafeUrlError('malformed', 'not a URL');
		}
		for (let hops = 0; ; hops++) {
			await guard.check(current);
			response = await get(current.href, guard.dispatcher);
			const next = redirectTarget(response, current);
			if (next === undefined) break;
			await response.body.dump();
			if (hops === MAX_REDIRECTS) throw new UnsafeUrlError('redirects', 'too many redirects');
			current = next;
		}
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

/** The guard's refusal, however undici wrapped the failed connection. */
function unsafeIn(error: unknown): UnsafeUrlError | undefined {
	for (let seen: unknown = error, depth = 0; seen instanceof Error && depth < 5; depth++) {
		if (seen instanceof UnsafeUrlError) return seen;
		if (seen instanceof AggregateError) {
			const inner = seen.errors.find((each) => each instanceof UnsafeUrlError);
			if (inner instanceof UnsafeUrlError) return inner;
		}
		seen = seen.cause;
	}
	return undefined;
}
