import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { proseCamera } from '../video/camera-prose.js';
import { allowsDuration, defaultDuration, type ModelCapabilities } from './catalog.js';
import { failureForStatus, MINIMAX_CODE_IN_MESSAGE, MINIMAX_CODES, MINIMAX_PLAN_WORDS } from './error-table.js';
import { ProviderError } from './errors.js';
import { requestJson, withRetries } from './http.js';
import { modelById } from './plan.js';
import type { ProviderImage, SubmitInput, TaskStatus } from './types.js';

/**
 * MiniMax's v2 video API, for MiniMax-H3 and H3-Max. Sources: MiniMax's API reference
 * (platform.minimax.io/docs/api-reference/video-generation-v2-*): create `POST /v2/video_generation`
 * → `{task_id}`; query `GET /v2/query/video_generation/{task_id}` → `{task}`, `status` one of
 * queued | running | succeeded | failed | cancelled | expired, the clip at `task.content.url`, a
 * time-limited link ("query again for a refreshed URL"); errors as an HTTP status with
 * `{type: "error", error: {type, message, http_code}}`. Details MiniMax's pages leave open come
 * from its CLI (github.com/MiniMax-AI/cli, `src/video/v2.ts`, `src/types/api.ts`): `task.error`
 * is `{code, message}` and `task.usage` carries `total_seconds` / `output_seconds`.
 */

const PROVIDER = 'minimax';

const createResponse = z.object({ task_id: z.union([z.string(), z.number()]).optional() });

const taskSchema = z.object({
	model: z.string().optional(),
	status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired']),
	error: z.object({ code: z.union([z.string(), z.number()]).optional(), message: z.string().optional() }).nullish(),
	content: z.object({ url: z.url().optional() }).nullish(),
	duration: z.number().optional(),
	resolution: z.string().optional(),
	usage: z.object({ total_seconds: z.number().optional(), output_seconds: z.number().optional() }).nullish(),
});

const queryResponse = z.object({ task: taskSchema });

const errorBody = z.object({
	error: z.object({ type: z.string().optional(), message: z.string().optional() }),
});

/** A v2 error body: the code at the end of its message decides the class, else the HTTP status. */
function describeHttpError(status: number, body: unknown): ProviderError | undefined {
	const parsed = errorBody.safeParse(body);
	if (!parsed.success) return undefined;
	const message = parsed.data.error.message ?? parsed.data.error.type ?? '';
	const code = Number(MINIMAX_CODE_IN_MESSAGE.exec(message)?.[1]);
	const known = Number.isFinite(code) ? MINIMAX_CODES[code] : undefined;
	// "TokenPlan or Credit does not support H3": the key's plan, not the request, is at fault.
	const failure = code === 2013 && MINIMAX_PLAN_WORDS.test(message) ? 'auth' : (known ?? failureForStatus(status));
	return new ProviderError(PROVIDER, failure, `HTTP ${status} ${message}`.trim(), {
		status,
		...(Number.isFinite(code) ? { code } : {}),
	});
}

const dataUrl = (image: ProviderImage) => `data:${image.contentType};base64,${image.data.toString('base64')}`;

type ImageRole = 'first_frame' | 'last_frame' | 'reference_image';

const imageItem = (image: ProviderImage, role: ImageRole) => ({
	type: 'image_url',
	image_url: { url: dataUrl(image) },
	role,
});

/** A task's failure in plain classes: the safety codes keep theirs; anything else failed the clip. */
function failureOf(task: z.infer<typeof taskSchema>): ProviderError {
	const code = Number(task.error?.code);
	const message = [task.error?.code, task.error?.message].filter((part) => part !== undefined).join(' ');
	const known = Number.isFinite(code) ? MINIMAX_CODES[code] : undefined;
	const failure = known === 'safety-input' || known === 'safety-output' ? known : 'generation-failed';
	return new ProviderError(PROVIDER, failure, `the task failed${message === '' ? '' : `: ${message}`}`, {
		...(Number.isFinite(code) ? { code } : {}),
	});
}

export interface MinimaxV2Options {
	readonly apiKey: string;
	readonly baseUrl: string;
	readonly dispatcher?: Dispatcher | undefined;
	/** Configured prices per second by model id, over the catalog's list prices. */
	readonly pricesPerSecond?: Readonly<Record<string, number>> | undefined;
}

export class MinimaxV2Client {
	public constructor(private readonly options: MinimaxV2Options) {}

