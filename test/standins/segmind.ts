import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeClip } from './minimax.js';
import { Faults, listen, readJson, sendJson } from './loopback.js';

/**
 * A loopback stand-in for Segmind's `minimax-ai` and `minimax-ai-director`, speaking the protocol in
 * docs/providers.md §2: v1 (one blocking POST that answers with the MP4 bytes) and v2
 * (POST → `/v2/requests/{id}/status` → `/v2/requests/{id}` → output URL). Errors are
 * `{"error": "..."}` with Segmind's statuses; a failed v2 request answers HTTP 422 with a FAILED body;
 * v2 checks the fields in its worker, so a bad field there is a FAILED "Validation error".
 */

const FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
	'minimax-ai': new Set(['prompt', 'first_frame_image', 'prompt_optimizer', 'subject_reference']),
	'minimax-ai-director': new Set(['prompt', 'first_frame_image', 'prompt_optimizer']),
};
const COST = 0.625;

export interface SegmindCreateCall {
	readonly mode: 'v1' | 'v2';
	readonly slug: string;
	readonly body: Record<string, unknown>;
	readonly at: number;
}

interface Task {
	readonly id: string;
	readonly createdAt: number;
	/** Set to make the request end FAILED with this message. */
	failWith?: string;
	/** A FAILED request right away: v2's worker refused a field. */
	invalid?: string;
}

export type OutputShape = 'string' | 'array' | 'object';

export interface SegmindStandInOptions {
	readonly apiKey?: string;
	/** How long a request takes from create to COMPLETED (or, on v1, to the answer). */
	readonly generationMs?: number;
	readonly video?: Buffer;
}

export interface SegmindStandIn {
	readonly origin: string;
	/** What SEGMIND_BASE_URL should be set to. */
	readonly baseUrl: string;
	readonly apiKey: string;
	readonly video: Buffer;
	readonly creates: SegmindCreateCall[];
	readonly counts: { status: number; result: number; download: number };
	generationMs: number;
	/** How long v2 request records live (Segmind: 1 h); later calls answer 404. */
	recordTtlMs: number;
	/** How a v2 result carries the output URL; Segmind's exact video field is unverified. */
	outputShape: OutputShape;
	/** What a successful v1 call answers: the raw MP4 (documented) or JSON with a URL (Segmind's sample code). */
	blockingAnswer: 'bytes' | 'json';
	/** The next create call answers HTTP `status` with `{"error": message}` instead of creating a request. */
	failNextCreate(status: number, message?: string): void;
	/** The next create call answers 429 with `x-rate-limit-reset-at-utc` this far ahead (no Retry-After). */
	rateLimitNextCreate(resetInMs: number): void;
	/** The next create call is accepted, then the connection is dropped before any answer. */
	dropNextCreate(): void;
	/** The next request created ends in failure with this message (v2: FAILED/422; v1: HTTP 500). */
	failNextTask(message: string): void;
	/** The next status call answers HTTP `status` (e.g. 502), once. */
	failNextPoll(status: number): void;
	/** The next status call answers with a body that breaks the protocol, once. */
	malformNextPoll(): void;
	/** Scripted answers (create, status, result, download), and when each call came. */
	readonly faults: Faults;
	close(): Promise<void>;
}

