import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { httpRequest } from '../http.js';
import { z } from 'zod';
import { allowsDuration, CATALOG, durationsText } from './catalog.js';
import { CREDIT_WORDS, failureForStatus, RESET_HEADERS, SAFETY_WORDS } from './error-table.js';
import { ProviderError, retryAfterMs, type ProviderFailure } from './errors.js';
import { downloadCapped, neverSent, withRetries } from './http.js';
import type { ProviderImage, Submission, SubmitInput, TaskStatus, VideoProvider } from './types.js';

/**
 * Segmind's `minimax-ai` (video-01) and `minimax-ai-director`, per docs/providers.md §2.
 * Two modes: v2 (submit → `/v2/requests/{id}/status` → `/v2/requests/{id}`), which a restarted
 * worker can resume, and v1, one blocking call (~3 min) that answers with the MP4 itself.
 */

const PROVIDER = 'segmind';
const MIB = 1024 * 1024;

/** A rate-limit reset further away than this is not waited out inside one create call. */
const MAX_RESET_WAIT_MS = 60_000;

/** Segmind's v2 reports bad parameters as a FAILED request ("Validation error in …Processor: …"). */
const VALIDATION_WORDS = /validation error/i;

const httpUrl = z.url({ protocol: /^https?$/ });
const errorBody = z.looseObject({ error: z.unknown().optional(), message: z.unknown().optional() });
const record = z.record(z.string(), z.unknown());

// Accounting is nice to have: a cost in an unexpected shape is dropped, never fatal.
const metrics = z
	.looseObject({ cost: z.number().nonnegative().optional().catch(undefined) })
	.optional()
	.catch(undefined);
const createdReply = z.looseObject({ request_id: z.string().min(1) });
// FAILED bodies are read before these schemas (see `read`).
const statusReply = z.looseObject({ status: z.enum(['QUEUED', 'PROCESSING', 'COMPLETED']), metrics });
const resultReply = z.looseObject({
	status: z.literal('COMPLETED'),
	output: z.unknown().optional(),
	video: z.unknown().optional(),
	metrics,
});
const failedReply = z.looseObject({ status: z.literal('FAILED'), error: z.unknown().optional() });

export interface SegmindOptions {
	readonly apiKey: string;
	readonly baseUrl: string;
	readonly dispatcher?: Dispatcher | undefined;
	/**
	 * 'async' (default): v2 submit + poll; the request id is saved, so a crash loses nothing.
	 * 'blocking': v1, where `submit` waits for the clip and `poll` is never called.
	 */
	readonly mode?: 'async' | 'blocking' | undefined;
	/** How long a blocking v1 call may take before it counts as cut off. Default 10 minutes. */
	readonly blockingTimeoutMs?: number | undefined;
	/** The largest clip a blocking v1 call may return. Default 100 MiB. */
	readonly maxVideoBytes?: number | undefined;
}

interface Answer {
	readonly what: string;
	readonly status: number;
	readonly headers: IncomingHttpHeaders;
	readonly body: Buffer;
}

interface CallOptions {
	readonly body?: Record<string, unknown>;
	/** A create call: losing it after sending means the outcome is unknown. */
	readonly create?: boolean;
	readonly timeoutMs?: number;
	readonly maxBytes?: number;
	readonly signal?: AbortSignal | undefined;
}

const dataUrl = (image: ProviderImage) => `data:${image.contentType};base64,${image.data.toString('base64')}`;

const jsonOf = (answer: Answer): unknown => {
	try {
		return JSON.parse(answer.body.toString('utf8'));
	} catch {
		return undefined;
	}
};

const headerOf = (headers: IncomingHttpHeaders, name: string): string | undefined => {
	const value = headers[name];
	return Array.isArray(value) ? value[0] : value;
};

/** (U) MiniMax says "input new_sensitive" or "output new_sensitive"; words about the input blame the prompt or image. */
const safetyFailure = (message: string): ProviderFailure =>
	/\binput\b|prompt|image/i.test(message) ? 'safety-input' : 'safety-output';

