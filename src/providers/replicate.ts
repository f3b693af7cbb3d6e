import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { allowsDuration, CATALOG } from './catalog.js';
import { failureForStatus, SAFETY_WORDS } from './error-table.js';
import { ProviderError } from './errors.js';
import { requestJson, withRetries } from './http.js';
import type { ProviderImage, Submission, SubmitInput, TaskStatus, VideoProvider } from './types.js';

/**
 * Replicate's prediction API for the official MiniMax models (docs/providers.md §5):
 * create `POST /v1/models/{owner}/{name}/predictions` → poll `GET /v1/predictions/{id}` → the
 * `output` URI. Outputs are deleted after 1 h, so the caller must download at once.
 */

const PROVIDER = 'replicate';

const status = z.enum(['starting', 'processing', 'succeeded', 'failed', 'canceled']);

const prediction = z.object({
	id: z.string().min(1),
	status,
	// Read only once the prediction succeeded (see `videoUrlOf`): it is null before that.
	output: z.unknown().optional(),
	error: z.string().nullable().optional(),
	data_removed: z.boolean().optional(),
});

const httpUrl = z.url({ protocol: /^https?$/ });
// The schema says one URI string; some models answer a list, so take its first item.
const output = z.union([httpUrl, z.array(httpUrl).min(1)]);

/** Replicate's error bodies: `{title, detail, status}`, with `detail` a list for some 422s. */
const errorBody = z.object({
	title: z.string().optional(),
	detail: z
		.union([
			z.string(),
			z.array(z.union([z.string(), z.object({ msg: z.string().optional(), loc: z.array(z.unknown()).optional() })])),
		])
		.optional(),
});

function describeBody(body: unknown): string | undefined {
	const parsed = errorBody.safeParse(body);
	if (!parsed.success) return undefined;
	const { title, detail } = parsed.data;
	const item = (entry: string | { msg?: string | undefined; loc?: unknown[] | undefined }) =>
		typeof entry === 'string' ? entry : `${(entry.loc ?? []).join('.')}: ${entry.msg ?? ''}`;
	const details = Array.isArray(detail) ? detail.map(item).join('; ') : detail;
	const text = [title, details?.trim()].filter((part) => part !== undefined && part !== '').join(': ');
	return text === '' ? undefined : text.slice(0, 500);
}

/** "Your rate limit resets in ~30s." / "Expected available in 1 second." → milliseconds. */
function secondsInDetail(text: string | undefined): number | undefined {
	const match = text?.match(/~?\s*(\d+(?:\.\d+)?)\s*s(?:ec(?:ond)?s?)?\b/i);
	return match?.[1] === undefined ? undefined : Number(match[1]) * 1000;
}

const withDetail = (text: string, detail: string | undefined) => (detail === undefined ? text : `${text}: ${detail}`);

const failed = (message: string) => new ProviderError(PROVIDER, 'generation-failed', message);

function failedPrediction(message: string | null | undefined): ProviderError {
	const text = message?.trim() || 'the prediction failed without a reason';
	if (!SAFETY_WORDS.test(text)) return failed(text);
	// Replicate's own "The input or output was flagged as sensitive… different inputs (E005)" lands
	// on input: it asks the user to change what they sent.
	return new ProviderError(PROVIDER, /\b(input|prompt)/i.test(text) ? 'safety-input' : 'safety-output', text);
}

const dataUrl = (image: ProviderImage) => `data:${image.contentType};base64,${image.data.toString('base64')}`;

export interface ReplicateOptions {
	/** REPLICATE_API_TOKEN. */
	readonly apiKey: string;
	/** API base, `https://api.replicate.com` in production; no trailing slash. */
	readonly baseUrl: string;
	readonly dispatcher?: Dispatcher | undefined;
}

export class ReplicateProvider implements VideoProvider {
	public readonly name = PROVIDER;

	public constructor(private readonly options: ReplicateOptions) {}

