import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeClip } from './minimax.js';
import { closeServer, Faults, listen, readJson, sendJson, sendVideo } from './loopback.js';

/**
 * A loopback stand-in for Runware's task API (docs/providers.md section 3): one endpoint,
 * `POST /v1`, whose body is an array of tasks. `videoInference` with `deliveryMethod: 'async'` is
 * acknowledged at once; `getResponse` reports `processing`, then `success` with `videoURL` and
 * `cost`. Errors come as `{ errors: [{ code, message, parameter, taskType, taskUUID }] }` with an
 * HTTP status. Frame images are read from `inputs.frameImages` (the seed's form) only.
 * Error codes other than the documented ones (invalidApiKey, invalidModel, invalidDuration,
 * invalidFrameImageWidth, timeoutProvider) are this stand-in's guesses in Runware's style.
 */

const MODELS = new Set(['minimax:1@1', 'minimax:2@1']);
/** Only Video-01 Base takes a subject (`referenceImages`, one image). */
const TAKES_REFERENCE = new Set(['minimax:1@1']);

const KNOWN_FIELDS = new Set([
	'taskType',
	'taskUUID',
	'model',
	'positivePrompt',
	'width',
	'height',
	'duration',
	'fps',
	'seed',
	'deliveryMethod',
	'outputType',
	'outputFormat',
	'outputQuality',
	'numberResults',
	'includeCost',
	'webhookURL',
	'uploadEndpoint',
	'safety',
	'ttl',
	'providerSettings',
	'inputs',
]);

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export interface CreateCall {
	/** The `videoInference` task object as sent. */
	readonly body: Record<string, unknown>;
	readonly at: number;
}

export interface RunwareError {
	readonly code: string;
	readonly message: string;
	readonly parameter?: string;
}

/** How the next task ends: a moderation or provider error, or a "success" flagged as NSFW. */
export type TaskFailure = { readonly status?: number; readonly error: RunwareError } | 'nsfw';

interface Task {
	readonly uuid: string;
	readonly videoUUID: string;
	readonly createdAt: number;
	readonly includeCost: boolean;
	readonly failure?: TaskFailure | undefined;
}

interface ScriptedCreate {
	readonly status: number;
	readonly error?: RunwareError | undefined;
	/** Create the task, then answer the failure anyway (a reply lost after the work was done). */
	readonly afterCreating: boolean;
	readonly retryAfterSeconds?: number | undefined;
}

export interface RunwareStandInOptions {
	readonly apiKey?: string;
	readonly generationMs?: number;
	readonly video?: Buffer;
	/** What `cost` reports for one clip, in USD (the seed shows 0.28). */
	readonly cost?: number;
}

export interface RunwareStandIn {
	readonly origin: string;
	/** What RUNWARE_BASE_URL should be set to (calls go to `${baseUrl}/v1`). */
	readonly baseUrl: string;
	readonly apiKey: string;
	readonly video: Buffer;
	readonly cost: number;
	readonly creates: CreateCall[];
	/** Task UUIDs that exist, in creation order. */
	readonly tasks: string[];
	readonly counts: { poll: number; download: number };
	generationMs: number;
	/** Answers the next create with this HTTP status (and Runware error), once per call queued. */
	failNextCreate(
		status: number,
		error?: RunwareError,
		options?: { afterCreating?: boolean; retryAfterSeconds?: number },
	): void;
	/** The next task created ends this way once generated. */
	failNextTask(failure: TaskFailure): void;
	/** The next poll answers HTTP `status`, once. */
	failNextPoll(status: number): void;
	/** The next poll answers with a body that breaks the protocol, once. */
	malformNextPoll(): void;
	/** The next poll's `data` also carries another task's item, first. */
	mixNextPoll(): void;
	/** Scripted answers (create, getResponse, download), and when each call came. */
	readonly faults: Faults;
	close(): Promise<void>;
}

interface Outcome {
	readonly data?: unknown;
	/** `taskType` defaults to the type of the task that failed. */
	readonly error?: RunwareError & { readonly status: number; readonly taskType?: string };
	/** A scripted failure with no Runware body answers plain text, like a gateway. */
	readonly raw?: { readonly status: number; readonly text: string };
	readonly headers?: Record<string, string>;
}