/** The first http(s) URL in a result: a URL, a list of URLs, or an object with `output`/`video`/`url`. */
function firstUrl(value: unknown, depth = 0): string | undefined {
	if (depth > 3) return undefined;
	if (typeof value === 'string') return httpUrl.safeParse(value).success ? value : undefined;
	if (Array.isArray(value)) {
		for (const item of value) {
			const url = firstUrl(item, depth + 1);
			if (url !== undefined) return url;
		}
		return undefined;
	}
	const object = record.safeParse(value);
	if (!object.success) return undefined;
	for (const key of ['output', 'video', 'url']) {
		const url = firstUrl(object.data[key], depth + 1);
		if (url !== undefined) return url;
	}
	return undefined;
}

type Read<T> = { readonly ok: true; readonly reply: T } | { readonly ok: false; readonly status: TaskStatus };

export class SegmindProvider implements VideoProvider {
	public readonly name = PROVIDER;
	private readonly mode: 'async' | 'blocking';
	private readonly blockingTimeoutMs: number;
	private readonly maxVideoBytes: number;

	public constructor(private readonly options: SegmindOptions) {
		this.mode = options.mode ?? 'async';
		this.blockingTimeoutMs = options.blockingTimeoutMs ?? 10 * 60_000;
		this.maxVideoBytes = options.maxVideoBytes ?? 100 * MIB;
	}

	public async submit(input: SubmitInput, signal?: AbortSignal): Promise<Submission> {
		const body = requestBody(input);
		const path = `/${this.mode === 'async' ? 'v2' : 'v1'}/${input.model}`;
		const blocking = this.mode === 'blocking';
		// Only HTTP 200 is billed, so 429 and 502/503/504 prove nothing was charged and may be sent
		// again. A v1 500 comes after the generation ran and failed (often a bad parameter): final.
		// A connection lost after sending is `outcome-unknown` and never retried.
		const answer = await withRetries({ attempts: 3, baseDelayMs: 1_000, maxDelayMs: 10_000, signal }, async () => {
			const reply = await this.call('POST', path, {
				body,
				create: true,
				signal,
				...(blocking ? { timeoutMs: this.blockingTimeoutMs, maxBytes: this.maxVideoBytes } : {}),
			});
			if (reply.status >= 200 && reply.status < 300) return reply;
			const error = this.errorFor(reply);
			if (blocking && reply.status === 500 && error.failure === 'unavailable') {
				throw new ProviderError(PROVIDER, 'generation-failed', error.message, { status: 500 });
			}
			throw error;
		});
		if (!blocking) return { kind: 'task', taskId: this.parse(answer, createdReply).request_id };
		return this.clipFrom(answer, signal);
	}

	public async poll(taskId: string, signal?: AbortSignal): Promise<TaskStatus> {
		if (this.mode === 'blocking') {
			throw new ProviderError(
				PROVIDER,
				'malformed',
				'poll() was called in blocking mode, where submit returns the clip',
			);
		}
		const id = encodeURIComponent(taskId);
		const status = await this.read(`/v2/requests/${id}/status`, statusReply, taskId, signal);
		if (!status.ok) return status.status;
		if (status.reply.status === 'QUEUED') return { state: 'pending', phase: 'queued' };
		if (status.reply.status === 'PROCESSING') return { state: 'pending', phase: 'generating' };
		const result = await this.read(`/v2/requests/${id}`, resultReply, taskId, signal);
		if (!result.ok) return result.status;
		const videoUrl = firstUrl(result.reply);
		if (videoUrl === undefined) {
			throw new ProviderError(PROVIDER, 'malformed', `the result of request ${taskId} has no video URL`);
		}
		const costUsd = result.reply.metrics?.cost ?? status.reply.metrics?.cost;
		return { state: 'succeeded', videoUrl, ...(costUsd === undefined ? {} : { costUsd }) };
	}

