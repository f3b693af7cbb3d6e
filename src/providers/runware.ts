import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { allowsDuration, CATALOG } from './catalog.js';
import { CREDIT_WORDS, failureForStatus, RUNWARE_CODES, SAFETY_WORDS } from './error-table.js';
import { ProviderError, type ProviderFailure } from './errors.js';
import { requestJson, withRetries, type RetryPolicy } from './http.js';
import type { ProviderImage, Submission, SubmitInput, TaskStatus, VideoProvider } from './types.js';

const PROVIDER = 'runware';

/** The MiniMax 01 models on Runware take exactly this output shape. */
const OUTPUT = { width: 1366, height: 768, duration: 6, fps: 25 } as const;

const errorItem = z.object({
	code: z.string().optional(),
	message: z.string().optional(),
	parameter: z.string().optional(),
	taskType: z.string().optional(),
	taskUUID: z.string().optional(),
});
type ErrorItem = z.infer<typeof errorItem>;

/** Every answer, success or not: a `data` array and/or an `errors` array (older docs: one `error`). */
const envelope = z.object({
	data: z.array(z.unknown()).optional(),
	errors: z.array(errorItem).optional(),
	error: z.union([z.string(), errorItem]).optional(),
});
type Envelope = z.infer<typeof envelope>;

/** Just enough of an item to see whose it is: the array may carry other tasks' items. */
const itemRef = z.object({ taskUUID: z.string() });

const videoItem = z.object({
	taskType: z.string().optional(),
	taskUUID: z.string(),
	// 'pending' is what an older page of the docs calls 'processing'.
	status: z.enum(['pending', 'processing', 'success', 'error']).optional(),
	videoUUID: z.string().optional(),
	videoURL: z.url({ protocol: /^https?$/ }).optional(),
	cost: z.number().nonnegative().optional(),
	seed: z.number().optional(),
	NSFWContent: z.boolean().optional(),
});

type Stage = 'create' | 'poll';

const errorsOf = (body: Envelope): ErrorItem[] => [
	...(body.errors ?? []),
	...(body.error === undefined ? [] : [typeof body.error === 'string' ? { message: body.error } : body.error]),
];

/** The error about our task, or one about the whole call (no taskUUID, e.g. the key). */
const pickError = (errors: ErrorItem[], taskUUID: string): ErrorItem | undefined =>
	errors.find((item) => item.taskUUID === taskUUID) ?? errors.find((item) => item.taskUUID === undefined);

function failureOf(item: ErrorItem, status: number, aboutTask: boolean): ProviderFailure {
	const code = item.code ?? '';
	// hasOwn: a code like "constructor" must not find Object.prototype.
	if (Object.hasOwn(RUNWARE_CODES, code)) return RUNWARE_CODES[code] ?? 'rejected';
	const text = `${code} ${item.message ?? ''}`;
	if (SAFETY_WORDS.test(text)) return aboutTask ? 'safety-output' : 'safety-input';
	if (code.startsWith('invalid')) return 'rejected';
	if (status >= 400) return failureForStatus(status);
	if (CREDIT_WORDS.test(text)) return 'credits';
	return aboutTask ? 'generation-failed' : 'rejected';
}

/** A task that ended in failure: final whatever its code says, since only a new task could retry it. */
class TaskFailed extends Error {
	public constructor(public readonly error: ProviderError) {
		super(error.message);
	}
}

const dataUrl = (image: ProviderImage) => `data:${image.contentType};base64,${image.data.toString('base64')}`;

export interface RunwareOptions {
	readonly apiKey: string;
	/** API origin, e.g. `https://api.runware.ai`; every call is `POST {baseUrl}/v1`. */
	readonly baseUrl: string;
	readonly dispatcher?: Dispatcher | undefined;
	/** Retries of the create call on 429/5xx/no answer (same taskUUID each time). Default 3 tries, 2–20 s. */
	readonly createRetry?: Omit<RetryPolicy, 'signal'> | undefined;
}