/** Which image the decoded bytes are, by magic number. */
function sniff(data: Buffer): string | undefined {
	if (data.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) return 'image/png';
	if (data.subarray(0, 3).equals(Buffer.from('ffd8ff', 'hex'))) return 'image/jpeg';
	const riff = data.subarray(0, 4).toString('latin1') === 'RIFF';
	if (riff && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
	return undefined;
}

function validImage(value: unknown): boolean {
	if (typeof value !== 'string') return false;
	if (/^https?:\/\/\S+$/.test(value)) return true;
	const match = /^data:(image\/(?:png|jpeg|webp));base64,([A-Za-z0-9+/]+={0,2})$/.exec(value);
	return match !== null && sniff(Buffer.from(match[2] ?? '', 'base64')) === match[1];
}

/** What Segmind's model would refuse in this body, or undefined. */
function problemWith(slug: string, body: Record<string, unknown>): string | undefined {
	const allowed = FIELDS[slug];
	if (allowed === undefined) return 'unknown model';
	const extra = Object.keys(body).find((key) => !allowed.has(key));
	if (extra !== undefined) return `unexpected field ${extra}`;
	const prompt = body['prompt'];
	if (typeof prompt !== 'string' || prompt.trim() === '') return 'prompt is required';
	if (prompt.length > 2000) return 'prompt must be at most 2000 characters';
	if (slug === 'minimax-ai-director' && body['first_frame_image'] === undefined) return 'first_frame_image is required';
	for (const field of ['first_frame_image', 'subject_reference']) {
		if (body[field] !== undefined && !validImage(body[field])) return `${field} is not a valid image`;
	}
	const optimizer = body['prompt_optimizer'];
	if (optimizer !== undefined && typeof optimizer !== 'boolean') return 'prompt_optimizer must be a boolean';
	return undefined;
}

export async function startSegmindStandIn(options: SegmindStandInOptions = {}): Promise<SegmindStandIn> {
	const apiKey = options.apiKey ?? 'SG_0123456789abcdef';
	const video = options.video ?? fakeClip();
	const tasks = new Map<string, Task>();
	const creates: SegmindCreateCall[] = [];
	const counts = { status: 0, result: 0, download: 0 };
	const faults = new Faults();
	const timers = new Set<NodeJS.Timeout>();
	const settings = {
		generationMs: options.generationMs ?? 1_500,
		recordTtlMs: 60 * 60_000,
		outputShape: 'string' as OutputShape,
		blockingAnswer: 'bytes' as 'bytes' | 'json',
	};
	let nextCreate: { status: number; message: string } | 'drop' | undefined;
	let nextRateLimitMs: number | undefined;
	let nextTaskFailure: string | undefined;
	let nextPollStatus: number | undefined;
	let malformNextPoll = false;

	const send = sendJson;
	const fail = (res: ServerResponse, status: number, error: string, headers: Record<string, string> = {}) =>
		send(res, status, { error }, headers);

	const metrics = () => ({
		queue_time: 0.1,
		inference_time: settings.generationMs / 1000,
		total_time: settings.generationMs / 1000,
		cost: COST,
		remaining_credits: 42.5,
	});
	const outputOf = (origin: string, task: Task) => {
		const url = `${origin}/outputs/${task.id}.mp4`;
		if (settings.outputShape === 'array') return [url];
		if (settings.outputShape === 'object') return { video: url };
		return url;
	};
	const stateOf = (task: Task) => {
		if (task.invalid !== undefined) return 'FAILED';
		const age = Date.now() - task.createdAt;
		if (age < settings.generationMs / 3) return 'QUEUED';
		if (age < settings.generationMs) return 'PROCESSING';
		return task.failWith === undefined ? 'COMPLETED' : 'FAILED';
	};

	async function create(mode: 'v1' | 'v2', slug: string, req: IncomingMessage, res: ServerResponse, origin: string) {
		if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
			return fail(res, 406, 'Content-Type must be application/json');
		}
		const body = await readJson(req);
		if (typeof body !== 'object' || body === null || Array.isArray(body)) {
			return fail(res, 400, 'Request body must be a JSON object');
		}
		const fields = body as Record<string, unknown>;
		creates.push({ mode, slug, body: fields, at: Date.now() });
		if (nextRateLimitMs !== undefined) {
			const reset = new Date(Date.now() + nextRateLimitMs).toISOString();
			nextRateLimitMs = undefined;
			return fail(res, 429, 'Rate limit exceeded', { 'x-rate-limit-reset-at-utc': reset });
		}
		const scripted = nextCreate;
		nextCreate = undefined;
		if (scripted !== undefined && scripted !== 'drop') return fail(res, scripted.status, scripted.message);
		if (FIELDS[slug] === undefined) return fail(res, 404, `Model ${slug} not found`);
		const problem = problemWith(slug, fields);
		if (problem !== undefined && mode === 'v1') return fail(res, 400, problem);

		const task: Task = { id: randomUUID(), createdAt: Date.now() };
		if (problem !== undefined) task.invalid = `Validation error in MinimaxProcessor: ${problem}`;
		if (nextTaskFailure !== undefined) {
			task.failWith = nextTaskFailure;
			nextTaskFailure = undefined;
		}
		tasks.set(task.id, task);
		if (scripted === 'drop') return req.socket.destroy();

		if (mode === 'v2') {
			return send(res, 200, {
				request_id: task.id,
				status: 'QUEUED',
				poll_url: `${origin}/v1/requests/${task.id}`,
				status_url: `${origin}/v2/requests/${task.id}/status`,
				response_url: `${origin}/v2/requests/${task.id}`,
			});
		}
		// v1 blocks for the whole generation, then answers with the clip itself.
		const timer = setTimeout(() => {
			timers.delete(timer);
			if (res.destroyed) return;
			if (task.failWith !== undefined) return fail(res, 500, task.failWith);
			const headers = {
				'x-cost': String(COST),
				'x-remaining-credits': '42.5',
				'x-generation-time': String(settings.generationMs / 1000),
				'x-request-id': task.id,
			};
			if (settings.blockingAnswer === 'json') return send(res, 200, { output: outputOf(origin, task) }, headers);
			res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(video.length), ...headers });
			res.end(video);
		}, settings.generationMs);
		timers.add(timer);
		res.on('close', () => {
			clearTimeout(timer);
			timers.delete(timer);
		});
	}

	function taskOf(id: string): Task | undefined {
		const task = tasks.get(id);
		return task === undefined || Date.now() - task.createdAt > settings.recordTtlMs ? undefined : task;
	}

	function failedBody(task: Task) {
		return { status: 'FAILED', request_id: task.id, error: task.invalid ?? task.failWith, metrics: metrics() };
	}

	function status(id: string, res: ServerResponse) {
		counts.status++;
		if (nextPollStatus !== undefined) {
			const code = nextPollStatus;
			nextPollStatus = undefined;
			return fail(res, code, 'Bad gateway');
		}
		if (malformNextPoll) {
			malformNextPoll = false;
			return send(res, 200, { request_id: 42, status: 'EXPLODED' });
		}
		const task = taskOf(id);
		if (task === undefined) return fail(res, 404, 'Request not found');
		const state = stateOf(task);
		if (state === 'FAILED') return send(res, 422, failedBody(task));
		send(res, 200, { status: state, request_id: task.id, metrics: metrics() });
	}

	function result(id: string, res: ServerResponse, origin: string) {
		counts.result++;
		const task = taskOf(id);
		if (task === undefined) return fail(res, 404, 'Request not found');
		const state = stateOf(task);
		if (state === 'FAILED') return send(res, 422, failedBody(task));
		const output = state === 'COMPLETED' ? outputOf(origin, task) : null;
		send(res, 200, { status: state, request_id: task.id, error: null, metrics: metrics(), output });
	}

	const server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		void (async () => {
			const output = /^\/outputs\/([\w-]+)\.mp4$/.exec(url.pathname);
			const kind =
				output !== null
					? 'download'
					: req.method === 'POST'
						? 'create'
						: /\/status$/.test(url.pathname)
							? 'poll'
							: 'result';
			if (faults.serve(kind, res)) return;
			if (req.method === 'GET' && output !== null) {
				// Output files are public and outlive the request record (7 days).
				if (!tasks.has(output[1] ?? '')) return fail(res, 404, 'Not found');
				counts.download++;
				res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(video.length) });
				return res.end(video);
			}
			if (!/^\/v[12]\//.test(url.pathname)) return fail(res, 404, 'Not found');
			const key = req.headers['x-api-key'];
			if (key === undefined) return fail(res, 401, 'Unauthorized: x-api-key header is missing');
			if (key !== apiKey) return fail(res, 401, 'Invalid API key');

			const path = url.pathname;
			const request = /^\/v2\/requests\/([\w-]+)(\/status)?$/.exec(path);
			if (req.method === 'GET' && request !== null) {
				const id = request[1] ?? '';
				return request[2] === undefined ? result(id, res, origin) : status(id, res);
			}
			const model = /^\/(v1|v2)\/([\w.-]+)$/.exec(path);
			if (req.method === 'POST' && model !== null) {
				return create(model[1] === 'v1' ? 'v1' : 'v2', model[2] ?? '', req, res, origin);
			}
			fail(res, 404, 'Not found');
		})().catch(() => fail(res, 500, 'stand-in failure'));
	});
	const origin = await listen(server);

	return {
		origin,
		baseUrl: origin,
		apiKey,
		video,
		creates,
		counts,
		faults,
		get generationMs() {
			return settings.generationMs;
		},
		set generationMs(ms: number) {
			settings.generationMs = ms;
		},
		get recordTtlMs() {
			return settings.recordTtlMs;
		},
		set recordTtlMs(ms: number) {
			settings.recordTtlMs = ms;
		},
		get outputShape() {
			return settings.outputShape;
		},
		set outputShape(shape: OutputShape) {
			settings.outputShape = shape;
		},
		get blockingAnswer() {
			return settings.blockingAnswer;
		},
		set blockingAnswer(answer: 'bytes' | 'json') {
			settings.blockingAnswer = answer;
		},
		failNextCreate(status, message = 'error') {
			nextCreate = { status, message };
		},
		rateLimitNextCreate(resetInMs) {
			nextRateLimitMs = resetInMs;
		},
		dropNextCreate() {
			nextCreate = 'drop';
		},
		failNextTask(message) {
			nextTaskFailure = message;
		},
		failNextPoll(status) {
			nextPollStatus = status;
		},
		malformNextPoll() {
			malformNextPoll = true;
		},
		close: () =>
			new Promise<void>((resolve) => {
				for (const timer of timers) clearTimeout(timer);
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
