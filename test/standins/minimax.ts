import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, Faults, listen, type CallKind, readJson, sendJson, sendVideo } from './loopback.js';
import { createMinimaxV2StandIn, type MinimaxV2StandIn } from './minimax-v2.js';

/**
 * A loopback stand-in for MiniMax's video API, speaking the protocol in docs/providers.md:
 * create → query (Preparing/Queueing/Processing/Success/Fail) → files/retrieve → download. It
 * checks what the real service checks (key, model, prompt length, image data URLs) and answers
 * errors the way MiniMax does, in `base_resp` with HTTP 200. The v2 API (H3) is served beside it,
 * under the same base URL (`minimax-v2.ts`).
 */

const MODELS = new Set([
	'T2V-01',
	'T2V-01-Director',
	'I2V-01',
	'I2V-01-Director',
	'I2V-01-live',
	'S2V-01',
	'MiniMax-Hailuo-02',
	'MiniMax-Hailuo-2.3',
	'MiniMax-Hailuo-2.3-Fast',
]);
const NEEDS_FIRST_FRAME = new Set(['I2V-01', 'I2V-01-Director', 'I2V-01-live']);

export interface CreateCall {
	readonly body: Record<string, unknown>;
	readonly at: number;
}

interface Task {
	readonly id: string;
	readonly createdAt: number;
	readonly fileId: string;
	/** Set to make this task end in `Fail` with this code (0 for no reason). */
	failWith?: number;
	/** How the status spells the failure: `Fail` (documented) or `Failed` (what MiniMax's CLI checks). */
	failSpelling?: 'Fail' | 'Failed';
	/** When a query first reported its end (Success or Fail): the end of its polling. */
	endedAt?: number;
	readonly prompt: unknown;
}

/** A task as a test sees it: from its create call to the first query that reported its end. */
export interface TaskLife {
	readonly id: string;
	readonly prompt: unknown;
	readonly createdAt: number;
	readonly endedAt: number | undefined;
}

export interface MinimaxStandInOptions {
	readonly apiKey?: string;
	/** Mounts the API under a path, like the seed's gateway (`/minimax/v1/...`). */
	readonly pathPrefix?: string;
	/** How long a task takes from create to `Success`. */
	readonly generationMs?: number;
	readonly video?: Buffer;
	/** The clip the v2 API (H3) serves; by default the same as v1's. */
	readonly v2Video?: Buffer;
}

export interface MinimaxStandIn {
	readonly origin: string;
	/** What MINIMAX_BASE_URL should be set to. */
	readonly baseUrl: string;
	readonly apiKey: string;
	/** The clip every task makes; a test may swap it (a WebM is served as video/webm). */
	video: Buffer;
	readonly creates: CreateCall[];
	readonly counts: { query: number; retrieve: number; download: number };
	/** The v2 API (MiniMax-H3, H3-Max) under the same base URL. */
	readonly v2: MinimaxV2StandIn;
	/** Every task made, in creation order. */
	tasks(): TaskLife[];
	generationMs: number;
	/** The next create call answers with this `base_resp` code instead of creating a task. */
	failNextCreate(code: number, message?: string): void;
	/** The next task created ends in `Fail` with this code once generated. */
	failNextTask(code: number, spelling?: 'Fail' | 'Failed'): void;
	/** The next query answers HTTP `status` (e.g. 502), once. */
	failNextQuery(status: number): void;
	/** The next query answers with a body that breaks the protocol, once. */
	malformNextQuery(): void;
	/** Scripted answers for v1 and v2 alike (create, query, file retrieve, download), and when each call came. */
	readonly faults: Faults;
	close(): Promise<void>;
}

/** A tiny but real MP4 header (ftyp box) followed by random bytes: exact bytes are what matter. */
export function fakeClip(size = 64 * 1024): Buffer {
	const ftyp = Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex');
	return Buffer.concat([ftyp, randomBytes(size)]);
}

const ok = { status_code: 0, status_msg: 'success' };