	/** Reads a v2 request record; FAILED (served with HTTP 422, or 200) and an expired record end the task. */
	private async read<T>(path: string, schema: z.ZodType<T>, taskId: string, signal?: AbortSignal): Promise<Read<T>> {
		const answer = await this.call('GET', path, { signal });
		if (answer.status === 404) {
			const message = `request ${taskId} is unknown or expired (Segmind keeps request records for 1 h)`;
			const error = new ProviderError(PROVIDER, 'generation-failed', message, { status: 404 });
			return { ok: false, status: { state: 'failed', error } };
		}
		const failed = failedReply.safeParse(jsonOf(answer));
		if (failed.success) {
			const message = typeof failed.data.error === 'string' ? this.clean(failed.data.error) : '';
			return { ok: false, status: { state: 'failed', error: taskFailure(message, answer.status) } };
		}
		if (answer.status < 200 || answer.status >= 300) throw this.errorFor(answer);
		return { ok: true, reply: this.parse(answer, schema) };
	}

	/** The blocking call's 200: the MP4 itself, or (U) a JSON body pointing at it. */
	private async clipFrom(answer: Answer, signal?: AbortSignal): Promise<Submission> {
		const type = headerOf(answer.headers, 'content-type') ?? '';
		const cost = Number(headerOf(answer.headers, 'x-cost') ?? Number.NaN);
		const costUsd = Number.isFinite(cost) && cost >= 0 ? cost : undefined;
		if (type.includes('json')) {
			const url = firstUrl(jsonOf(answer));
			if (url === undefined) {
				throw new ProviderError(PROVIDER, 'malformed', `${answer.what} answered JSON without a video URL`);
			}
			const clip = await downloadCapped(PROVIDER, url, this.maxVideoBytes, signal);
			if (!clip.ok) throw new ProviderError(PROVIDER, 'malformed', `the clip is over ${this.maxVideoBytes} bytes`);
			return { kind: 'video', data: clip.data, costUsd };
		}
		if (answer.body.length === 0 || type.startsWith('text/')) {
			const got = type === '' ? 'no content type' : type;
			throw new ProviderError(PROVIDER, 'malformed', `${answer.what} answered ${got} instead of a video`);
		}
		return { kind: 'video', data: answer.body, costUsd };
	}

	/** One HTTP call. HTTP errors come back as answers; only a lost connection throws. */
	private async call(method: 'GET' | 'POST', path: string, options: CallOptions): Promise<Answer> {
		const what = `${method} ${path}`;
		const timeout = options.timeoutMs ?? 30_000;
		const maxBytes = options.maxBytes ?? 4 * MIB;
		let response: Dispatcher.ResponseData;
		try {
			response = await httpRequest(`${this.options.baseUrl}${path}`, {
				method,
				headers: {
					'x-api-key': this.options.apiKey,
					...(options.body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' }),
				},
				body: options.body === undefined ? null : JSON.stringify(options.body),
				signal: options.signal ?? null,
				headersTimeout: timeout,
				bodyTimeout: timeout,
				...(this.options.dispatcher === undefined ? {} : { dispatcher: this.options.dispatcher }),
			});
		} catch (error) {
			if (options.signal?.aborted) throw error;
			throw lost(error, what, options.create === true);
		}
		const chunks: Buffer[] = [];
		let total = 0;
		try {
			for await (const chunk of response.body) {
				const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
				total += buffer.length;
				if (total > maxBytes) {
					response.body.destroy();
					throw new ProviderError(PROVIDER, 'malformed', `${what} answered more than ${maxBytes} bytes`, {
						status: response.statusCode,
					});
				}
				chunks.push(buffer);
			}
		} catch (error) {
			if (error instanceof ProviderError || options.signal?.aborted) throw error;
			throw lost(error, what, options.create === true);
		}
		return { what, status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) };
	}

	private parse<T>(answer: Answer, schema: z.ZodType<T>): T {
		const parsed = schema.safeParse(jsonOf(answer));
		if (!parsed.success) {
			throw new ProviderError(PROVIDER, 'malformed', `unexpected answer to ${answer.what}`, {
				status: answer.status,
				cause: parsed.error,
			});
		}
		return parsed.data;
	}

