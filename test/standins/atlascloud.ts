import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeClip, type CreateCall } from './minimax.js';
import { closeServer, Faults, listen, readJson, sendJson, sendVideo } from './loopback.js';

/**
 * A loopback stand-in for AtlasCloud's `minimax/video-01` (docs/providers.md section 4):
 * `POST /api/v1/model/generateVideo` → `GET /api/v1/model/prediction/{id}` (processing →
 * completed | failed) → download of `outputs[0]`. Answers use the `{code, message, data}`
 * envelope real responses carry, or the bare prediction the docs show (`bare: true`). It checks
 * the Bearer key, the model, the prompt (≤ 2000 chars) and the first frame the way the docs
 * state: a public URL or a JPG/PNG data URL (no WebP), aspect 2:5..5:2, short side > 300 px,
 * ≤ 20 MB.
 */

const MODELS = new Set(['minimax/video-01']);
const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export type AtlasTaskFailure = 'safety' | 'generic' | 'nsfw';

interface Task {
	readonly id: string;
	readonly createdAt: number;
	failure?: AtlasTaskFailure;
}

interface ScriptedAnswer {
	readonly status: number;
	readonly body: unknown;
	readonly headers: Record<string, string>;
}

export interface AtlasCloudStandInOptions {
	readonly apiKey?: string;
	readonly generationMs?: number;
	readonly video?: Buffer;
	/** Answer with the documented bare prediction instead of the envelope. */
	readonly bare?: boolean;
	/** The finished state's name: the docs say `completed`, code samples also accept `succeeded`. */
	readonly doneStatus?: 'completed' | 'succeeded';
}

export interface AtlasCloudStandIn {
	readonly origin: string;
	readonly baseUrl: string;
	readonly apiKey: string;
	readonly video: Buffer;
	readonly creates: CreateCall[];
	readonly counts: { polls: number; downloads: number };
	generationMs: number;
	/** The next create call answers this HTTP status and body (queued: call again to fail more). */
	failNextCreate(status: number, body?: unknown, headers?: Record<string, string>): void;
	/** The next create call answers HTTP 200 with an error envelope, like `{code:402, msg, data:null}`. */
	failNextCreateWithCode(code: number, msg: string): void;
	/** The next create makes a task, then drops the connection before answering. */
	dropNextCreate(): void;
	/** The next task ends as a safety failure, a plain failure, or `completed` with an NSFW flag. */
	failNextTask(kind: AtlasTaskFailure): void;
	/** The next poll answers HTTP `status` (e.g. 502), once. */
	failNextPoll(status: number): void;
	/** The next poll answers with a body that breaks the protocol, once. */
	malformNextPoll(): void;
	/** Scripted answers (create, poll, download), and when each call came. */
	readonly faults: Faults;
	close(): Promise<void>;
}

type ImageType = 'png' | 'jpeg' | 'webp';

function sniff(data: Buffer): ImageType | undefined {
	if (data.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) return 'png';
	if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpeg';
	if (data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') return 'webp';
	return undefined;
}

/** Width and height from the PNG header or the JPEG frame header; undefined when unreadable. */
function dimensions(data: Buffer, type: 'png' | 'jpeg'): { width: number; height: number } | undefined {
	if (type === 'png') {
		return data.length >= 24 ? { width: data.readUInt32BE(16), height: data.readUInt32BE(20) } : undefined;
	}
	for (let at = 2; at + 9 < data.length;) {
		if (data[at] !== 0xff) return undefined;
		const marker = data[at + 1] ?? 0;
		// SOF0..SOF15 carry the size; C4 (DHT), C8 and CC (DAC) share the range but do not.
		if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
			return { height: data.readUInt16BE(at + 5), width: data.readUInt16BE(at + 7) };
		}
		at += 2 + data.readUInt16BE(at + 2);
	}
	return undefined;
}

/** The documented image rules; returns the reason a first frame is refused. */
function imageProblem(value: unknown): string | undefined {
	if (typeof value !== 'string') return 'image must be a string';
	if (/^https?:\/\/\S+$/.test(value)) return undefined;
	const match = /^data:image\/(png|jpeg|jpg);\s?base64,([A-Za-z0-9+/]+={0,2})$/.exec(value);
	if (match === null) return 'image must be a public URL or a base64 data URL of a JPG/PNG';
	const data = Buffer.from(match[2] ?? '', 'base64');
	const type = sniff(data);
	if (type === 'webp') return 'unsupported image format: webp';
	if (type === undefined) return 'image is not a JPG or PNG';
	if (data.length > MAX_IMAGE_BYTES) return 'image exceeds 20MB';
	const size = dimensions(data, type);
	if (size === undefined) return 'image cannot be decoded';
	const ratio = size.width / size.height;
	if (ratio <= 2 / 5 || ratio >= 5 / 2) return 'image aspect ratio must be between 2:5 and 5:2';
	if (Math.min(size.width, size.height) <= 300) return 'image short side must be greater than 300px';
	return undefined;
}

