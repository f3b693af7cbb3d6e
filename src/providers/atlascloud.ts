import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { MAX_IMAGE_BYTES, sniffImageType } from '../video/images.js';
import { MAX_PROMPT_LENGTH } from '../video/request.js';
import { allowsDuration, CATALOG, durationsText } from './catalog.js';
import { CREDIT_WORDS, failureForStatus, SAFETY_WORDS } from './error-table.js';
import { ProviderError, type ProviderFailure } from './errors.js';
import { requestJson, withRetries, type RetryPolicy } from './http.js';
import type { ProviderImage, Submission, SubmitInput, TaskStatus, VideoProvider } from './types.js';

/**
 * AtlasCloud's `minimax/video-01` (docs/providers.md section 4): create with
 * `POST /api/v1/model/generateVideo`, poll `GET /api/v1/model/prediction/{id}` until
 * `completed`, download `outputs[0]`. Answers come in a `{code, message|msg, data}` envelope; the
 * docs show the bare prediction, so both are read.
 */

const PROVIDER = 'atlascloud';

const envelope = z.object({
	code: z.number().int(),
	message: z.string().nullish(),
	msg: z.string().nullish(),
	data: z.unknown(),
});

// Only the id matters once a task exists: a create answer is not refused for its other fields.
const createdPrediction = z.object({ id: z.string().min(1) });

const prediction = z.object({
	id: z.string().min(1),
	// `created`/`starting`/`succeeded` come from the MCP server and code samples, not the docs (U).
	status: z.enum(['created', 'starting', 'processing', 'completed', 'succeeded', 'failed']),
	outputs: z.array(z.url({ protocol: /^https?$/ })).nullish(),
	error: z.string().nullish(),
	has_nsfw_contents: z.array(z.boolean()).nullish(),
});

/** An error text from AtlasCloud, cut short: it goes into logs and user-facing failures. */
const short = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

/** An HTTP status or envelope code; a plain 4xx refusal says more in its words. */
function classify(code: number, text: string): ProviderFailure {
	const failure = failureForStatus(code);
	if (failure !== 'rejected') return failure;
	if (SAFETY_WORDS.test(text)) return 'safety-input';
	if (CREDIT_WORDS.test(text)) return 'credits';
	return failure;
}

/** Reads the envelope and returns its `data` checked against `schema` (or the bare object). */
function unwrap<T>(body: unknown, schema: z.ZodType<T>, what: string): T {
	const wrapped = envelope.safeParse(body);
	let inner = body;
	if (wrapped.success) {
		const { code } = wrapped.data;
		// Errors such as `{code:402, msg:"insufficient balance", data:null}` can arrive with HTTP 200.
		if (code < 200 || code > 299) {
			const text = wrapped.data.msg ?? wrapped.data.message ?? '';
			throw new ProviderError(PROVIDER, classify(code, text), short(`${what}: code ${code} ${text}`.trim()), { code });
		}
		inner = wrapped.data.data;
	}
	const parsed = schema.safeParse(inner);
	if (!parsed.success) {
		throw new ProviderError(PROVIDER, 'malformed', `unexpected answer to ${what}`, { cause: parsed.error });
	}
	return parsed.data;
}

const errorBody = z.object({
	code: z.number().int().optional(),
	message: z.string().nullish(),
	msg: z.string().nullish(),
	error: z.string().nullish(),
});

/**
 * Keeps AtlasCloud's words for a 4xx. 429 and 5xx go to the shared mapping, which reads
 * Retry-After (this hook never sees headers).
 */
function describeHttpError(status: number, body: unknown): ProviderError | undefined {
	if (status === 429 || status >= 500) return undefined;
	const parsed = errorBody.safeParse(body);
	const text = parsed.success ? (parsed.data.msg ?? parsed.data.message ?? parsed.data.error ?? '') : '';
	if (text === '') return undefined;
	const code = parsed.success ? parsed.data.code : undefined;
	return new ProviderError(PROVIDER, classify(status, text), short(`HTTP ${status}: ${text}`), {
		status,
		...(code === undefined ? {} : { code }),
	});
}

const rejected = (message: string) => new ProviderError(PROVIDER, 'rejected', message);

/** AtlasCloud documents JPG/JPEG/PNG only (no WebP) and 20 MB. */
function firstFrameUrl(image: ProviderImage): string {
	const type = sniffImageType(image.data);
	if (type === 'image/webp') throw rejected('AtlasCloud takes a JPG or PNG first frame, not WebP');
	if (type === undefined) throw rejected('the first frame is not a JPG or PNG image');
	if (image.data.length > MAX_IMAGE_BYTES) throw rejected('the first frame is larger than 20 MB');
	return `data:${type};base64,${image.data.toString('base64')}`;
}