/** Which call of the protocol (v1 or v2) a request is, for scripted faults. */
function callKind(method: string | undefined, pathname: string, prefix: string): CallKind | undefined {
	if (method === 'GET' && /^\/(download|v2-files)\//.test(pathname)) return 'download';
	if (!pathname.startsWith(`${prefix}/`)) return undefined;
	const path = pathname.slice(prefix.length);
	if (method === 'POST' && /^\/v[12]\/video_generation$/.test(path)) return 'create';
	if (method !== 'GET') return undefined;
	if (/^\/v1\/query\/video_generation$|^\/v2\/query\/video_generation\//.test(path)) return 'poll';
	if (path === '/v1/files/retrieve') return 'result';
	return undefined;
}

export async function startMinimaxStandIn(options: MinimaxStandInOptions = {}): Promise<MinimaxStandIn> {
	const apiKey = options.apiKey ?? 'test-minimax-key';
	const prefix = options.pathPrefix ?? '';
	let video = options.video ?? fakeClip();
	const tasks = new Map<string, Task>();
	const creates: CreateCall[] = [];
	const counts = { query: 0, retrieve: 0, download: 0 };
	let nextCreateFailure: { code: number; message: string } | undefined;
	let nextTaskFailure: { code: number; spelling: 'Fail' | 'Failed' } | undefined;
	let nextQueryStatus: number | undefined;
	let malformNextQuery = false;
	let taskCounter = 106_916_112_212_000;
	const faults = new Faults();
	let signed = 0;

	const state: { generationMs: number } = { generationMs: options.generationMs ?? 1_500 };
	const v2 = createMinimaxV2StandIn({ apiKey, video: options.v2Video ?? video, generationMs: state.generationMs });

	const send = sendJson;
	const reject = (res: ServerResponse, code: number, message: string) =>
		send(res, 200, { task_id: '', base_resp: { status_code: code, status_msg: message } });

	const validImage = (value: unknown): boolean =>
		typeof value === 'string' &&
		(/^https?:\/\//.test(value) || /^data:image\/(png|jpeg|webp);base64,[A-Za-z0-9+/=]+$/.test(value));

	const statusOf = (task: Task) => {
		const age = Date.now() - task.createdAt;
		if (age < state.generationMs / 3) return 'Queueing';
		if (age < state.generationMs) return 'Processing';
		return task.failWith === undefined ? 'Success' : (task.failSpelling ?? 'Fail');
	};

	async function create(req: IncomingMessage, res: ServerResponse) {
		const body = await readJson(req);
		if (typeof body !== 'object' || body === null || Array.isArray(body))
			return reject(res, 2013, 'invalid params, body');
		const fields = body as Record<string, unknown>;
		creates.push({ body: fields, at: Date.now() });
		if (nextCreateFailure !== undefined) {
			const failure = nextCreateFailure;
			nextCreateFailure = undefined;
			return reject(res, failure.code, failure.message);
		}
		const model = fields['model'];
		if (typeof model !== 'string' || !MODELS.has(model)) return reject(res, 2013, 'invalid params, model');
		const prompt = fields['prompt'];
		const hasFrame = fields['first_frame_image'] !== undefined;
		if (prompt !== undefined && (typeof prompt !== 'string' || prompt.length > 2000)) {
			return reject(res, 2013, 'invalid params, prompt');
		}
		if (prompt === undefined && !hasFrame) return reject(res, 2013, 'invalid params, prompt is required');
		if (NEEDS_FIRST_FRAME.has(model) && !hasFrame)
			return reject(res, 2013, 'invalid params, first_frame_image is required');
		if (hasFrame && !validImage(fields['first_frame_image'])) return reject(res, 2013, 'invalid image url');
		if (model === 'S2V-01') {
			const reference = fields['subject_reference'];
			const valid =
				Array.isArray(reference) &&
				reference.length === 1 &&
				(reference[0] as { type?: unknown }).type === 'character' &&
				Array.isArray((reference[0] as { image?: unknown }).image) &&
				(reference[0] as { image: unknown[] }).image.every(validImage);
			if (!valid) return reject(res, 2013, 'invalid params, subject_reference');
		}
		if (fields['prompt_optimizer'] !== undefined && typeof fields['prompt_optimizer'] !== 'boolean') {
			return reject(res, 2013, 'invalid params, prompt_optimizer');
		}
		const id = String(taskCounter++);
		const task: Task = { id, createdAt: Date.now(), fileId: String(205_000_000_000 + taskCounter), prompt };
		if (nextTaskFailure !== undefined) {
			task.failWith = nextTaskFailure.code;
			task.failSpelling = nextTaskFailure.spelling;
			nextTaskFailure = undefined;
		}
		tasks.set(id, task);
		send(res, 200, { task_id: id, base_resp: ok });
	}

	function query(url: URL, res: ServerResponse) {
		counts.query++;
		if (nextQueryStatus !== undefined) {
			const status = nextQueryStatus;
			nextQueryStatus = undefined;
			return send(res, status, { error: 'bad gateway' });
		}
		if (malformNextQuery) {
			malformNextQuery = false;
			return send(res, 200, { task_id: 42, status: 'Exploded' });
		}
		const task = tasks.get(url.searchParams.get('task_id') ?? '');
		if (task === undefined)
			return send(res, 200, {
				task_id: '',
				status: '',
				base_resp: { status_code: 2013, status_msg: 'task not found' },
			});
		const status = statusOf(task);
		if (status === 'Success' || status === 'Fail') task.endedAt ??= Date.now();
		if (status === 'Success') {
			return send(res, 200, {
				task_id: task.id,
				status,
				file_id: task.fileId,
				video_width: 1280,
				video_height: 720,
				base_resp: ok,
			});
		}
		if (status === 'Fail' || status === 'Failed') {
			const code = task.failWith ?? 0;
			return send(res, 200, {
				task_id: task.id,
				status,
				base_resp: {
					status_code: code,
					status_msg: code === 1026 ? 'input new_sensitive' : code === 1027 ? 'output new_sensitive' : 'failed',
				},
			});
		}
		send(res, 200, { task_id: task.id, status, base_resp: ok });
	}

	function retrieve(url: URL, res: ServerResponse, origin: string) {
		counts.retrieve++;
		const fileId = url.searchParams.get('file_id') ?? '';
		const task = [...tasks.values()].find((candidate) => candidate.fileId === fileId);
		if (task === undefined) return send(res, 200, { base_resp: { status_code: 2013, status_msg: 'file not found' } });
		send(res, 200, {
			file: {
				file_id: Number(fileId),
				bytes: video.length,
				created_at: Math.floor(task.createdAt / 1000),
				filename: 'output_aigc.mp4',
				purpose: 'video_generation',
				// Each retrieve signs the link anew, as MiniMax's time-limited links are.
				download_url: `${origin}/download/${fileId}/output_aigc.mp4?Expires=9999999999&Signature=${++signed}`,
			},
			base_resp: ok,
		});
	}

	const server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		void (async () => {
			const kind = callKind(req.method, url.pathname, prefix);
			if (kind !== undefined && faults.serve(kind, res)) return;
			if (req.method === 'GET' && url.pathname.startsWith('/download/')) {
				counts.download++;
				const webm = video.length >= 4 && video.readUInt32BE(0) === 0x1a45dfa3;
				sendVideo(res, video, webm ? { 'content-type': 'video/webm' } : {});
				return;
			}
			if (req.method === 'GET' && v2.handleDownload(url, res)) return;
			if (url.pathname.startsWith(`${prefix}/v2/`)) {
				await v2.handleApi(req, res, url.pathname.slice(prefix.length), origin);
				return;
			}
			if (!url.pathname.startsWith(`${prefix}/v1/`)) return send(res, 404, { error: 'not found' });
			if (req.headers.authorization !== `Bearer ${apiKey}`) {
				return send(res, 200, {
					base_resp: {
						status_code: 1004,
						status_msg: 'login fail: Please carry the API secret key in the Authorization field',
					},
				});
			}
			const path = url.pathname.slice(prefix.length);
			if (req.method === 'POST' && path === '/v1/video_generation') return create(req, res);
			if (req.method === 'GET' && path === '/v1/query/video_generation') return query(url, res);
			if (req.method === 'GET' && path === '/v1/files/retrieve') return retrieve(url, res, origin);
			send(res, 404, { error: 'not found' });
		})().catch(() => send(res, 500, { error: 'stand-in failure' }));
	});
	const origin = await listen(server);

	return {
		origin,
		baseUrl: `${origin}${prefix}`,
		apiKey,
		get video() {
			return video;
		},
		set video(clip: Buffer) {
			video = clip;
		},
		creates,
		counts,
		v2,
		tasks: () =>
			[...tasks.values()].map((task) => ({
				id: task.id,
				prompt: task.prompt,
				createdAt: task.createdAt,
				endedAt: task.endedAt,
			})),
		get generationMs() {
			return state.generationMs;
		},
		set generationMs(ms: number) {
			state.generationMs = ms;
			v2.generationMs = ms;
		},
		failNextCreate(code, message = 'error') {
			nextCreateFailure = { code, message };
		},
		failNextTask(code, spelling = 'Fail') {
			nextTaskFailure = { code, spelling };
		},
		failNextQuery(status) {
			nextQueryStatus = status;
		},
		malformNextQuery() {
			malformNextQuery = true;
		},
		faults,
		close: () => closeServer(server),
	};
}
