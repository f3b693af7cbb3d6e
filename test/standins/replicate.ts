import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeClip } from './minimax.js';
import { closeServer, Faults, listen, readJson, sendJson, sendVideo } from './loopback.js';

/**
 * A loopback stand-in for Replicate's prediction API (docs/providers.md §5): create on the
 * official-model route, poll `/v1/predictions/{id}` (starting → processing → succeeded/failed/
 * canceled), cancel, and the output file. Errors come as Replicate sends them: an HTTP status with
 * `{title, detail, status}`.
 */

/** Each model's inputs (the stand-in refuses any other, to catch misspelt field names). */
const MODELS: Readonly<Record<string, ReadonlySet<string>>> = {
	'minimax/video-01': new Set(['prompt', 'prompt_optimizer', 'first_frame_image', 'subject_reference']),
	'minimax/video-01-director': new Set(['prompt', 'prompt_optimizer', 'first_frame_image']),
};

export interface ReplicateCreateCall {
	/** `owner/name` from the path. */
	readonly model: string;
	readonly body: Record<string, unknown>;
	readonly at: number;
}

type Status = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';

interface Prediction {
	readonly id: string;
	readonly model: string;
	readonly input: Record<string, unknown>;
	readonly createdAt: number;
	/** Set to make this prediction end in `failed` with this error. */
	failWith?: string;
	canceledAt?: number;
	dataRemoved?: boolean;
}

export interface ScriptedFailure {
	readonly body?: unknown;
	/** Sent as the Retry-After header. */
	readonly retryAfter?: string;
	/** How many calls in a row answer this way (1 by default). */
	readonly times?: number;
}

export interface ReplicateStandInOptions {
	readonly apiKey?: string;
	/** How long a prediction takes from create to `succeeded`. */
	readonly generationMs?: number;
	readonly video?: Buffer;
}

export interface ReplicateStandIn {
	readonly origin: string;
	/** What REPLICATE_BASE_URL should be set to. */
	readonly baseUrl: string;
	readonly apiKey: string;
	readonly video: Buffer;
	readonly creates: ReplicateCreateCall[];
	/** Ids of every cancel call, in order (known or not). */
	readonly cancels: string[];
	readonly counts: { poll: number; download: number };
	generationMs: number;
	/** The next create call(s) answer HTTP `status` (402, 404, 422, 429, 5xx…) instead of creating. */
	failNextCreate(status: number, failure?: ScriptedFailure): void;
	/** The next create call reads the body, then drops the connection without an answer. */
	dropNextCreate(): void;
	/** The next prediction created ends in `failed` with this error once generated. */
	failNextPrediction(error: string): void;
	/** The next poll answers HTTP `status`, once. */
	failNextPoll(status: number, failure?: ScriptedFailure): void;
	/** The next poll answers with a body that breaks the protocol, once. */
	malformNextPoll(): void;
	/** The next cancel answers HTTP `status`, once. */
	failNextCancel(status: number): void;
	/** Deletes every finished prediction's output, as Replicate does after 1 h. */
	expireOutputs(): void;
	/** Scripted answers (create, poll, download), and when each call came. */
	readonly faults: Faults;
	close(): Promise<void>;
}

/** Replicate's bodies for each status, from its API answers. */
function defaultBody(status: number): unknown {
	switch (status) {
		case 401:
			return { title: 'Unauthenticated', detail: 'You did not pass a valid authentication token', status };
		case 402:
			return {
				title: 'Insufficient credit',
				detail:
					'You have insufficient credit to run this model. Go to https://replicate.com/account/billing#billing to purchase credit.',
				status,
			};
		case 404:
			return { title: 'Not found', detail: 'The requested resource could not be found.', status };
		case 429:
			return { detail: 'Request was throttled. Your rate limit resets in ~30s.', status };
		default:
			if (status >= 500) return { title: 'Internal Server Error', detail: 'Something went wrong.', status };
			return { detail: 'error', status };
	}
}

