// HTTP plumbing for the Discord stand-in: body parsing (JSON and multipart), Discord-style
// replies and rate-limit headers, and a small signed-URL file host standing in for the CDN.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { extname } from 'node:path';

export interface RecordedFile {
	field: string;
	filename: string;
	contentType: string;
	data: Buffer;
}

export interface Reply {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
}

export function ok(body: unknown, status = 200): Reply {
	return { status, body };
}

export const noContent: Reply = { status: 204 };

/** Discord's error body: `{ code, message }`, plus `errors` for form-body failures. */
export function discordError(status: number, code: number, message: string, errors?: unknown): Reply {
	return { status, body: errors === undefined ? { code, message } : { code, message, errors } };
}

/** Thrown by route handlers to answer with a Discord error. */
export class DiscordHttpError extends Error {
	readonly reply: Reply;

	constructor(status: number, code: number, message: string, errors?: unknown) {
		super(`${status} ${code} ${message}`);
		this.reply = discordError(status, code, message, errors);
	}
}

/** A 50035 for a rule the spec cannot express; the stand-in also records it as a violation. */
export class InvalidFormBody extends DiscordHttpError {
	constructor(
		readonly problem: string,
		errors: Record<string, unknown>,
	) {
		super(400, 50035, 'Invalid Form Body', errors);
	}
}

