import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJson, sendJson, sendVideo } from './loopback.js';

/**
 * MiniMax's v2 video API (MiniMax-H3 and H3-Max), as its reference documents it
 * (platform.minimax.io/docs/api-reference/video-generation-v2-*, with the model list for what
 * each model takes, and MiniMax's CLI `src/video/v2.ts` for the checks the pages leave implicit):
 *
 * - `POST /v2/video_generation` `{model, content[], duration, resolution, ratio?}` → `{task_id}`.
 *   One non-empty text item (≤ 7000 characters); images as `image_url` with a role: `first_frame`,
 *   `last_frame` (one each) or `reference_image` (up to 9); frames and references never mixed;
 *   H3-Max takes no references; `duration` a whole number in the model's range (H3 4–15, H3-Max
 *   5–15); `resolution` one of the model's (H3 768P/2K, H3-Max 480P/768P); `ratio` one of adaptive,
 *   21:9, 16:9, 4:3, 1:1, 3:4, 9:16, and a concrete one for text-to-video.
 * - `GET /v2/query/video_generation/{task_id}` → `{task}`: `status` queued → running → succeeded
 *   (or failed / cancelled / expired), the clip at `task.content.url`, a time-limited link: every
 *   query of a finished task hands out a fresh one, `usage` with the seconds billed.
 * - Errors: an HTTP status and `{type: "error", error: {type, message "… (code)", http_code}, request_id}`.
 *
 * Mounted by the MiniMax stand-in (`minimax.ts`) beside v1, under the same base URL, as the real
 * API is.
 */

const MODELS: Readonly<
	Record<string, { min: number; max: number; resolutions: readonly string[]; references: boolean }>
> = {
	'MiniMax-H3': { min: 4, max: 15, resolutions: ['768P', '2K'], references: true },
	'MiniMax-H3-Max': { min: 5, max: 15, resolutions: ['480P', '768P'], references: false },
};
const RATIOS = new Set(['adaptive', '21:9', '16:9', '4:3', '1:1', '3:4', '9:16']);
const ROLES = new Set(['first_frame', 'last_frame', 'reference_image']);

export type EndStatus = 'failed' | 'cancelled' | 'expired';

export interface V2CreateCall {
	readonly body: Record<string, unknown>;
	readonly at: number;
}

interface Task {
	readonly id: string;
	readonly model: string;
	readonly createdAt: number;
	readonly duration: number;
	readonly resolution: string;
	readonly ratio: string;
	end?: { readonly status: EndStatus; readonly error?: { readonly code: string; readonly message: string } };
}

interface Link {
	readonly taskId: string;
	readonly issuedAt: number;
}

export interface MinimaxV2StandIn {
	readonly video: Buffer;
	readonly creates: V2CreateCall[];
	readonly counts: { query: number; download: number };
	/** The signature of every clip link handed out, in order, and of every one a download asked for. */
	readonly links: { issued: string[]; downloaded: string[] };
	generationMs: number;
	/** How long a handed-out link works; later downloads answer 403, as an expired signed link does. */
	linkTtlMs: number;
	/** The next create call answers this HTTP status with this MiniMax code, creating nothing. */
	failNextCreate(status: number, code: number, message: string): void;
	/** The next task created ends in this status once generated (with this error for `failed`). */
	endNextTask(status: EndStatus, error?: { code: string; message: string }): void;
	/** The next `count` clip downloads are refused with `status`, whatever the link. */
	refuseNextDownloads(count: number, status?: number): void;
	/** The next query answers HTTP `status`, once. */
	failNextQuery(status: number): void;
	/** Handles a request under the API base (`path` without the mount prefix); false when not a v2 path. */
	handleApi(req: IncomingMessage, res: ServerResponse, path: string, origin: string): Promise<boolean>;
	/** Handles a clip download at the origin's `/v2-files/…`; false for any other path. */
	handleDownload(url: URL, res: ServerResponse): boolean;
}

const TYPES: Readonly<Record<number, string>> = {
	400: 'bad_request_error',
	401: 'authorized_error',
	402: 'insufficient_balance_error',
	422: 'unprocessable_entity_error',
	429: 'rate_limit_error',
	500: 'server_error',
};

