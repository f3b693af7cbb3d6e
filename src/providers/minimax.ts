import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { MINIMAX_CODES } from './error-table.js';
import { ProviderError, retryAfterMs } from './errors.js';
import { requestJson, withRetries } from './http.js';
import { MinimaxV2Client } from './minimax-v2.js';
import { modelById } from './plan.js';
import type { ProviderImage, Submission, SubmitInput, TaskStatus, VideoProvider } from './types.js';

const PROVIDER = 'minimax';

const baseResp = z.object({ status_code: z.number(), status_msg: z.string().optional().default('') });

const createResponse = z.object({ task_id: z.string().optional(), base_resp: baseResp });

const queryResponse = z.object({
	task_id: z.string().optional(),
	// `Fail` is documented; MiniMax's own CLI checks `Failed`, so both end the task.
	status: z.enum(['Preparing', 'Queueing', 'Processing', 'Success', 'Fail', 'Failed']).optional(),
	// Documented as int64, returned as a string; accept both so a large id is never rounded.
	file_id: z.union([z.string(), z.number().int()]).optional(),
	base_resp: baseResp,
});

const retrieveResponse = z.object({
	file: z
		.object({
			download_url: z.url().optional(),
			backup_download_url: z.url().optional(),
		})
		.optional(),
	base_resp: baseResp,
});

/** A `base_resp` error; a Retry-After sent with it (a 1002 rate limit in a 200) is kept. */
function errorFromBaseResp(base: z.infer<typeof baseResp>, retryAfter?: number): ProviderError {
	const failure = MINIMAX_CODES[base.status_code] ?? 'rejected';
	return new ProviderError(PROVIDER, failure, `status ${base.status_code} ${base.status_msg}`.trim(), {
		code: base.status_code,
		...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
	});
}

/** Gateways answer 4xx/5xx with MiniMax's envelope; keep its code when it is there. */
function describeHttpError(status: number, body: unknown): ProviderError | undefined {
	const parsed = z.object({ base_resp: baseResp }).safeParse(body);
	if (!parsed.success || parsed.data.base_resp.status_code === 0) return undefined;
	const error = errorFromBaseResp(parsed.data.base_resp);
	return new ProviderError(PROVIDER, error.failure, error.message, { status, code: parsed.data.base_resp.status_code });
}

const dataUrl = (image: ProviderImage) => `data:${image.contentType};base64,${image.data.toString('base64')}`;

export interface MinimaxOptions {
	readonly apiKey: string;
	/** API base; a gateway that mounts the API under a prefix works as `https://host/prefix`. */
	readonly baseUrl: string;
	readonly dispatcher?: Dispatcher | undefined;
	/** Prices per second by model id, for the models billed per second (H3), over the catalog's. */
	readonly pricesPerSecond?: Readonly<Record<string, number>> | undefined;
}

/**
 * Task ids of the v2 API carry this mark in the job, so a resumed job queries the API that made
 * it. v1 ids stay bare, as jobs stored before v2 existed have them.
 */
const V2_TASK = 'v2:';

/**
 * MiniMax's own API: Hailuo and the 01 family on v1 (create → query → file retrieve), H3 on v2
 * (`minimax-v2.ts`), chosen by the model's `api` in the catalog.
 */
export class MinimaxProvider implements VideoProvider {
	public readonly name = PROVIDER;
	private readonly v2: MinimaxV2Client;

	public constructor(private readonly options: MinimaxOptions) {
		this.v2 = new MinimaxV2Client(options);
	}

	/** One call, with the Retry-After of its answer: MiniMax says "rate limit" (1002) in a 200's body. */
	private async call<T>(
		method: 'GET' | 'POST',
		path: string,
		schema: z.ZodType<T>,
		body?: unknown,
		signal?: AbortSignal,
	): Promise<{ reply: T; retryAfter: number | undefined }> {
		let retryAfter: number | undefined;
		const reply = await requestJson(
			{
				provider: PROVIDER,
				method,
				url: `${this.options.baseUrl}${path}`,
				headers: { authorization: `Bearer ${this.options.apiKey}` },
				body,
				signal,
				dispatcher: this.options.dispatcher,
				// The only POST is the create call.
				creates: method === 'POST',
				onHeaders: (headers) => {
					retryAfter = retryAfterMs(headers['retry-after']);
				},
			},
			schema,
			describeHttpError,
		);
		return { reply, retryAfter };
	}