export class RunwareProvider implements VideoProvider {
	public readonly name = PROVIDER;

	public constructor(private readonly options: RunwareOptions) {}

	/** Turns a Runware error into a ProviderError; the key never reaches a message. */
	private toError(item: ErrorItem, status: number, aboutTask: boolean): ProviderError {
		const failure = failureOf(item, status, aboutTask);
		const { apiKey } = this.options;
		let text = `${item.code ?? 'error'}: ${item.message ?? 'no message'}`;
		if (apiKey !== '') text = text.split(apiKey).join('[key]');
		const details = { ...(status >= 400 ? { status } : {}), ...(item.code === undefined ? {} : { code: item.code }) };
		const error = new ProviderError(PROVIDER, failure, text.slice(0, 300), details);
		if (!aboutTask || !error.retryable) return error;
		return new ProviderError(PROVIDER, 'generation-failed', error.message, details);
	}

	/** Reads the errors in an answer: a failed task (poll only) becomes TaskFailed, the rest a ProviderError. */
	private errorIn(
		body: Envelope,
		taskUUID: string,
		status: number,
		stage: Stage,
	): ProviderError | TaskFailed | undefined {
		const item = pickError(errorsOf(body), taskUUID);
		if (item === undefined) return undefined;
		// A getResponse error of type videoInference is the task's own outcome, not the poll call's.
		if (stage === 'poll' && item.taskType === 'videoInference') return new TaskFailed(this.toError(item, status, true));
		return this.toError(item, status, false);
	}

	private call(tasks: unknown[], taskUUID: string, stage: Stage, signal?: AbortSignal): Promise<Envelope> {
		return requestJson(
			{
				provider: PROVIDER,
				method: 'POST',
				url: `${this.options.baseUrl}/v1`,
				headers: { authorization: `Bearer ${this.options.apiKey}` },
				body: tasks,
				signal,
				dispatcher: this.options.dispatcher,
			},
			envelope,
			(status, raw) => {
				const parsed = envelope.safeParse(raw);
				if (!parsed.success) return undefined;
				const error = this.errorIn(parsed.data, taskUUID, status, stage);
				// On 429/5xx the generic mapping keeps Retry-After, which this callback cannot see;
				// a failed task still counts as failed, whatever the status.
				if (error instanceof TaskFailed) throw error;
				if (failureForStatus(status) === 'rate-limited' || failureForStatus(status) === 'unavailable') return undefined;
				return error;
			},
		);
	}

	public async submit(input: SubmitInput, signal?: AbortSignal): Promise<Submission> {
		const { request, model } = input;
		checkInput(input);
		const prompt = request.prompt.trim();
		// Generated once: every retry sends the same UUID, so Runware can tell it is the same task.
		const taskUUID = randomUUID();
		const inputs = {
			...(input.firstFrame === undefined
				? {}
				: { frameImages: [{ image: dataUrl(input.firstFrame), frame: 'first' }] }),
			...(input.subject === undefined ? {} : { referenceImages: [dataUrl(input.subject)] }),
		};
		const task = {
			taskType: 'videoInference',
			taskUUID,
			model,
			// Optional with a first frame; Runware refuses anything shorter than 2 characters.
			...(prompt.length >= 2 ? { positivePrompt: request.prompt } : {}),
			...OUTPUT,
			deliveryMethod: 'async',
			outputType: 'URL',
			outputFormat: 'MP4',
			numberResults: 1,
			includeCost: true,
			...(request.promptOptimizer === undefined
				? {}
				: { providerSettings: { minimax: { promptOptimizer: request.promptOptimizer } } }),
			...(Object.keys(inputs).length === 0 ? {} : { inputs }),
		};

		const policy = { attempts: 3, baseDelayMs: 2_000, maxDelayMs: 20_000, ...this.options.createRetry, signal };
		let attempt = 0;
		const reply = await withRetries(policy, async () => {
			attempt++;
			try {
				const body = await this.call([task], taskUUID, 'create', signal);
				const error = this.errorIn(body, taskUUID, 200, 'create');
				if (error !== undefined) throw error;
				return body;
			} catch (error) {
				// (U) A retry refused as a duplicate UUID means an earlier attempt did create the task.
				if (
					attempt > 1 &&
					error instanceof ProviderError &&
					/duplicate|already/i.test(String(error.details.code ?? ''))
				) {
					return { data: [{ taskType: 'videoInference', taskUUID }] };
				}
				throw error;
			}
		});
		const acknowledged = (reply.data ?? []).some((item) => itemRef.safeParse(item).data?.taskUUID === taskUUID);
		if (!acknowledged) throw new ProviderError(PROVIDER, 'malformed', 'the create call did not acknowledge the task');
		return { kind: 'task', taskId: taskUUID };
	}

