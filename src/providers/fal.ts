import type { Dispatcher } from 'undici';
import { httpRequest } from '../http.js';
import { z } from 'zod';
import { CATALOG } from './catalog.js';
import { CREDIT_WORDS, failureForStatus, SAFETY_WORDS } from './error-table.js';
import { ProviderError, retryAfterMs } from './errors.js';
import { requestJson, withRetries } from './http.js';
import type { ProviderImage, Submission, SubmitInput, TaskStatus, VideoProvider } from './types.js';

/**
 * fal.ai's queue API (docs/providers.md, section 6): submit to `{base}/{endpoint id}`, then
 * follow the status/response/cancel URLs the submit call returned. Those URLs leave out the
 * endpoint's subpath (`/image-to-video`), so they are never rebuilt from the model id.
 */

const PROVIDER = 'fal';

const submitResponse = z.object({
	request_id: z.string().min(1),
	status_url: z.url(),
	response_url: z.url(),
	// Needed only to cancel: a submit answer without it still has a task worth polling.
	cancel_url: z.url().optional(),
});

const statusResponse = z.object({
	// FAILED and CANCELED are listed only by a third-party schema (U); handled in case they appear.
	status: z.enum(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELED', 'CANCELLED']),
	queue_position: z.number().optional(),
	error: z.string().nullish(),
});

const resultResponse = z.object({
	video: z.object({
		url: z.url(),
		content_type: z.string().optional(),
		file_name: z.string().optional(),
		file_size: z.number().optional(),
	}),
});

const errorEntry = z.object({
	loc: z.array(z.union([z.string(), z.number()])).optional(),
	msg: z.string().optional(),
	type: z.string().optional(),
});

/** fal's error body: `detail` is a list of typed errors, or a plain string on older endpoints. */
const errorBody = z.object({ detail: z.union([z.string(), z.array(errorEntry)]) });

const cancelResponse = z.object({ status: z.string().optional() }).optional();

/** What the task id holds: the three URLs the submit call returned, so a restarted worker can go on. */
const taskRef = z.object({ id: z.string(), status: z.url(), response: z.url(), cancel: z.url().optional() });
type TaskRef = z.infer<typeof taskRef>;

interface Detail {
	readonly text: string;
	/** The first entry's machine-readable `type` (e.g. `content_policy_violation`). */
	readonly type?: string | undefined;
	/** True when an entry points at an input field (`loc: ['body', 'prompt']`). */
	readonly namesInput: boolean;
}

function readDetail(body: unknown): Detail | undefined {
	const parsed = errorBody.safeParse(body);
	if (!parsed.success) return undefined;
	const { detail } = parsed.data;
	if (typeof detail === 'string') return { text: detail.slice(0, 300), namesInput: false };
	const text = detail.map((entry) => [entry.type, entry.msg].filter(Boolean).join(': ')).join('; ');
	const namesInput = detail.some((entry) => (entry.loc?.length ?? 0) > 1);
	return { text: text.slice(0, 300), type: detail[0]?.type, namesInput };
}

/** Account-level answers (key, balance) keep their meaning wherever they come from. */
function accountError(status: number, detail: Detail | undefined): ProviderError | undefined {
	// fal locks an account that runs out of balance and answers 403 "User is locked. Reason: Exhausted balance".
	if (status === 402 || ((status === 401 || status === 403) && CREDIT_WORDS.test(detail?.text ?? ''))) {
		return new ProviderError(PROVIDER, 'credits', `out of balance: ${detail?.text ?? `HTTP ${status}`}`, { status });
	}
	if (status === 401 || status === 403) {
		return new ProviderError(PROVIDER, 'auth', `key refused: ${detail?.text ?? `HTTP ${status}`}`, { status });
	}
	return undefined;
}

/** Errors from the submit call: the request itself was judged. 429 and 5xx keep the default mapping (Retry-After). */
function describeSubmitError(status: number, body: unknown): ProviderError | undefined {
	const detail = readDetail(body);
	const account = accountError(status, detail);
	if (account !== undefined || detail === undefined || status === 429 || status >= 500) return account;
	const failure = SAFETY_WORDS.test(detail.text) ? 'safety-input' : failureForStatus(status);
	return new ProviderError(PROVIDER, failure, detail.text, { status, ...codeOf(detail) });
}

const codeOf = (detail: Detail) => (detail.type === undefined ? {} : { code: detail.type });

/** Errors that are the request's own final outcome, as opposed to a failure to read it. */
const taskFailures = new WeakSet<ProviderError>();

/**
 * Errors from the response URL once the status said COMPLETED: a body with `detail` is the task's
 * own failure (final). Gateway answers (429, 502-504) and bodies without `detail` keep the default
 * mapping, so they stay retryable and keep Retry-After.
 */
function describeResultError(status: number, body: unknown): ProviderError | undefined {
	const detail = readDetail(body);
	const account = accountError(status, detail);
	if (account !== undefined || detail === undefined || status === 429 || (status >= 502 && status <= 504)) {
		return account;
	}
	const error = new ProviderError(PROVIDER, taskFailure(status, detail), detail.text, { status, ...codeOf(detail) });
	taskFailures.add(error);
	return error;
}

function taskFailure(status: number, detail: Detail) {
	// fal gives no input/output flag; a `loc` naming a field (prompt, image_url) means the input (U).
	if (SAFETY_WORDS.test(detail.text)) return detail.namesInput ? 'safety-input' : 'safety-output';
	return status === 422 ? 'rejected' : 'generation-failed';
}

const dataUrl = (image: ProviderImage) => `data:${image.contentType};base64,${image.data.toString('base64')}`;

export interface FalOptions {
	readonly apiKey: string;
	/** Queue host, `https://queue.fal.run`; status/result URLs must share its origin. */
	readonly baseUrl: string;
	readonly dispatcher?: Dispatcher | undefined;
}

export class FalProvider implements VideoProvider {
	public readonly name = PROVIDER;
	private readonly origin: string;

	public constructor(private readonly options: FalOptions) {
		this.origin = new URL(options.baseUrl).origin;
	}

	private get headers() {
		return { authorization: `Key ${this.options.apiKey}` };
	}

	/** Our key goes only to the configured host: URLs from an answer or a stored task id are checked first. */
	private onOurHost(ref: TaskRef): boolean {
		const urls = [ref.status, ref.response, ...(ref.cancel === undefined ? [] : [ref.cancel])];
		return urls.every((url) => new URL(url).origin === this.origin);
	}

	public async submit(input: SubmitInput, signal?: AbortSignal): Promise<Submission> {
		checkInput(input);
		const { request: req } = input;
		const body = {
			prompt: req.prompt,
			...(req.promptOptimizer === undefined ? {} : { prompt_optimizer: req.promptOptimizer }),
			// fal documents `image_url` as a URL; data URIs are accepted by fal's file handling (U).
			...(input.firstFrame === undefined ? {} : { image_url: dataUrl(input.firstFrame) }),
			// The subject-reference endpoint's field name is unverified (U).
			...(input.subject === undefined ? {} : { subject_reference_image_url: dataUrl(input.subject) }),
		};
		// Retried only on 429/5xx, answers that prove nothing was queued; a lost connection is not.
		const queued = await withRetries({ attempts: 3, baseDelayMs: 2_000, maxDelayMs: 20_000, signal }, () =>
			requestJson(
				{
					provider: PROVIDER,
					method: 'POST',
					// The subpath (`/image-to-video`) is part of the endpoint id and is used only here.
					url: `${this.options.baseUrl}/${input.model}`,
					headers: this.headers,
					body,
					signal,
					dispatcher: this.options.dispatcher,
				},
				submitResponse,
				describeSubmitError,
			),
		);
		const ref: TaskRef = {
			id: queued.request_id,
			status: queued.status_url,
			response: queued.response_url,
			...(queued.cancel_url === undefined ? {} : { cancel: queued.cancel_url }),
		};
		if (!this.onOurHost(ref)) {
			throw new ProviderError(PROVIDER, 'malformed', `request ${ref.id} came back with URLs on another host`);
		}
		return { kind: 'task', taskId: JSON.stringify(ref) };
	}

	private readTaskId(taskId: string): TaskRef {
		let parsed: unknown;
		try {
			parsed = JSON.parse(taskId);
		} catch {
			parsed = undefined;
		}
		const ref = taskRef.safeParse(parsed);
		if (!ref.success) throw new ProviderError(PROVIDER, 'malformed', 'the task id is not a fal request reference');
		if (!this.onOurHost(ref.data)) {
			throw new ProviderError(PROVIDER, 'malformed', `request ${ref.data.id} points at another host`);
		}
		return ref.data;
	}

	public async poll(taskId: string, signal?: AbortSignal): Promise<TaskStatus> {
		const ref = this.readTaskId(taskId);
		const get = <T>(url: string, schema: z.ZodType<T>, describe: typeof describeResultError) =>
			requestJson(
				{ provider: PROVIDER, method: 'GET', url, headers: this.headers, signal, dispatcher: this.options.dispatcher },
				schema,
				describe,
			);
		const status = await get(ref.status, statusResponse, (code, body) => accountError(code, readDetail(body)));
		switch (status.status) {
			case 'IN_QUEUE':
				return { state: 'pending', phase: 'queued' };
			case 'IN_PROGRESS':
				return { state: 'pending', phase: 'generating' };
			case 'CANCELED':
			case 'CANCELLED':
				return {
					state: 'failed',
					error: new ProviderError(PROVIDER, 'generation-failed', `request ${ref.id} was canceled`),
				};
			case 'FAILED': {
				const detail = { text: status.error ?? 'the request failed', namesInput: false };
				return { state: 'failed', error: new ProviderError(PROVIDER, taskFailure(500, detail), detail.text) };
			}
			case 'COMPLETED':
				break;
		}
		try {
			const result = await get(ref.response, resultResponse, describeResultError);
			return { state: 'succeeded', videoUrl: result.video.url };
		} catch (error) {
			// The task's own failure is its final state; anything else (auth, 5xx, malformed) is thrown.
			if (error instanceof ProviderError && taskFailures.has(error)) return { state: 'failed', error };
			throw error;
		}
	}

	/**
	 * Asks fal to drop a queued request. Once processing has started fal answers 400
	 * (ALREADY_COMPLETED): nothing more can be done, so that is not an error.
	 */
	public async cancel(taskId: string): Promise<void> {
		const ref = this.readTaskId(taskId);
		if (ref.cancel === undefined) return;
		// requestJson speaks GET/POST only; cancel is a PUT.
		let response: Dispatcher.ResponseData;
		try {
			response = await httpRequest(ref.cancel, {
				method: 'PUT',
				headers: { ...this.headers, accept: 'application/json' },
				headersTimeout: 30_000,
				bodyTimeout: 30_000,
				...(this.options.dispatcher === undefined ? {} : { dispatcher: this.options.dispatcher }),
			});
		} catch (error) {
			throw new ProviderError(PROVIDER, 'network', `cancel of request ${ref.id} got no answer`, { cause: error });
		}
		const text = await response.body.text().catch(() => '');
		const status = response.statusCode;
		if (status < 300 || status === 400) return;
		let body: unknown;
		try {
			body = JSON.parse(text);
		} catch {
			body = undefined;
		}
		const account = accountError(status, readDetail(body));
		if (account !== undefined) throw account;
		const answer = cancelResponse.safeParse(body).data?.status ?? '';
		const retryAfter = retryAfterMs(response.headers['retry-after']);
		throw new ProviderError(
			PROVIDER,
			failureForStatus(status),
			`cancel of request ${ref.id} answered HTTP ${status} ${answer}`.trim(),
			{ status, ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) },
		);
	}
}

/**
 * The planner already fits the request to the model; this guards the URL (the model id is a path)
 * and the images each endpoint needs, before anything is spent.
 */
function checkInput(input: SubmitInput): void {
	const model = CATALOG.fal.models.find((candidate) => candidate.id === input.model);
	const refuse = (why: string) => new ProviderError(PROVIDER, 'rejected', why);
	if (model === undefined) throw refuse(`unknown endpoint ${input.model}`);
	const hasFrame = input.firstFrame !== undefined;
	if (model.firstFrame === 'required' && !hasFrame) throw refuse(`${model.id} needs a first frame`);
	if (model.firstFrame === 'none' && hasFrame) throw refuse(`${model.id} takes no first frame`);
	// The subject-reference endpoint needs its image, and no other endpoint takes one.
	if (model.subject !== (input.subject !== undefined)) throw refuse(`${model.id} does not fit the subject image given`);
	if (input.lastFrame !== undefined && !model.lastFrame) throw refuse(`${model.id} takes no last frame`);
}