	private async call<T>(
		method: 'GET' | 'POST',
		path: string,
		schema: z.ZodType<T>,
		body?: unknown,
		signal?: AbortSignal,
		/** A call that creates a prediction: a lost answer is 'outcome-unknown'. */
		creates = false,
	): Promise<T> {
		let throttled: string | undefined;
		try {
			return await requestJson(
				{
					provider: PROVIDER,
					method,
					url: `${this.options.baseUrl}${path}`,
					headers: { authorization: `Bearer ${this.options.apiKey}` },
					body,
					signal,
					dispatcher: this.options.dispatcher,
					creates,
				},
				schema,
				(code, reply) => {
					const detail = describeBody(reply);
					// A 429 goes through requestJson's own mapping, which reads Retry-After.
					if (code === 429) {
						throttled = detail;
						return undefined;
					}
					const text = `${method} ${path} answered HTTP ${code}`;
					return new ProviderError(PROVIDER, failureForStatus(code), withDetail(text, detail), { status: code });
				},
			);
		} catch (error) {
			if (!(error instanceof ProviderError) || error.details.status !== 429) throw error;
			// Retry-After wins; without it, the detail says "resets in ~30s".
			const wait = error.details.retryAfterMs ?? secondsInDetail(throttled);
			throw new ProviderError(PROVIDER, 'rate-limited', withDetail('throttled (HTTP 429)', throttled), {
				status: 429,
				...(wait === undefined ? {} : { retryAfterMs: wait }),
			});
		}
	}

	public async submit(input: SubmitInput, signal?: AbortSignal): Promise<Submission> {
		const { request } = input;
		const model = CATALOG.replicate.models.find((candidate) => candidate.id === input.model);
		// The planner already matched request and model; a mismatch here would only waste money.
		const refuse = (why: string) => new ProviderError(PROVIDER, 'rejected', `${input.model}: ${why}`);
		if (model === undefined) throw refuse('not a Replicate model in the catalog');
		if (input.lastFrame !== undefined) throw refuse('takes no last frame');
		if (input.subject !== undefined && !model.subject) throw refuse('takes no subject reference');
		if (input.firstFrame === undefined && model.firstFrame === 'required') throw refuse('needs a first frame');
		if (request.duration !== undefined && !allowsDuration(model, request.duration)) throw refuse('fixed duration');
		if (request.resolution !== undefined && !model.resolutions.includes(request.resolution.toUpperCase())) {
			throw refuse('fixed resolution');
		}

		// Duration and resolution are fixed (6 s, 720p): these models have no such inputs.
		const body = {
			input: {
				prompt: request.prompt,
				...(request.promptOptimizer === undefined ? {} : { prompt_optimizer: request.promptOptimizer }),
				...(input.firstFrame === undefined ? {} : { first_frame_image: dataUrl(input.firstFrame) }),
				...(input.subject === undefined ? {} : { subject_reference: dataUrl(input.subject) }),
			},
		};
		// No `Prefer: wait`: a video takes minutes. Retried only when the answer proves no prediction
		// was made (429, 5xx, a connection never opened); a call cut off after sending may have
		// created one, so it is reported as 'outcome-unknown' and never repeated.
		const path = `/v1/models/${model.id.split('/').map(encodeURIComponent).join('/')}/predictions`;
		const created = await withRetries({ attempts: 3, baseDelayMs: 2_000, maxDelayMs: 20_000, signal }, () =>
			this.call('POST', path, prediction, body, signal, true),
		);
		return { kind: 'task', taskId: created.id };
	}

	public async poll(taskId: string, signal?: AbortSignal): Promise<TaskStatus> {
		const path = `/v1/predictions/${encodeURIComponent(taskId)}`;
		const reply = await this.call('GET', path, prediction, undefined, signal);
		switch (reply.status) {
			case 'starting':
				return { state: 'pending', phase: 'queued' };
			case 'processing':
				return { state: 'pending', phase: 'generating' };
			case 'failed':
				return { state: 'failed', error: failedPrediction(reply.error) };
			case 'canceled':
				return { state: 'failed', error: failed('the prediction was cancelled') };
			case 'succeeded': {
				if (reply.data_removed === true) {
					// Replicate deletes API outputs after 1 h: the clip was made, and its link is gone for
					// good; only a new (paid) prediction could help, and none is made.
					const message = 'the clip was deleted before it was fetched (1 h retention)';
					return { state: 'failed', error: new ProviderError(PROVIDER, 'link-expired', message) };
				}
				const url = output.safeParse(reply.output);
				if (!url.success) {
					const cause = url.error;
					throw new ProviderError(PROVIDER, 'malformed', 'a succeeded prediction has no video URL', { cause });
				}
				return { state: 'succeeded', videoUrl: typeof url.data === 'string' ? url.data : (url.data[0] as string) };
			}
		}
	}

	/** Stops a prediction (and its billing). One that already ended or is gone needs nothing. */
	public async cancel(taskId: string): Promise<void> {
		try {
			await this.call('POST', `/v1/predictions/${encodeURIComponent(taskId)}/cancel`, prediction);
		} catch (error) {
			if (error instanceof ProviderError && [404, 409, 410].includes(error.details.status ?? 0)) return;
			throw error;
		}
	}
}