	public async submit(input: SubmitInput, signal?: AbortSignal): Promise<Submission> {
		if (modelById(PROVIDER, input.model)?.api === 'v2') {
			return { kind: 'task', taskId: `${V2_TASK}${await this.v2.submit(input, signal)}` };
		}
		const { request } = input;
		const body = {
			model: input.model,
			prompt: request.prompt,
			...(request.promptOptimizer === undefined ? {} : { prompt_optimizer: request.promptOptimizer }),
			...(request.duration === undefined ? {} : { duration: request.duration }),
			...(request.resolution === undefined ? {} : { resolution: request.resolution.toUpperCase() }),
			...(input.firstFrame === undefined ? {} : { first_frame_image: dataUrl(input.firstFrame) }),
			...(input.lastFrame === undefined ? {} : { last_frame_image: dataUrl(input.lastFrame) }),
			...(input.subject === undefined
				? {}
				: { subject_reference: [{ type: 'character', image: [dataUrl(input.subject)] }] }),
		};
		// Retrying is safe only for answers that say no task was created: the retryable codes of
		// the error table, HTTP 429/5xx, and connections that never opened. A lost answer is
		// `outcome-unknown` and is not retried.
		const created = await withRetries({ attempts: 3, baseDelayMs: 2_000, maxDelayMs: 20_000, signal }, async () => {
			const { reply, retryAfter } = await this.call('POST', '/v1/video_generation', createResponse, body, signal);
			if (reply.base_resp.status_code !== 0) throw errorFromBaseResp(reply.base_resp, retryAfter);
			return reply;
		});
		if (created.task_id === undefined || created.task_id === '') {
			throw new ProviderError(PROVIDER, 'malformed', 'the create call succeeded without a task id');
		}
		return { kind: 'task', taskId: created.task_id };
	}

	/** The task's state; asked again, a finished task gives a fresh link (v1 re-reads the file, v2 re-queries). */
	public async poll(taskId: string, signal?: AbortSignal): Promise<TaskStatus> {
		if (taskId.startsWith(V2_TASK)) return this.v2.poll(taskId.slice(V2_TASK.length), signal);
		const query = `/v1/query/video_generation?task_id=${encodeURIComponent(taskId)}`;
		const { reply, retryAfter } = await this.call('GET', query, queryResponse, undefined, signal);
		if (reply.status === 'Fail' || reply.status === 'Failed') {
			const code = reply.base_resp.status_code;
			const error =
				code !== 0
					? errorFromBaseResp(reply.base_resp)
					: new ProviderError(PROVIDER, 'generation-failed', 'the task ended in failure');
			// A failed task is final whatever its code says: only a new submission could retry it.
			return {
				state: 'failed',
				error: error.retryable ? new ProviderError(PROVIDER, 'generation-failed', error.message, { code }) : error,
			};
		}
		if (reply.base_resp.status_code !== 0) throw errorFromBaseResp(reply.base_resp, retryAfter);
		switch (reply.status) {
			case 'Preparing':
			case 'Queueing':
				return { state: 'pending', phase: 'queued' };
			case 'Processing':
				return { state: 'pending', phase: 'generating' };
			case 'Success': {
				if (reply.file_id === undefined) {
					throw new ProviderError(PROVIDER, 'malformed', 'a successful task came without a file id');
				}
				return { state: 'succeeded', videoUrl: await this.downloadUrl(String(reply.file_id), signal) };
			}
			case undefined:
				throw new ProviderError(PROVIDER, 'malformed', 'the task status is missing');
		}
	}

	private async downloadUrl(fileId: string, signal?: AbortSignal): Promise<string> {
		const path = `/v1/files/retrieve?file_id=${encodeURIComponent(fileId)}`;
		const { reply, retryAfter } = await this.call('GET', path, retrieveResponse, undefined, signal);
		if (reply.base_resp.status_code !== 0) throw errorFromBaseResp(reply.base_resp, retryAfter);
		const url = reply.file?.download_url ?? reply.file?.backup_download_url;
		if (url === undefined) throw new ProviderError(PROVIDER, 'malformed', 'the file has no download URL');
		return url;
	}
}