	/** Maps an HTTP error through the shared table, reading Segmind's `{"error": "..."}` for 406 and safety. */
	private errorFor(answer: Answer): ProviderError {
		const body = errorBody.safeParse(jsonOf(answer));
		const said = body.success ? [body.data.error, body.data.message].find((value) => typeof value === 'string') : '';
		const text = typeof said === 'string' ? this.clean(said) : '';
		const { status } = answer;
		let failure = failureForStatus(status);
		if (failure === 'rejected' || status === 500) {
			// 406 means a wrong content type, no credits, or the team's spend limit: only the text tells.
			if (SAFETY_WORDS.test(text)) failure = safetyFailure(text);
			else if (CREDIT_WORDS.test(text)) failure = 'credits';
		}
		// A 503 may ask for a wait as well as a 429; either is honoured.
		const reset = failure === 'rate-limited' || failure === 'unavailable' ? resetDelay(answer.headers) : undefined;
		const message = `${answer.what} answered HTTP ${status}${text === '' ? '' : `: ${text}`}`;
		return new ProviderError(PROVIDER, failure, message, {
			status,
			...(reset === undefined ? {} : { retryAfterMs: reset }),
		});
	}

	/** Provider text goes into logs: keep it short and never let it echo the key. */
	private clean(text: string): string {
		return text.replaceAll(this.options.apiKey, '[key]').slice(0, 300);
	}
}

/** The v1/v2 body; refuses what neither model can take, before anything is spent. */
function requestBody(input: SubmitInput): Record<string, unknown> {
	const { request: video } = input;
	const model = CATALOG.segmind.models.find((candidate) => candidate.id === input.model);
	const refuse = (why: string) => new ProviderError(PROVIDER, 'rejected', why);
	if (model === undefined) throw refuse(`unknown model ${input.model}`);
	if (model.firstFrame === 'required' && input.firstFrame === undefined)
		throw refuse(`${model.id} needs a first frame`);
	if (input.subject !== undefined && !model.subject) throw refuse(`${model.id} takes no subject reference`);
	if (input.lastFrame !== undefined && !model.lastFrame) throw refuse(`${model.id} takes no last frame`);
	// Both models make one fixed 6 s 720p clip and have no fields for either.
	if (video.duration !== undefined && !allowsDuration(model, video.duration)) {
		throw refuse(`${model.id} makes ${durationsText(model, '/')} s clips only`);
	}
	if (video.resolution !== undefined && !model.resolutions.includes(video.resolution.toUpperCase())) {
		throw refuse(`${model.id} makes ${model.resolutions.join('/')} clips only`);
	}
	return {
		prompt: video.prompt,
		...(video.promptOptimizer === undefined ? {} : { prompt_optimizer: video.promptOptimizer }),
		...(input.firstFrame === undefined ? {} : { first_frame_image: dataUrl(input.firstFrame) }),
		...(input.subject === undefined ? {} : { subject_reference: dataUrl(input.subject) }),
	};
}

/** A failed request's message, classified: safety, credits, bad parameters, or plain failure. Always final. */
function taskFailure(message: string, status: number): ProviderError {
	const failure: ProviderFailure = SAFETY_WORDS.test(message)
		? safetyFailure(message)
		: CREDIT_WORDS.test(message)
			? 'credits'
			: VALIDATION_WORDS.test(message)
				? 'rejected'
				: 'generation-failed';
	const text = message === '' ? 'the request failed' : `the request failed: ${message}`;
	return new ProviderError(PROVIDER, failure, text, { status });
}

/** Segmind sends no Retry-After on 429, only an ISO reset time; a plain Retry-After (429, 503) is honoured too. */
function resetDelay(headers: IncomingHttpHeaders): number | undefined {
	const ms = retryAfterMs(headers[RESET_HEADERS.segmind]) ?? retryAfterMs(headers['retry-after']);
	return ms === undefined ? undefined : Math.min(ms, MAX_RESET_WAIT_MS);
}

function lost(error: unknown, what: string, create: boolean): ProviderError {
	if (create && !neverSent(error)) {
		// The request may have reached Segmind and may be billed: sending it again could pay twice.
		return new ProviderError(PROVIDER, 'outcome-unknown', `${what} was cut off after sending`, { cause: error });
	}
	return new ProviderError(PROVIDER, 'network', `${what} got no answer`, { cause: error });
}