	private call<T>(method: 'GET' | 'POST', path: string, schema: z.ZodType<T>, body?: unknown, signal?: AbortSignal) {
		return requestJson(
			{
				provider: PROVIDER,
				method,
				url: `${this.options.baseUrl}${path}`,
				headers: { authorization: `Bearer ${this.options.apiKey}` },
				body,
				signal,
				dispatcher: this.options.dispatcher,
				creates: method === 'POST',
			},
			schema,
			describeHttpError,
		);
	}

	/** The create body: one text item, then frames or one reference (never both), always a duration and resolution. */
	public body(input: SubmitInput, model: ModelCapabilities): Record<string, unknown> {
		const { request } = input;
		const frames = input.firstFrame !== undefined || input.lastFrame !== undefined;
		const rejected = (why: string) => new ProviderError(PROVIDER, 'rejected', `${model.id}: ${why}`);
		if (frames && input.subject !== undefined) throw rejected('frames and reference images cannot be mixed');
		if (input.subject !== undefined && !model.subject) throw rejected('no reference images');
		const duration = request.duration ?? defaultDuration(model);
		if (!allowsDuration(model, duration)) throw rejected(`no ${duration} s clips`);
		const resolution = (request.resolution ?? model.resolutions[0] ?? '').toUpperCase();
		if (!model.resolutions.includes(resolution)) throw rejected(`no ${resolution} clips`);
		const content = [
			// Idempotent on prose: whatever the caller passed, no camera bracket reaches the v2 API.
			{ type: 'text', text: proseCamera(request.prompt) },
			...(input.firstFrame === undefined ? [] : [imageItem(input.firstFrame, 'first_frame')]),
			...(input.lastFrame === undefined ? [] : [imageItem(input.lastFrame, 'last_frame')]),
			...(input.subject === undefined ? [] : [imageItem(input.subject, 'reference_image')]),
		];
		// Text-to-video needs a concrete ratio; a reference takes one when asked; a frame sets its own.
		const ratio = frames ? undefined : input.subject === undefined ? (request.ratio ?? '16:9') : request.ratio;
		return { model: model.id, content, duration, resolution, ...(ratio === undefined ? {} : { ratio }) };
	}

	public async submit(input: SubmitInput, signal?: AbortSignal): Promise<string> {
		const model = modelById(PROVIDER, input.model);
		if (model?.api !== 'v2') throw new ProviderError(PROVIDER, 'rejected', `${input.model} is not a v2 model`);
		const body = this.body(input, model);
		// As on v1: retried only on answers that say no task was made (429, 5xx, never connected).
		const created = await withRetries({ attempts: 3, baseDelayMs: 2_000, maxDelayMs: 20_000, signal }, () =>
			this.call('POST', '/v2/video_generation', createResponse, body, signal),
		);
		if (created.task_id === undefined || String(created.task_id) === '') {
			throw new ProviderError(PROVIDER, 'malformed', 'the create call succeeded without a task id');
		}
		return String(created.task_id);
	}

	public async poll(taskId: string, signal?: AbortSignal): Promise<TaskStatus> {
		const path = `/v2/query/video_generation/${encodeURIComponent(taskId)}`;
		const { task } = await this.call('GET', path, queryResponse, undefined, signal);
		switch (task.status) {
			case 'queued':
				return { state: 'pending', phase: 'queued' };
			case 'running':
				return { state: 'pending', phase: 'generating' };
			case 'succeeded': {
				const url = task.content?.url;
				if (url === undefined) throw new ProviderError(PROVIDER, 'malformed', 'a succeeded task came without a URL');
				return { state: 'succeeded', videoUrl: url, costUsd: this.costOf(task) };
			}
			case 'failed':
				return { state: 'failed', error: failureOf(task) };
			case 'cancelled':
				return { state: 'failed', error: new ProviderError(PROVIDER, 'task-cancelled', 'the task was cancelled') };
			case 'expired':
				return { state: 'failed', error: new ProviderError(PROVIDER, 'task-expired', 'the task expired') };
		}
	}

	/**
	 * H3 is billed per second: the seconds the task reports (`usage`), else its duration, times the
	 * configured price per second, else the catalog's list price for its resolution.
	 */
	private costOf(task: z.infer<typeof taskSchema>): number | undefined {
		const model = task.model === undefined ? undefined : modelById(PROVIDER, task.model);
		if (model === undefined) return undefined;
		const seconds = task.usage?.total_seconds ?? task.usage?.output_seconds ?? task.duration;
		const resolution = (task.resolution ?? model.resolutions[0] ?? '').toUpperCase();
		const price = this.options.pricesPerSecond?.[model.id] ?? model.pricePerSecond?.[resolution];
		if (seconds === undefined || price === undefined) return undefined;
		return Math.round(seconds * price * 1_000_000) / 1_000_000;
	}
}