/** Magic numbers of the formats Runware takes. */
function sniff(bytes: Buffer): 'png' | 'jpeg' | 'webp' | undefined {
	if (bytes.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) return 'png';
	if (bytes.subarray(0, 3).equals(Buffer.from('ffd8ff', 'hex'))) return 'jpeg';
	const riff = bytes.subarray(0, 4).toString('latin1') === 'RIFF';
	if (riff && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
	return undefined;
}

/** Why an image input is refused, or undefined: a UUID, an http(s) URL, a data URI or plain base64. */
function imageProblem(value: unknown): string | undefined {
	if (typeof value !== 'string' || value === '') return 'must be a UUID, URL, data URI or base64 string';
	if (UUID_V4.test(value) || /^https?:\/\/\S+$/.test(value)) return undefined;
	const match = /^data:image\/(png|jpeg|jpg|webp);base64,([A-Za-z0-9+/=]+)$/.exec(value);
	const base64 = match?.[2] ?? (/^[A-Za-z0-9+/]+=*$/.test(value) ? value : undefined);
	if (base64 === undefined) return 'is not a valid data URI';
	const bytes = Buffer.from(base64, 'base64');
	if (bytes.length > MAX_IMAGE_BYTES) return 'is larger than 20 MB';
	const kind = sniff(bytes);
	if (kind === undefined) return 'is not a PNG, JPEG or WebP image';
	// Runware takes 300–2048 px per side; PNG keeps its size at a fixed place, so check it there.
	if (kind === 'png' && bytes.length >= 24) {
		const [width, height] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
		if ([width, height].some((side) => side < 300 || side > 2048)) {
			return `is ${width}×${height}; each side must be 300–2048 px`;
		}
	}
	return undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

export async function startRunwareStandIn(options: RunwareStandInOptions = {}): Promise<RunwareStandIn> {
	const apiKey = options.apiKey ?? 'test-runware-key';
	const video = options.video ?? fakeClip();
	const cost = options.cost ?? 0.28;
	const tasks = new Map<string, Task>();
	const creates: CreateCall[] = [];
	const counts = { poll: 0, download: 0 };
	const faults = new Faults();
	const scriptedCreates: ScriptedCreate[] = [];
	let nextTaskFailure: TaskFailure | undefined;
	let nextPollStatus: number | undefined;
	let malformNextPoll = false;
	let mixNextPoll = false;
	const state = { generationMs: options.generationMs ?? 1_500 };

	const send = sendJson;

	const refuse = (status: number, code: string, message: string, parameter?: string): Outcome => ({
		error: { status, code, message, ...(parameter === undefined ? {} : { parameter }) },
	});

	/** Checks a videoInference task the way Runware documents its parameters for the MiniMax 01 models. */
	function validate(task: Record<string, unknown>): Outcome | undefined {
		const unknown = Object.keys(task).find((key) => !KNOWN_FIELDS.has(key));
		if (unknown !== undefined)
			return refuse(400, 'unsupportedParameter', `Parameter '${unknown}' is not supported.`, unknown);
		const model = task['model'];
		if (typeof model !== 'string' || !MODELS.has(model)) return refuse(400, 'invalidModel', 'Invalid model.', 'model');
		const inputs = task['inputs'];
		if (inputs !== undefined && !isObject(inputs))
			return refuse(400, 'invalidInputs', 'inputs must be an object.', 'inputs');
		const frames = inputs?.['frameImages'];
		if (frames !== undefined) {
			if (!Array.isArray(frames) || frames.length !== 1) {
				return refuse(400, 'invalidFrameImages', 'frameImages takes exactly 1 item.', 'inputs.frameImages');
			}
			const frame: unknown = frames[0];
			const image = isObject(frame) ? frame['image'] : frame;
			if (isObject(frame) && frame['frame'] !== undefined && frame['frame'] !== 'first') {
				return refuse(
					400,
					'invalidFrameImageFrame',
					"Only the 'first' frame is supported.",
					'inputs.frameImages.frame',
				);
			}
			const problem = imageProblem(image);
			if (problem !== undefined)
				return refuse(400, 'invalidFrameImage', `Frame image ${problem}.`, 'inputs.frameImages');
		}
		const references = inputs?.['referenceImages'];
		if (references !== undefined) {
			if (!TAKES_REFERENCE.has(model)) {
				return refuse(
					400,
					'unsupportedReferenceImages',
					`${model} does not take referenceImages.`,
					'inputs.referenceImages',
				);
			}
			if (!Array.isArray(references) || references.length !== 1) {
				return refuse(
					400,
					'invalidReferenceImages',
					'referenceImages takes exactly 1 image.',
					'inputs.referenceImages',
				);
			}
			const problem = imageProblem(references[0]);
			if (problem !== undefined) {
				return refuse(400, 'invalidReferenceImage', `Reference image ${problem}.`, 'inputs.referenceImages');
			}
		}
		const prompt = task['positivePrompt'];
		// Optional only when a frame image is given.
		const badPrompt = typeof prompt !== 'string' || prompt.length < 2 || prompt.length > 2000;
		if (prompt === undefined ? frames === undefined : badPrompt) {
			return refuse(400, 'invalidPositivePrompt', 'positivePrompt must be 2 to 2000 characters.', 'positivePrompt');
		}
		const exact: Array<[string, unknown]> = [
			['width', 1366],
			['height', 768],
			['duration', 6],
			['fps', 25],
			['outputType', 'URL'],
		];
		for (const [field, value] of exact) {
			if (task[field] !== undefined && task[field] !== value) {
				const code = `invalid${field[0]?.toUpperCase()}${field.slice(1)}`;
				return refuse(400, code, `${field} must be ${String(value)} for ${model}.`, field);
			}
		}
		if (task['deliveryMethod'] !== 'async') {
			return refuse(400, 'invalidDeliveryMethod', 'Video tasks need deliveryMethod "async".', 'deliveryMethod');
		}
		const format = task['outputFormat'];
		if (format !== undefined && format !== 'MP4' && format !== 'WEBM' && format !== 'MOV') {
			return refuse(400, 'invalidOutputFormat', 'outputFormat must be MP4, WEBM or MOV.', 'outputFormat');
		}
		const results = task['numberResults'];
		if (results !== undefined && results !== 1) {
			// Runware allows up to 4; this stand-in makes one clip per task.
			return refuse(400, 'invalidNumberResults', 'numberResults must be 1 here.', 'numberResults');
		}
		if (task['includeCost'] !== undefined && typeof task['includeCost'] !== 'boolean') {
			return refuse(400, 'invalidIncludeCost', 'includeCost must be a boolean.', 'includeCost');
		}
		const settings = task['providerSettings'];
		if (settings !== undefined) {
			const minimax = isObject(settings) ? settings['minimax'] : undefined;
			const valid =
				isObject(settings) &&
				Object.keys(settings).every((key) => key === 'minimax') &&
				isObject(minimax) &&
				Object.keys(minimax).every((key) => key === 'promptOptimizer') &&
				(minimax['promptOptimizer'] === undefined || typeof minimax['promptOptimizer'] === 'boolean');
			if (!valid) {
				const message = 'providerSettings.minimax takes promptOptimizer (boolean).';
				return refuse(400, 'invalidProviderSettings', message, 'providerSettings');
			}
		}
		return undefined;
	}

	function create(task: Record<string, unknown>): Outcome {
		creates.push({ body: task, at: Date.now() });
		const uuid = task['taskUUID'];
		const scripted = scriptedCreates.shift();
		if (scripted !== undefined && !scripted.afterCreating) return failScripted(scripted);
		const problem = validate(task);
		if (problem !== undefined) return problem;
		if (typeof uuid !== 'string' || !UUID_V4.test(uuid)) {
			return refuse(400, 'invalidTaskUUID', 'taskUUID must be a UUID v4.', 'taskUUID');
		}
		if (tasks.has(uuid))
			return refuse(400, 'duplicateTaskUUID', 'A task with this taskUUID already exists.', 'taskUUID');
		tasks.set(uuid, {
			uuid,
			videoUUID: randomUUID(),
			createdAt: Date.now(),
			includeCost: task['includeCost'] === true,
			failure: nextTaskFailure,
		});
		nextTaskFailure = undefined;
		if (scripted !== undefined) return failScripted(scripted);
		return { data: { taskType: 'videoInference', taskUUID: uuid } };
	}

	function failScripted(scripted: ScriptedCreate): Outcome {
		const headers =
			scripted.retryAfterSeconds === undefined ? {} : { 'retry-after': String(scripted.retryAfterSeconds) };
		if (scripted.error === undefined) return { raw: { status: scripted.status, text: 'Scripted failure' }, headers };
		return { error: { status: scripted.status, ...scripted.error }, headers };
	}

	function getResponse(uuid: unknown, origin: string): Outcome {
		const task = typeof uuid === 'string' ? tasks.get(uuid) : undefined;
		if (task === undefined) return refuse(400, 'invalidTaskUUID', 'No task found for this taskUUID.', 'taskUUID');
		const base = { taskType: 'videoInference', taskUUID: task.uuid };
		if (Date.now() - task.createdAt < state.generationMs) return { data: { ...base, status: 'processing' } };
		const failure = task.failure;
		if (failure !== undefined && failure !== 'nsfw') {
			// The task's own failure, told apart from a failed getResponse call by its taskType.
			return { error: { status: failure.status ?? 400, ...failure.error, taskType: 'videoInference' } };
		}
		return {
			data: {
				...base,
				status: 'success',
				videoUUID: task.videoUUID,
				videoURL: `${origin}/video/${task.videoUUID}.mp4`,
				...(task.includeCost ? { cost } : {}),
				seed: 688_630_302,
				...(failure === 'nsfw' ? { NSFWContent: true } : {}),
			},
		};
	}

	async function handle(req: IncomingMessage, res: ServerResponse, origin: string) {
		const body = await readJson(req);
		if (!Array.isArray(body) || body.length === 0 || !body.every(isObject)) {
			return send(res, 400, {
				errors: [{ code: 'invalidRequestBody', message: 'The body must be a JSON array of tasks.' }],
			});
		}
		// Runware accepts the key as a Bearer header or as an authentication task first in the array.
		const [first, ...rest] = body;
		const authTask = first?.['taskType'] === 'authentication' ? first : undefined;
		if (req.headers.authorization !== `Bearer ${apiKey}` && authTask?.['apiKey'] !== apiKey) {
			return send(res, 401, {
				errors: [
					{
						code: 'invalidApiKey',
						message: 'Invalid API key. Get one at https://my.runware.ai/signup',
						parameter: 'apiKey',
						taskType: 'authentication',
					},
				],
			});
		}
		const taskList = authTask === undefined ? body : rest;
		if (faults.serve(taskList.some((task) => task['taskType'] === 'getResponse') ? 'poll' : 'create', res)) return;

		if (taskList.some((task) => task['taskType'] === 'getResponse')) {
			counts.poll++;
			if (nextPollStatus !== undefined) {
				const status = nextPollStatus;
				nextPollStatus = undefined;
				return send(res, status, { errors: [{ code: 'internalError', message: 'Internal server error.' }] });
			}
			if (malformNextPoll) {
				malformNextPoll = false;
				const uuid = taskList[0]?.['taskUUID'];
				return send(res, 200, {
					data: [{ taskType: 'videoInference', taskUUID: uuid, status: 'exploded', videoURL: 42 }],
				});
			}
		}

		const data: unknown[] = [];
		const errors: Array<Record<string, unknown>> = [];
		let status = 200;
		let headers: Record<string, string> = {};
		if (authTask !== undefined) data.push({ taskType: 'authentication', connectionSessionUUID: randomUUID() });
		if (mixNextPoll && taskList.some((task) => task['taskType'] === 'getResponse')) {
			mixNextPoll = false;
			data.push({ taskType: 'videoInference', taskUUID: randomUUID(), status: 'processing' });
		}
		for (const task of taskList) {
			const type = task['taskType'];
			const outcome =
				type === 'videoInference'
					? create(task)
					: type === 'getResponse'
						? getResponse(task['taskUUID'], origin)
						: refuse(400, 'invalidTaskType', `Unsupported taskType ${String(type)}.`, 'taskType');
			if (outcome.raw !== undefined) {
				res.writeHead(outcome.raw.status, { 'content-type': 'text/plain', ...outcome.headers });
				return res.end(outcome.raw.text);
			}
			if (outcome.data !== undefined) data.push(outcome.data);
			if (outcome.error !== undefined) {
				const { status: errorStatus, taskType, ...error } = outcome.error;
				errors.push({ ...error, taskType: taskType ?? type, taskUUID: task['taskUUID'] });
				status = errorStatus;
				headers = { ...headers, ...outcome.headers };
			}
		}
		// Errors travel with an HTTP status (docs: "the response also includes a standard HTTP status").
		if (errors.length > 0) return send(res, status, { ...(data.length > 0 ? { data } : {}), errors }, headers);
		send(res, 200, { data });
	}

	const server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		void (async () => {
			if (req.method === 'GET' && url.pathname.startsWith('/video/') && faults.serve('download', res)) return;
			if (req.method === 'GET' && url.pathname.startsWith('/video/')) {
				const known = [...tasks.values()].some((task) => url.pathname === `/video/${task.videoUUID}.mp4`);
				if (!known) return send(res, 404, { error: 'not found' });
				counts.download++;
				sendVideo(res, video);
				return;
			}
			if (req.method === 'POST' && url.pathname === '/v1') return handle(req, res, origin);
			send(res, 404, { errors: [{ code: 'notFound', message: 'Not found.' }] });
		})().catch(() => send(res, 500, { errors: [{ code: 'internalError', message: 'stand-in failure' }] }));
	});
	const origin = await listen(server);

	return {
		origin,
		baseUrl: origin,
		apiKey,
		video,
		cost,
		creates,
		get tasks() {
			return [...tasks.keys()];
		},
		counts,
		faults,
		get generationMs() {
			return state.generationMs;
		},
		set generationMs(ms: number) {
			state.generationMs = ms;
		},
		failNextCreate(status, error, scriptOptions = {}) {
			scriptedCreates.push({
				status,
				error,
				afterCreating: scriptOptions.afterCreating ?? false,
				retryAfterSeconds: scriptOptions.retryAfterSeconds,
			});
		},
		failNextTask(failure) {
			nextTaskFailure = failure;
		},
		failNextPoll(status) {
			nextPollStatus = status;
		},
		malformNextPoll() {
			malformNextPoll = true;
		},
		mixNextPoll() {
			mixNextPoll = true;
		},
		close: () => closeServer(server),
	};
}