function sendError(res: ServerResponse, status: number, message: string, code: number): void {
	sendJson(res, status, {
		type: 'error',
		error: { type: TYPES[status] ?? 'server_error', message: `${message} (${code})`, http_code: String(status) },
		request_id: randomBytes(16).toString('hex'),
	});
}

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const validMedia = (value: unknown): boolean =>
	typeof value === 'string' &&
	(/^https?:\/\//.test(value) ||
		value.startsWith('mm_file://') ||
		/^data:image\/(png|jpeg|webp);base64,[A-Za-z0-9+/=]+$/.test(value));

/** Why a create body breaks the documented rules, or undefined when it keeps them. */
function invalid(body: Record<string, unknown>): string | undefined {
	const model = typeof body['model'] === 'string' ? MODELS[body['model']] : undefined;
	if (model === undefined) return 'invalid params, model';
	const content = body['content'];
	if (!Array.isArray(content) || !content.every(isObject)) return 'invalid params, content must be an array';
	const texts = content.filter((item) => item['type'] === 'text');
	if (texts.length !== 1 || typeof texts[0]?.['text'] !== 'string' || texts[0]['text'].trim() === '') {
		return 'invalid params, content must include a non-empty text item (prompt is required)';
	}
	if (texts[0]['text'].length > 7000) return 'invalid params, text exceeds 7000 characters';
	const images = content.filter((item) => item['type'] === 'image_url');
	if (content.some((item) => !['text', 'image_url', 'video_url', 'audio_url'].includes(String(item['type'])))) {
		return 'invalid params, content type';
	}
	for (const image of images) {
		if (!ROLES.has(String(image['role']))) return 'invalid params, image role';
		if (!isObject(image['image_url']) || !validMedia(image['image_url']['url'])) return 'invalid image url';
	}
	const count = (role: string) => images.filter((image) => image['role'] === role).length;
	if (count('first_frame') > 1 || count('last_frame') > 1)
		return 'invalid params, at most one first and one last frame';
	const frames = count('first_frame') + count('last_frame');
	const references = count('reference_image');
	if (references > 9) return 'invalid params, at most 9 reference images';
	if (frames > 0 && references > 0) return 'invalid params, frame inputs and reference inputs cannot be used together';
	if (references > 0 && !model.references) return 'invalid params, this model takes no references';
	const duration = body['duration'];
	if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < model.min || duration > model.max) {
		return `invalid params, duration must be an integer from ${model.min} to ${model.max}`;
	}
	if (typeof body['resolution'] !== 'string' || !model.resolutions.includes(body['resolution'])) {
		return `invalid params, resolution must be one of ${model.resolutions.join(', ')}`;
	}
	const ratio = body['ratio'];
	if (ratio !== undefined && (typeof ratio !== 'string' || !RATIOS.has(ratio))) return 'invalid params, ratio';
	if (frames === 0 && references === 0 && (ratio === undefined || ratio === 'adaptive')) {
		return 'invalid params, text-to-video requires a concrete ratio';
	}
	return undefined;
}