export interface AtlasCloudOptions {
	readonly apiKey: string;
	/** API origin, e.g. `https://api.atlascloud.ai` (no trailing slash). */
	readonly baseUrl: string;
	readonly dispatcher?: Dispatcher | undefined;
	/** Retries of a create refused with 429/5xx (no task made); defaults 3 tries, 2 s base delay. */
	readonly submitRetry?: Partial<Pick<RetryPolicy, 'attempts' | 'baseDelayMs' | 'maxDelayMs'>> | undefined;
}

export class AtlasCloudProvider implements VideoProvider {
	public readonly name = PROVIDER;

	public constructor(private readonly options: AtlasCloudOptions) {}

	private call(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
		return requestJson(
			{
				provider: PROVIDER,
				method,
				url: `${this.options.baseUrl}${path}`,
				headers: { authorization: `Bearer ${this.options.apiKey}` },
				body,
				signal,
				dispatcher: this.options.dispatcher,
				// The only POST creates a prediction: a lost answer is 'outcome-unknown'.
				creates: method === 'POST',
			},
			z.unknown(),
			describeHttpError,
		);
	}

	public async submit(input: SubmitInput, signal?: AbortSignal): Promise<Submission> {
		const { request } = input;
		// The planner already matched the request to the catalog; refuse here anyway before spending.
		const model = CATALOG.atlascloud.models.find((candidate) => candidate.id === input.model);
		if (model === undefined) throw rejected(`unknown model ${input.model}`);
		if (input.lastFrame !== undefined || input.subject !== undefined) {
			throw rejected(`${model.id} takes no last frame or subject reference`);
		}
		if (request.duration !== undefined && !allowsDuration(model, request.duration)) {
			throw rejected(`${model.id} makes ${durationsText(model, '/')} s clips only`);
		}
		if (request.resolution !== undefined && !model.resolutions.includes(request.resolution.toUpperCase())) {
			throw rejected(`${model.id} makes ${model.resolutions.join('/')} clips only`);
		}
		if (request.prompt.length > MAX_PROMPT_LENGTH) throw rejected('the prompt is longer than 2000 characters');

		// video-01 has no duration or resolution fields: its only values are the defaults.
		const body = {
			model: model.id,
			prompt: request.prompt,
			...(input.firstFrame === undefined ? {} : { image: firstFrameUrl(input.firstFrame) }),
			...(request.promptOptimizer === undefined ? {} : { enable_prompt_expansion: request.promptOptimizer }),
		};
		const retry = this.options.submitRetry;
		const policy = {
			attempts: retry?.attempts ?? 3,
			baseDelayMs: retry?.baseDelayMs ?? 2_000,
			maxDelayMs: retry?.maxDelayMs ?? 20_000,
			signal,
		};
		// Retried only when the answer proves no task was made (429, 5xx); a lost answer is not.
		const created = await withRetries(policy, async () => {
			const reply = await this.call('POST', '/api/v1/model/generateVideo', body, signal);
			return unwrap(reply, createdPrediction, 'the create call');
		});
		return { kind: 'task', taskId: created.id };
	}

	public async poll(taskId: string, signal?: AbortSignal): Promise<TaskStatus> {
		const path = `/api/v1/model/prediction/${encodeURIComponent(taskId)}`;
		const task = unwrap(await this.call('GET', path, undefined, signal), prediction, 'the prediction query');
		switch (task.status) {
			case 'created':
			case 'starting':
				return { state: 'pending', phase: 'queued' };
			case 'processing':
				return { state: 'pending', phase: 'generating' };
			case 'failed':
				return { state: 'failed', error: taskFailure(task.error ?? '') };
			case 'completed':
			case 'succeeded': {
				// A flagged clip is a verdict, not a glitch: it must never reach the channel.
				if (task.has_nsfw_contents?.includes(true) === true) {
					const error = new ProviderError(PROVIDER, 'safety-output', 'the safety filter flagged the video');
					return { state: 'failed', error };
				}
				const url = task.outputs?.[0];
				if (url === undefined) throw new ProviderError(PROVIDER, 'malformed', 'a completed prediction has no outputs');
				return { state: 'succeeded', videoUrl: url };
			}
		}
	}
}

/** A failed task is final; its words tell a safety verdict from a plain failure. */
function taskFailure(text: string): ProviderError {
	const message = short(text === '' ? 'the task ended in failure' : `the task failed: ${text}`);
	if (!SAFETY_WORDS.test(text)) return new ProviderError(PROVIDER, 'generation-failed', message);
	// Which side the filter refused is not documented (U): the words decide, the video by default.
	return new ProviderError(PROVIDER, /prompt|input|image/i.test(text) ? 'safety-input' : 'safety-output', message);
}