/** A reply for scripted failures: fills in what Discord (and @discordjs/rest) expects. */
export function scriptedReply(reply: Reply): Reply {
	const headers = Object.fromEntries(Object.entries(reply.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
	if (reply.status !== 429) {
		const body = reply.body ?? { message: STATUS_CODES[reply.status] ?? 'Error', code: 0 };
		return { status: reply.status, body, headers };
	}
	const retryAfter = headers['retry-after'] ?? '1';
	return {
		status: 429,
		body: reply.body ?? { message: 'You are being rate limited.', retry_after: Number(retryAfter), global: false },
		headers: {
			'retry-after': retryAfter,
			'x-ratelimit-remaining': '0',
			'x-ratelimit-reset-after': retryAfter,
			'x-ratelimit-scope': 'user',
			...headers,
		},
	};
}

/**
 * One bucket of requests: `limit` per window, the window starting with its first request, as
 * Discord's headers describe it (it does not publish the numbers, so these are plausible ones).
 */
interface Bucket {
	readonly hash: string;
	readonly limit: number;
	readonly windowMs: number;
	remaining: number;
	resetAt: number;
}

export interface RateLimitDecision {
	/** The headers of the answer (the bucket's state after this request). */
	readonly headers: Record<string, string>;
	/** Set when the request is over its bucket: the 429 to answer instead. */
	readonly refused?: Reply;
}

interface BucketRule {
	/** Requests per window. */
	readonly limit: number;
	readonly windowMs: number;
	/** The top-level resource that splits the bucket (Discord's "major parameter"). */
	readonly major: (params: Record<string, string>) => string;
}

const perChannel = (params: Record<string, string>) => params.channel_id ?? '';
const perToken = (params: Record<string, string>) => `${params.webhook_id ?? ''}/${params.webhook_token ?? ''}`;

/** Interaction callbacks are not limited; everything else is, per route and major parameter. */
function ruleFor(method: string, template: string): BucketRule | undefined {
	if (template.endsWith('/callback')) return undefined;
	if (template.startsWith('/webhooks/{webhook_id}/{webhook_token}'))
		return { limit: 5, windowMs: 2_000, major: perToken };
	if (template.startsWith('/channels/{channel_id}/messages')) {
		return method === 'GET'
			? { limit: 5, windowMs: 1_000, major: perChannel }
			: { limit: 5, windowMs: 5_000, major: perChannel };
	}
	return { limit: 5, windowMs: 1_000, major: () => '' };
}

/** Requests with the bot token share one global limit on top of their route's. */
const GLOBAL_PER_SECOND = 50;

/**
 * Discord's rate limits as its docs describe them: per-route buckets split by channel or webhook
 * token, announced in `X-RateLimit-*` headers, a global limit for the bot token (interaction
 * routes are exempt), and a 429 with `Retry-After` for a request over its bucket.
 */
export class RateLimiter {
	private readonly buckets = new Map<string, Bucket>();
	private global = { remaining: GLOBAL_PER_SECOND, resetAt: 0 };

	constructor(private readonly enforce: boolean) {}

	take(method: string, template: string, params: Record<string, string>, botToken: boolean): RateLimitDecision {
		const rule = ruleFor(method, template);
		if (rule === undefined) return { headers: {} };
		const now = Date.now();
		const hash = createHash('sha1').update(`${method} ${template}`).digest('hex').slice(0, 32);
		const key = `${hash}:${rule.major(params)}`;
		let bucket = this.buckets.get(key);
		if (bucket === undefined || now >= bucket.resetAt) {
			bucket = {
				hash,
				limit: rule.limit,
				windowMs: rule.windowMs,
				remaining: rule.limit,
				resetAt: now + rule.windowMs,
			};
			this.buckets.set(key, bucket);
		}
		if (this.enforce && botToken) {
			if (now >= this.global.resetAt) this.global = { remaining: GLOBAL_PER_SECOND, resetAt: now + 1_000 };
			if (this.global.remaining <= 0) return { headers: {}, refused: tooMany(this.global.resetAt - now, true) };
			this.global.remaining--;
		}
		if (this.enforce && bucket.remaining <= 0) {
			return { headers: headersOf(bucket, now), refused: tooMany(bucket.resetAt - now, false) };
		}
		if (this.enforce) bucket.remaining--;
		return { headers: headersOf(bucket, now) };
	}
}

function headersOf(bucket: Bucket, now: number): Record<string, string> {
	return {
		'x-ratelimit-limit': String(bucket.limit),
		'x-ratelimit-remaining': String(Math.max(0, bucket.remaining)),
		'x-ratelimit-reset': (bucket.resetAt / 1000).toFixed(3),
		'x-ratelimit-reset-after': (Math.max(0, bucket.resetAt - now) / 1000).toFixed(3),
		'x-ratelimit-bucket': bucket.hash,
	};
}

function tooMany(waitMs: number, global: boolean): Reply {
	const seconds = (Math.max(1, waitMs) / 1000).toFixed(3);
	return {
		status: 429,
		body: { message: 'You are being rate limited.', retry_after: Number(seconds), global },
		headers: {
			'retry-after': String(Math.ceil(Number(seconds))),
			'x-ratelimit-scope': global ? 'global' : 'user',
			...(global ? { 'x-ratelimit-global': 'true' } : {}),
		},
	};
}

export function send(res: ServerResponse, reply: Reply, extraHeaders: Record<string, string> = {}): void {
	const headers = { ...extraHeaders, ...reply.headers };
	if (reply.body === undefined) {
		res.writeHead(reply.status, headers).end();
		return;
	}
	const json = JSON.stringify(reply.body);
	res.writeHead(reply.status, { ...headers, 'content-type': 'application/json' }).end(json);
}

export async function readRaw(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
	return Buffer.concat(chunks);
}

export interface ParsedBody {
	body: unknown;
	files: RecordedFile[];
	/** Set when the body could not be parsed at all. */
	problem?: string;
}

export async function parseBody(contentType: string, raw: Buffer): Promise<ParsedBody> {
	if (raw.length === 0) return { body: undefined, files: [] };
	if (contentType.startsWith('multipart/form-data')) return parseMultipart(contentType, raw);
	try {
		return { body: JSON.parse(raw.toString('utf8')), files: [] };
	} catch {
		return { body: raw.toString('utf8'), files: [], problem: 'body is not valid JSON' };
	}
}

/** discord.js sends `payload_json` plus `files[n]` parts; the payload is the real body. */
async function parseMultipart(contentType: string, raw: Buffer): Promise<ParsedBody> {
	const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
	const files: RecordedFile[] = [];
	const fields: Record<string, string> = {};
	for (const [field, value] of form) {
		if (typeof value === 'string') {
			fields[field] = value;
			continue;
		}
		const data = Buffer.from(await value.arrayBuffer());
		files.push({ field, filename: value.name, contentType: contentTypeOf(value.name, value.type), data });
	}
	const { payload_json: payload, ...rest } = fields;
	if (payload === undefined) return { body: Object.keys(rest).length > 0 ? rest : undefined, files };
	try {
		return { body: JSON.parse(payload), files };
	} catch {
		return { body: payload, files, problem: 'payload_json is not valid JSON' };
	}
}

const CONTENT_TYPES: Record<string, string> = {
	'.mp4': 'video/mp4',
	'.webm': 'video/webm',
	'.png': 'image/png',
	'.jpg': 'image/jpeg',
	'.jpeg': 'image/jpeg',
	'.gif': 'image/gif',
	'.webp': 'image/webp',
	'.txt': 'text/plain; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
};

/** Discord derives an attachment's content_type itself; a generic part type tells it nothing. */
function contentTypeOf(filename: string, partType: string): string {
	if (partType && partType !== 'application/octet-stream') return partType;
	return CONTENT_TYPES[extname(filename).toLowerCase()] ?? 'application/octet-stream';
}

interface HostedFile {
	data: Buffer;
	contentType: string;
	/** The link answers 302 to this instead (a CDN link that sends the bot elsewhere). */
	redirectTo?: string;
}

export interface HostedUrls {
	url: string;
	proxyUrl: string;
}

const SIGNED_URL_LIFETIME_S = 24 * 60 * 60;

/**
 * Serves files at `/attachments/{channel}/{id}/{name}` (and the media-proxy twin under `/media`)
 * with Discord-style `ex`/`is`/`hm` signatures; a wrong signature or a past `ex` gives 404.
 */
export class AttachmentHost {
	private readonly files = new Map<string, HostedFile>();
	private readonly secret = randomBytes(32);
	/** Bumped by `expireAll`: every link signed before stops working, as Discord's expire. */
	private generation = 0;

	constructor(private readonly origin: string) {}

	host(
		channelId: string,
		id: string,
		filename: string,
		data: Buffer,
		contentType: string,
		redirectTo?: string,
	): HostedUrls {
		const path = `/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`;
		this.files.set(path, { data, contentType, ...(redirectTo === undefined ? {} : { redirectTo }) });
		return this.signed(path);
	}

	/** A freshly signed link to a hosted file, as Discord puts in every payload it sends. */
	fresh(url: string): HostedUrls {
		const path = new URL(url).pathname.replace(/^\/media(?=\/attachments\/)/, '');
		return this.signed(path);
	}

	/** Every link signed so far stops working; messages read again carry fresh ones. */
	expireAll(): void {
		this.generation++;
	}

	private signed(path: string): HostedUrls {
		const issued = Math.floor(Date.now() / 1000);
		const ex = (issued + SIGNED_URL_LIFETIME_S).toString(16);
		const is = issued.toString(16);
		const query = `?ex=${ex}&is=${is}&hm=${this.sign(path, ex, is)}&`;
		return { url: `${this.origin}${path}${query}`, proxyUrl: `${this.origin}/media${path}${query}` };
	}

	/** Answers CDN requests; returns false if the URL is not a CDN path. */
	serve(url: URL, res: ServerResponse): boolean {
		const path = url.pathname.replace(/^\/media(?=\/attachments\/)/, '');
		if (!path.startsWith('/attachments/')) return false;
		const file = this.files.get(path);
		const ex = url.searchParams.get('ex') ?? '';
		const is = url.searchParams.get('is') ?? '';
		const valid = url.searchParams.get('hm') === this.sign(path, ex, is) && parseInt(ex, 16) * 1000 > Date.now();
		if (!file || !valid) {
			res.writeHead(404, { 'content-type': 'text/plain' }).end('This content is no longer available.');
			return true;
		}
		if (file.redirectTo !== undefined) {
			res.writeHead(302, { location: file.redirectTo }).end();
			return true;
		}
		res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.data.length) }).end(file.data);
		return true;
	}

	private sign(path: string, ex: string, is: string): string {
		return createHmac('sha256', this.secret).update(`${path}|${ex}|${is}|${this.generation}`).digest('hex');
	}
}