/** What the decoded bytes really are (PNG, JPEG, WebP), whatever the data URL says. */
function sniff(data: Buffer): string | undefined {
	if (data.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) return 'image/png';
	if (data.subarray(0, 3).equals(Buffer.from('ffd8ff', 'hex'))) return 'image/jpeg';
	if (data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
	return undefined;
}

function validFile(value: unknown): boolean {
	if (typeof value !== 'string') return false;
	if (/^https?:\/\/\S+$/.test(value)) return true;
	const match = /^data:(image\/(?:png|jpeg|webp));base64,([A-Za-z0-9+/]+={0,2})$/.exec(value);
	return match?.[1] !== undefined && match[2] !== undefined && sniff(Buffer.from(match[2], 'base64')) === match[1];
}

export async function startReplicateStandIn(options: ReplicateStandInOptions = {}): Promise<ReplicateStandIn> {
	const apiKey = options.apiKey ?? `r8_${randomBytes(18).toString('hex')}`;
	const video = options.video ?? fakeClip();
	const predictions = new Map<string, Prediction>();
	const creates: ReplicateCreateCall[] = [];
	const cancels: string[] = [];
	const counts = { poll: 0, download: 0 };
	const faults = new Faults();
	const state: { generationMs: number } = { generationMs: options.generationMs ?? 1_500 };
	let nextCreate: { status: number; failure: ScriptedFailure; left: number } | undefined;
	let nextPoll: { status: number; failure: ScriptedFailure } | undefined;
	let nextPrediction: string | undefined;
	let nextCancel: number | undefined;
	let malformNextPoll = false;
	let dropNextCreate = false;

	const send = sendJson;
	const sendFailure = (res: ServerResponse, status: number, failure: ScriptedFailure) => {
		const headers: Record<string, string> =
			failure.retryAfter === undefined ? {} : { 'retry-after': failure.retryAfter };
		send(res, status, failure.body ?? defaultBody(status), headers);
	};
	const invalid = (res: ServerResponse, field: string, description: string) =>
		send(res, 422, {
			title: 'Input validation failed',
			detail: `- ${field}: ${description}\n`,
			status: 422,
			invalid_fields: [{ type: 'invalid', field, description }],
		});

	const statusOf = (prediction: Prediction): Status => {
		if (prediction.canceledAt !== undefined) return 'canceled';
		const age = Date.now() - prediction.createdAt;
		if (age < state.generationMs / 3) return 'starting';
		if (age < state.generationMs) return 'processing';
		return prediction.failWith === undefined ? 'succeeded' : 'failed';
	};

	const running = (prediction: Prediction) => ['starting', 'processing'].includes(statusOf(prediction));
	const iso = (ms: number) => new Date(ms).toISOString();

	/** The prediction object as Replicate returns it from create, get and cancel. */
	function view(prediction: Prediction, origin: string) {
		const status = statusOf(prediction);
		const done = status === 'succeeded' || status === 'failed' || status === 'canceled';
		const hasOutput = status === 'succeeded' && prediction.dataRemoved !== true;
		const endedAt = prediction.canceledAt ?? prediction.createdAt + state.generationMs;
		const api = `${origin}/v1/predictions/${prediction.id}`;
		return {
			id: prediction.id,
			model: prediction.model,
			version: 'hidden',
			input: prediction.input,
			logs: status === 'starting' ? '' : 'Generating video...\n',
			output: hasOutput ? `${origin}/delivery/xezq/${prediction.id}/tmp.mp4` : null,
			data_removed: prediction.dataRemoved === true,
			error: status === 'failed' ? (prediction.failWith ?? null) : null,
			status,
			created_at: iso(prediction.createdAt),
			started_at: status === 'starting' ? null : iso(prediction.createdAt + state.generationMs / 3),
			completed_at: done ? iso(endedAt) : null,
			...(done ? { metrics: { predict_time: (endedAt - prediction.createdAt) / 1000 } } : {}),
			urls: {
				get: api,
				cancel: `${api}/cancel`,
				stream: `${origin}/stream/${prediction.id}`,
				web: `https://replicate.com/p/${prediction.id}`,
			},
		};
	}

	async function create(model: string, req: IncomingMessage, res: ServerResponse, origin: string) {
		const body = await readJson(req);
		if (typeof body !== 'object' || body === null || Array.isArray(body)) {
			return send(res, 400, { title: 'Bad request', detail: 'The request body is not valid JSON.', status: 400 });
		}
		const fields = body as Record<string, unknown>;
		creates.push({ model, body: fields, at: Date.now() });
		if (dropNextCreate) {
			dropNextCreate = false;
			req.socket.destroy();
			return;
		}
		if (nextCreate !== undefined) {
			const scripted = nextCreate;
			if (--scripted.left <= 0) nextCreate = undefined;
			return sendFailure(res, scripted.status, scripted.failure);
		}
		const allowed = MODELS[model];
		if (allowed === undefined) return send(res, 404, defaultBody(404));
		const input = fields['input'];
		if (typeof input !== 'object' || input === null || Array.isArray(input)) {
			return invalid(res, 'input', 'input is required');
		}
		const values = input as Record<string, unknown>;
		for (const name of Object.keys(values)) {
			if (!allowed.has(name)) return invalid(res, `input.${name}`, 'Additional property is not allowed');
		}
		const prompt = values['prompt'];
		if (typeof prompt !== 'string' || prompt === '') return invalid(res, 'input.prompt', 'prompt is required');
		if (prompt.length > 2000) return invalid(res, 'input.prompt', 'String length must be less than or equal to 2000');
		if (values['prompt_optimizer'] !== undefined && typeof values['prompt_optimizer'] !== 'boolean') {
			return invalid(res, 'input.prompt_optimizer', 'Invalid type. Expected: boolean');
		}
		for (const name of ['first_frame_image', 'subject_reference']) {
			if (values[name] !== undefined && !validFile(values[name])) {
				return invalid(res, `input.${name}`, 'Does not match format uri');
			}
		}
		const id = randomBytes(16).toString('hex').slice(0, 26);
		const prediction: Prediction = { id, model, input: values, createdAt: Date.now() };
		if (nextPrediction !== undefined) {
			prediction.failWith = nextPrediction;
			nextPrediction = undefined;
		}
		predictions.set(id, prediction);
		send(res, 201, view(prediction, origin));
	}

	function poll(id: string, res: ServerResponse, origin: string) {
		counts.poll++;
		if (nextPoll !== undefined) {
			const scripted = nextPoll;
			nextPoll = undefined;
			return sendFailure(res, scripted.status, scripted.failure);
		}
		if (malformNextPoll) {
			malformNextPoll = false;
			return send(res, 200, { id, status: 'exploded', output: 42 });
		}
		const prediction = predictions.get(id);
		if (prediction === undefined) return send(res, 404, defaultBody(404));
		send(res, 200, view(prediction, origin));
	}

	function cancel(id: string, res: ServerResponse, origin: string) {
		cancels.push(id);
		if (nextCancel !== undefined) {
			const status = nextCancel;
			nextCancel = undefined;
			return send(res, status, defaultBody(status));
		}
		const prediction = predictions.get(id);
		if (prediction === undefined) return send(res, 404, defaultBody(404));
		// A prediction that already ended stays as it is.
		if (running(prediction)) prediction.canceledAt = Date.now();
		send(res, 200, view(prediction, origin));
	}

	const server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		void (async () => {
			const file = /^\/delivery\/xezq\/([^/]+)\/tmp\.mp4$/.exec(url.pathname);
			const kind =
				file !== null
					? 'download'
					: req.method === 'POST' && url.pathname.endsWith('/predictions')
						? 'create'
						: req.method === 'GET'
							? 'poll'
							: undefined;
			if (kind !== undefined && faults.serve(kind, res)) return;
			if (req.method === 'GET' && file !== null) {
				const prediction = predictions.get(file[1] ?? '');
				if (prediction === undefined || prediction.dataRemoved === true || statusOf(prediction) !== 'succeeded') {
					return send(res, 404, { detail: 'Not found.' });
				}
				counts.download++;
				sendVideo(res, video);
				return;
			}
			if (!url.pathname.startsWith('/v1/')) return send(res, 404, defaultBody(404));
			// Replicate takes `Bearer` (and the older `Token`) scheme.
			const auth = req.headers.authorization ?? '';
			if (auth !== `Bearer ${apiKey}` && auth !== `Token ${apiKey}`) return send(res, 401, defaultBody(401));
			const createPath = /^\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/.exec(url.pathname);
			if (req.method === 'POST' && createPath !== null) {
				const [owner, name] = [decodeURIComponent(createPath[1] ?? ''), decodeURIComponent(createPath[2] ?? '')];
				return create(`${owner}/${name}`, req, res, origin);
			}
			const predictionPath = /^\/v1\/predictions\/([^/]+)(\/cancel)?$/.exec(url.pathname);
			const id = decodeURIComponent(predictionPath?.[1] ?? '');
			if (predictionPath !== null && req.method === 'GET' && predictionPath[2] === undefined)
				return poll(id, res, origin);
			if (predictionPath !== null && req.method === 'POST' && predictionPath[2] === '/cancel') {
				return cancel(id, res, origin);
			}
			send(res, 404, defaultBody(404));
		})().catch(() => send(res, 500, defaultBody(500)));
	});
	const origin = await listen(server);

	return {
		origin,
		baseUrl: origin,
		apiKey,
		video,
		creates,
		cancels,
		counts,
		faults,
		get generationMs() {
			return state.generationMs;
		},
		set generationMs(ms: number) {
			state.generationMs = ms;
		},
		failNextCreate(status, failure = {}) {
			nextCreate = { status, failure, left: failure.times ?? 1 };
		},
		dropNextCreate() {
			dropNextCreate = true;
		},
		failNextPrediction(error) {
			nextPrediction = error;
		},
		failNextPoll(status, failure = {}) {
			nextPoll = { status, failure };
		},
		malformNextPoll() {
			malformNextPoll = true;
		},
		failNextCancel(status) {
			nextCancel = status;
		},
		expireOutputs() {
			for (const prediction of predictions.values()) {
				if (!running(prediction)) prediction.dataRemoved = true;
			}
		},
		close: () => closeServer(server),
	};
}