	public async poll(taskId: string, signal?: AbortSignal): Promise<TaskStatus> {
		let reply: Envelope;
		try {
			reply = await this.call([{ taskType: 'getResponse', taskUUID: taskId }], taskId, 'poll', signal);
		} catch (error) {
			if (error instanceof TaskFailed) return { state: 'failed', error: error.error };
			throw error;
		}
		const error = this.errorIn(reply, taskId, 200, 'poll');
		if (error instanceof TaskFailed) return { state: 'failed', error: error.error };
		if (error !== undefined) throw error;

		const raw = (reply.data ?? []).find((item) => itemRef.safeParse(item).data?.taskUUID === taskId);
		// (U) Nothing about our task yet: Runware has not registered it; the job's timeout bounds this.
		if (raw === undefined) return { state: 'pending', phase: 'queued' };
		const parsed = videoItem.safeParse(raw);
		if (!parsed.success) {
			const message = 'unexpected task item in the getResponse answer';
			throw new ProviderError(PROVIDER, 'malformed', message, { cause: parsed.error });
		}
		const item = parsed.data;
		// The checker flagged the generated clip: whatever was delivered is not the clip asked for.
		if (item.NSFWContent === true) {
			const error = new ProviderError(PROVIDER, 'safety-output', 'the generated video was flagged as NSFW');
			return { state: 'failed', error };
		}
		switch (item.status) {
			case 'pending':
			case 'processing':
				return { state: 'pending', phase: 'generating' };
			case 'error':
				return {
					state: 'failed',
					error: new ProviderError(PROVIDER, 'generation-failed', 'the task ended in failure'),
				};
			case 'success':
			case undefined: {
				if (item.videoURL === undefined) {
					const message =
						item.status === undefined ? 'the task status is missing' : 'a successful task has no videoURL';
					throw new ProviderError(PROVIDER, 'malformed', message);
				}
				return { state: 'succeeded', videoUrl: item.videoURL, costUsd: item.cost };
			}
		}
	}
}

/** The planner already matched the request to the model; this guards other callers before money is spent. */
function checkInput(input: SubmitInput): void {
	const refuse = (why: string) => new ProviderError(PROVIDER, 'rejected', why);
	const model = CATALOG.runware.models.find((candidate) => candidate.id === input.model);
	if (model === undefined) throw refuse(`unknown model ${input.model}`);
	const { request } = input;
	if (request.duration !== undefined && !allowsDuration(model, request.duration)) {
		throw refuse(`${model.id} makes ${OUTPUT.duration} s clips only`);
	}
	if (request.resolution !== undefined && !model.resolutions.includes(request.resolution.toUpperCase())) {
		throw refuse(`${model.id} makes 720P (1366×768) clips only`);
	}
	if (input.lastFrame !== undefined) throw refuse(`${model.id} takes no last frame`);
	if (input.subject !== undefined && !model.subject) throw refuse(`${model.id} takes no subject image`);
	if (request.prompt.trim().length < 2 && input.firstFrame === undefined) {
		throw refuse('the prompt needs at least 2 characters without a first frame');
	}
	if (request.prompt.length > 2000) throw refuse('the prompt is longer than 2000 characters');
}