export function createMinimaxV2StandIn(options: {
	apiKey: string;
	video: Buffer;
	generationMs: number;
}): MinimaxV2StandIn {
	const { apiKey, video } = options;
	const tasks = new Map<string, Task>();
	const links = new Map<string, Link>();
	const creates: V2CreateCall[] = [];
	const counts = { query: 0, download: 0 };
	const issued: string[] = [];
	const downloaded: string[] = [];
	let nextCreateFailure: { status: number; code: number; message: string } | undefined;
	let nextEnd: Task['end'];
	let refusals: { count: number; status: number } = { count: 0, status: 403 };
	let nextQueryStatus: number | undefined;
	let counter = 424_010_985_738_000;

	const standIn: MinimaxV2StandIn = {
		video,
		creates,
		counts,
		links: { issued, downloaded },
		generationMs: options.generationMs,
		linkTtlMs: Number.POSITIVE_INFINITY,
		failNextCreate(status, code, message) {
			nextCreateFailure = { status, code, message };
		},
		endNextTask(status, error) {
			nextEnd = { status, ...(error === undefined ? {} : { error }) };
		},
		refuseNextDownloads(count, status = 403) {
			refusals = { count, status };
		},
		failNextQuery(status) {
			nextQueryStatus = status;
		},
		async handleApi(req, res, path, origin) {
			if (!path.startsWith('/v2/')) return false;
			if (req.headers.authorization !== `Bearer ${apiKey}`) {
				sendError(
					res,
					401,
					"login fail: Please carry the API secret key in the 'Authorization' field of the request header",
					1004,
				);
				return true;
			}
			if (req.method === 'POST' && path === '/v2/video_generation') {
				await create(req, res);
				return true;
			}
			const query = /^\/v2\/query\/video_generation\/([^/]+)$/.exec(path);
			if (req.method === 'GET' && query !== null) {
				queryTask(decodeURIComponent(query[1] ?? ''), res, origin);
				return true;
			}
			sendJson(res, 404, { error: 'not found' });
			return true;
		},
		handleDownload(url, res) {
			const match = /^\/v2-files\/([0-9a-f]+)\/output\.mp4$/.exec(url.pathname);
			if (match === null) return false;
			counts.download++;
			const token = match[1] ?? '';
			downloaded.push(token);
			const link = links.get(token);
			if (refusals.count > 0) {
				refusals = { ...refusals, count: refusals.count - 1 };
				res
					.writeHead(refusals.status, { 'content-type': 'application/xml' })
					.end('<Error><Code>AccessDenied</Code></Error>');
				return true;
			}
			if (link === undefined || Date.now() - link.issuedAt > standIn.linkTtlMs) {
				res
					.writeHead(403, { 'content-type': 'application/xml' })
					.end('<Error><Code>Request has expired</Code></Error>');
				return true;
			}
			sendVideo(res, video);
			return true;
		},
	};

	async function create(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const body = await readJson(req);
		if (!isObject(body)) return sendError(res, 400, 'invalid params, body', 2013);
		creates.push({ body, at: Date.now() });
		if (nextCreateFailure !== undefined) {
			const { status, code, message } = nextCreateFailure;
			nextCreateFailure = undefined;
			return sendError(res, status, message, code);
		}
		const why = invalid(body);
		if (why !== undefined) return sendError(res, 400, why, 2013);
		const id = String(counter++);
		tasks.set(id, {
			id,
			model: String(body['model']),
			createdAt: Date.now(),
			duration: Number(body['duration']),
			resolution: String(body['resolution']),
			ratio: typeof body['ratio'] === 'string' ? body['ratio'] : 'adaptive',
			...(nextEnd === undefined ? {} : { end: nextEnd }),
		});
		nextEnd = undefined;
		sendJson(res, 200, { task_id: id });
	}

	function statusOf(task: Task): string {
		const age = Date.now() - task.createdAt;
		if (age < standIn.generationMs / 3) return 'queued';
		if (age < standIn.generationMs) return 'running';
		return task.end?.status ?? 'succeeded';
	}

	function queryTask(id: string, res: ServerResponse, origin: string): void {
		counts.query++;
		if (nextQueryStatus !== undefined) {
			const status = nextQueryStatus;
			nextQueryStatus = undefined;
			return sendError(res, status, 'internal error', 1000);
		}
		const task = tasks.get(id);
		if (task === undefined) return sendError(res, 400, 'invalid task_id', 2013);
		const status = statusOf(task);
		const seconds = Math.floor(Date.now() / 1000);
		const base = {
			id: task.id,
			model: task.model,
			status,
			task_type: 'video_generation',
			created_at: Math.floor(task.createdAt / 1000),
			updated_at: seconds,
			resolution: task.resolution,
			duration: task.duration,
			ratio: task.ratio,
		};
		if (status === 'succeeded') {
			// A fresh signed link on every query, as the real links are time-limited.
			const token = randomBytes(12).toString('hex');
			links.set(token, { taskId: task.id, issuedAt: Date.now() });
			const url = `${origin}/v2-files/${token}/output.mp4?Expires=${seconds + 3600}&Signature=${token}`;
			issued.push(token);
			return sendJson(res, 200, {
				task: {
					...base,
					content: { url, duration: task.duration },
					usage: { total_seconds: task.duration, input_seconds: 0, output_seconds: task.duration },
				},
			});
		}
		if (status === 'failed') {
			return sendJson(res, 200, { task: { ...base, error: task.end?.error ?? { code: '1000', message: 'failed' } } });
		}
		sendJson(res, 200, { task: base });
	}

	return standIn;
}