export async function startAtlasCloudStandIn(options: AtlasCloudStandInOptions = {}): Promise<AtlasCloudStandIn> {
	const apiKey = options.apiKey ?? 'test-atlascloud-key';
	const video = options.video ?? fakeClip();
	const doneStatus = options.doneStatus ?? 'completed';
	const tasks = new Map<string, Task>();
	const creates: CreateCall[] = [];
	const counts = { polls: 0, downloads: 0 };
	const faults = new Faults();
	const createScript: (ScriptedAnswer | 'drop')[] = [];
	let nextTaskFailure: AtlasTaskFailure | undefined;
	let nextPollStatus: number | undefined;
	let malformNextPoll = false;
	const state = { generationMs: options.generationMs ?? 1_500 };

	const send = sendJson;
	/** Success answers, wrapped the way the real API wraps them unless `bare`. */
	const ok = (res: ServerResponse, data: unknown) =>
		send(res, 200, options.bare === true ? data : { code: 200, message: '', data });
	const fail = (res: ServerResponse, status: number, message: string) =>
		send(res, status, { code: status, message, data: null });

	const statusOf = (task: Task): string => {
		if (Date.now() - task.createdAt < state.generationMs) return 'processing';
		return task.failure === 'safety' || task.failure === 'generic' ? 'failed' : doneStatus;
	};

	const predictionOf = (task: Task, origin: string) => {
		const status = statusOf(task);
		const done = status === doneStatus;
		return {
			id: task.id,
			model: 'minimax/video-01',
			outputs: done ? [`${origin}/media/${task.id}/output.mp4`] : null,
			urls: { get: `${origin}/api/v1/model/prediction/${task.id}` },
			status,
			created_at: new Date(task.createdAt).toISOString(),
			has_nsfw_contents: done ? [task.failure === 'nsfw'] : [],
			error: status !== 'failed' ? '' : task.failure === 'safety' ? 'Output flagged as sensitive' : 'internal error',
			...(done ? { timings: { inference: state.generationMs } } : {}),
		};
	};

	async function create(req: IncomingMessage, res: ServerResponse, origin: string) {
		const body = await readJson(req);
		if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(res, 400, 'invalid request body');
		const fields = body as Record<string, unknown>;
		creates.push({ body: fields, at: Date.now() });
		const scripted = createScript.shift();
		if (scripted !== undefined && scripted !== 'drop') {
			return send(res, scripted.status, scripted.body, scripted.headers);
		}

		const model = fields['model'];
		if (typeof model !== 'string' || !MODELS.has(model)) return fail(res, 400, 'model not found');
		const prompt = fields['prompt'];
		if (typeof prompt !== 'string' || prompt.trim() === '') return fail(res, 400, 'prompt is required');
		if (prompt.length > 2000) return fail(res, 400, 'prompt length must be <= 2000');
		if (fields['image'] !== undefined) {
			const problem = imageProblem(fields['image']);
			if (problem !== undefined) return fail(res, 400, problem);
		}
		const expansion = fields['enable_prompt_expansion'];
		if (expansion !== undefined && typeof expansion !== 'boolean') {
			return fail(res, 400, 'enable_prompt_expansion must be a boolean');
		}

		const task: Task = { id: randomUUID().replaceAll('-', ''), createdAt: Date.now() };
		if (nextTaskFailure !== undefined) {
			task.failure = nextTaskFailure;
			nextTaskFailure = undefined;
		}
		tasks.set(task.id, task);
		// The task exists; the client never learns its id.
		if (scripted === 'drop') return void res.socket?.destroy();
		ok(res, { ...predictionOf(task, origin), status: 'processing', outputs: null, has_nsfw_contents: [] });
	}

	function poll(id: string, res: ServerResponse, origin: string) {
		counts.polls++;
		if (nextPollStatus !== undefined) {
			const status = nextPollStatus;
			nextPollStatus = undefined;
			return send(res, status, { error: 'bad gateway' });
		}
		if (malformNextPoll) {
			malformNextPoll = false;
			return ok(res, { id: 42, status: 'exploded' });
		}
		const task = tasks.get(id);
		if (task === undefined) return fail(res, 404, 'prediction not found');
		ok(res, predictionOf(task, origin));
	}

	const server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		void (async () => {
			const media = /^\/media\/([0-9a-f]+)\/output\.mp4$/.exec(url.pathname);
			const kind = media !== null ? 'download' : req.method === 'POST' ? 'create' : 'poll';
			if (faults.serve(kind, res)) return;
			if (req.method === 'GET' && media !== null) {
				if (!tasks.has(media[1] ?? '')) return send(res, 404, { error: 'not found' });
				counts.downloads++;
				sendVideo(res, video);
				return;
			}
			if (!url.pathname.startsWith('/api/v1/')) return fail(res, 404, 'not found');
			if (req.headers.authorization !== `Bearer ${apiKey}`) return fail(res, 401, 'Unauthorized: invalid API key');
			if (req.method === 'POST' && url.pathname === '/api/v1/model/generateVideo') return create(req, res, origin);
			const prediction = /^\/api\/v1\/model\/prediction\/([^/]+)$/.exec(url.pathname);
			if (req.method === 'GET' && prediction !== null) {
				return poll(decodeURIComponent(prediction[1] ?? ''), res, origin);
			}
			fail(res, 404, 'not found');
		})().catch(() => send(res, 500, { code: 500, message: 'stand-in failure', data: null }));
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
			return state.generationMs;
		},
		set generationMs(ms: number) {
			state.generationMs = ms;
		},
		failNextCreate(status, body = { code: status, message: 'error', data: null }, headers = {}) {
			createScript.push({ status, body, headers });
		},
		failNextCreateWithCode(code, msg) {
			createScript.push({ status: 200, body: { code, msg, data: null }, headers: {} });
		},
		dropNextCreate() {
			createScript.push('drop');
		},
		failNextTask(kind) {
			nextTaskFailure = kind;
		},
		failNextPoll(status) {
			nextPollStatus = status;
		},
		malformNextPoll() {
			malformNextPoll = true;
		},
		close: () => closeServer(server),
	};
}
