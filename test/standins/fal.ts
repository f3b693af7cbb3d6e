import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeClip } from './minimax.js';
import { closeServer, Faults, listen, readJson, sendJson, sendVideo } from './loopback.js';

/**
 * A loopback stand-in for fal.ai's queue API (docs/providers.md, section 6): submit to
 * `POST /{endpoint id}` → status at `GET /{owner}/{app}/requests/{id}/status` (IN_QUEUE →
 * IN_PROGRESS → COMPLETED) → result at `GET /{owner}/{app}/requests/{id}` → the file. Like the real
 * queue, status/result/cancel paths carry no endpoint subpath (`/image-to-video`): those answer 404.
 * Errors come the way fal sends them: an HTTP status with `{ detail }`.
 */

/** Endpoint id → the image field it requires, if any. */
const ENDPOINTS: ReadonlyMap<string, string | undefined> = new Map([
	['fal-ai/minimax/video-01', undefined],
	['fal-ai/minimax/video-01-director', undefined],
	['fal-ai/minimax/video-01/image-to-video', 'image_url'],
	['fal-ai/minimax/video-01-director/image-to-video', 'image_url'],
	// The real field name is unverified (U); the provider and this stand-in agree on this one.
	['fal-ai/minimax/video-01-subject-reference', 'subject_reference_image_url'],
]);

export interface FalCreateCall {
	/** The endpoint id the submit was posted to, subpath included. */
	readonly model: string;
	readonly body: Record<string, unknown>;
	readonly at: number;
}

export type FalTaskFailure = 'safety-input' | 'safety-output' | 'generic';

interface Task {
	readonly id: string;
	/** `owner/app`: the only prefix the status/result/cancel paths accept. */
	readonly app: string;
	readonly createdAt: number;
	failWith?: FalTaskFailure;
	canceled?: boolean;
}

interface ScriptedAnswer {
	readonly status: number;
	readonly body: unknown;
	readonly headers: Record<string, string>;
}

export interface FalStandInOptions {
	readonly apiKey?: string;
	/** How long a request takes from submit to COMPLETED; the first third is spent IN_QUEUE. */
	readonly generationMs?: number;
	readonly video?: Buffer;
}

export interface FalStandIn {
	readonly origin: string;
	/** What FAL_BASE_URL should be set to. */
	readonly baseUrl: string;
	readonly apiKey: string;
	readonly video: Buffer;
	readonly creates: FalCreateCall[];
	/** Request ids whose cancel was accepted (CANCELLATION_REQUESTED). */
	readonly cancels: string[];
	readonly counts: { status: number; result: number; cancel: number; download: number; notFound: number };
	generationMs: number;
	/** The next submit answers HTTP `status` with this body (default `{ detail }`) and headers, once. */
	failNextCreate(status: number, body?: unknown, headers?: Record<string, string>): void;
	/** The next request submitted ends in this failure once generated (the result URL answers with `detail`). */
	failNextTask(kind: FalTaskFailure): void;
	/** The next status call answers HTTP `status`, once. */
	failNextPoll(status: number, headers?: Record<string, string>): void;
	/** The next result call answers HTTP `status` with this body (default `{ detail }`), once. */
	failNextResult(status: number, body?: unknown): void;
	/** The next status call answers with a body that breaks the protocol, once. */
	malformNextPoll(): void;
	/** The next submit queues the request but answers with URLs on `origin` (a tampered answer). */
	redirectNextSubmit(origin: string): void;
	/** Scripted answers (submit, status, result, download), and when each call came. */
	readonly faults: Faults;
	close(): Promise<void>;
}

const field = (loc: string[], msg: string, type: string) => ({ loc, msg, type });

/** PNG, JPEG or WebP, by the decoded bytes' magic numbers. */
function isImage(bytes: Buffer): boolean {
	if (bytes.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) return true;
	if (bytes.subarray(0, 3).equals(Buffer.from('ffd8ff', 'hex'))) return true;
	return bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP';
}

function validImage(value: unknown): boolean {
	if (typeof value !== 'string') return false;
	if (/^https?:\/\//.test(value)) return true;
	const match = /^data:image\/(png|jpeg|webp);base64,([A-Za-z0-9+/=]+)$/.exec(value);
	return match?.[2] !== undefined && isImage(Buffer.from(match[2], 'base64'));
}

export async function startFalStandIn(options: FalStandInOptions = {}): Promise<FalStandIn> {
	const apiKey = options.apiKey ?? 'test-fal-key-id:test-fal-key-secret';
	const video = options.video ?? fakeClip();
	const tasks = new Map<string, Task>();
	const creates: FalCreateCall[] = [];
	const cancels: string[] = [];
	const counts = { status: 0, result: 0, cancel: 0, download: 0, notFound: 0 };
	const faults = new Faults();
	let nextCreate: ScriptedAnswer | undefined;
	let nextTaskFailure: FalTaskFailure | undefined;
	let nextPoll: ScriptedAnswer | undefined;
	let nextResult: ScriptedAnswer | undefined;
	let malformNextPoll = false;
	let redirectTo: string | undefined;
	const state = { generationMs: options.generationMs ?? 1_500 };

	const send = sendJson;
	const invalid = (res: ServerResponse, ...detail: ReturnType<typeof field>[]) => send(res, 422, { detail });
	const notFound = (res: ServerResponse) => {
		counts.notFound++;
		send(res, 404, { detail: 'Not Found' });
	};

	const phaseOf = (task: Task) => {
		if (task.canceled === true) return 'CANCELED';
		const age = Date.now() - task.createdAt;
		if (age < state.generationMs / 3) return 'IN_QUEUE';
		return age < state.generationMs ? 'IN_PROGRESS' : 'COMPLETED';
	};

	async function submit(model: string, req: IncomingMessage, res: ServerResponse, origin: string) {
		const body = await readJson(req);
		if (typeof body !== 'object' || body === null || Array.isArray(body)) {
			return invalid(res, field(['body'], 'Input should be a valid dictionary', 'dict_type'));
		}
		const fields = body as Record<string, unknown>;
		creates.push({ model, body: fields, at: Date.now() });
		if (nextCreate !== undefined) {
			const answer = nextCreate;
			nextCreate = undefined;
			return send(res, answer.status, answer.body, answer.headers);
		}
		const prompt = fields['prompt'];
		if (typeof prompt !== 'string') return invalid(res, field(['body', 'prompt'], 'Field required', 'missing'));
		if (prompt.length > 2000) {
			return invalid(res, field(['body', 'prompt'], 'String should have at most 2000 characters', 'string_too_long'));
		}
		if (fields['prompt_optimizer'] !== undefined && typeof fields['prompt_optimizer'] !== 'boolean') {
			return invalid(res, field(['body', 'prompt_optimizer'], 'Input should be a valid boolean', 'bool_type'));
		}
		const imageField = ENDPOINTS.get(model);
		if (imageField !== undefined) {
			const loc = ['body', imageField];
			if (fields[imageField] === undefined) return invalid(res, field(loc, 'Field required', 'missing'));
			if (!validImage(fields[imageField])) {
				const msg = 'Failed to load the image. Please ensure the image file is valid.';
				return invalid(res, field(loc, msg, 'image_load_error'));
			}
		}
		const id = randomUUID();
		const app = model.split('/').slice(0, 2).join('/');
		const task: Task = { id, app, createdAt: Date.now() };
		if (nextTaskFailure !== undefined) {
			task.failWith = nextTaskFailure;
			nextTaskFailure = undefined;
		}
		tasks.set(id, task);
		const root = `${redirectTo ?? origin}/${app}/requests/${id}`;
		redirectTo = undefined;
		send(res, 200, {
			status: 'IN_QUEUE',
			request_id: id,
			response_url: root,
			status_url: `${root}/status`,
			cancel_url: `${root}/cancel`,
			queue_position: 0,
		});
	}

	function status(task: Task, res: ServerResponse, origin: string) {
		counts.status++;
		if (nextPoll !== undefined) {
			const answer = nextPoll;
			nextPoll = undefined;
			return send(res, answer.status, answer.body, answer.headers);
		}
		if (malformNextPoll) {
			malformNextPoll = false;
			return send(res, 200, { status: 'EXPLODED', queue_position: 'first' });
		}
		const phase = phaseOf(task);
		const root = `${origin}/${task.app}/requests/${task.id}`;
		const urls = { response_url: root, status_url: `${root}/status`, cancel_url: `${root}/cancel` };
		const common = { status: phase, request_id: task.id, ...urls };
		// Like the real queue: 202 while waiting or running, 200 once done.
		if (phase === 'IN_QUEUE') return send(res, 202, { ...common, queue_position: 0 });
		if (phase === 'IN_PROGRESS') {
			const log = { message: 'Generating video', level: 'INFO', timestamp: new Date().toISOString() };
			return send(res, 202, { ...common, logs: [log] });
		}
		if (phase === 'CANCELED') return send(res, 200, common);
		send(res, 200, { ...common, logs: null, metrics: { inference_time: state.generationMs / 1000 } });
	}

	function result(task: Task, res: ServerResponse, origin: string) {
		counts.result++;
		if (nextResult !== undefined) {
			const answer = nextResult;
			nextResult = undefined;
			return send(res, answer.status, answer.body, answer.headers);
		}
		const phase = phaseOf(task);
		if (phase !== 'COMPLETED') {
			return send(res, 400, { detail: `Request is ${phase === 'CANCELED' ? 'canceled' : 'still in progress'}` });
		}
		const flagged = 'The content could not be processed because it contained material flagged by a content checker.';
		switch (task.failWith) {
			case 'safety-input':
				return invalid(res, field(['body', 'prompt'], flagged, 'content_policy_violation'));
			case 'safety-output':
				return invalid(res, field(['body'], flagged, 'content_policy_violation'));
			case 'generic':
				return send(res, 500, { detail: 'Internal error while generating the video' });
			case undefined:
				return send(res, 200, {
					video: {
						url: `${origin}/files/${task.id}/output.mp4`,
						content_type: 'video/mp4',
						file_name: 'output.mp4',
						file_size: video.length,
					},
				});
		}
	}

	function cancel(task: Task, res: ServerResponse) {
		counts.cancel++;
		// Only a request still waiting in the queue can be dropped.
		if (phaseOf(task) !== 'IN_QUEUE') return send(res, 400, { status: 'ALREADY_COMPLETED' });
		task.canceled = true;
		cancels.push(task.id);
		send(res, 202, { status: 'CANCELLATION_REQUESTED' });
	}

	const server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		void (async () => {
			const kind = url.pathname.startsWith('/files/')
				? 'download'
				: req.method === 'POST'
					? 'create'
					: req.method !== 'GET'
						? undefined
						: url.pathname.endsWith('/status')
							? 'poll'
							: 'result';
			if (kind !== undefined && faults.serve(kind, res)) return;
			// Files live on fal's CDN: public links, no key.
			if (req.method === 'GET' && url.pathname.startsWith('/files/')) {
				counts.download++;
				sendVideo(res, video);
				return;
			}
			const auth = req.headers.authorization;
			if (auth === undefined) {
				return send(res, 401, { detail: 'Authentication is required to access this application.' });
			}
			if (auth !== `Key ${apiKey}`) return send(res, 401, { detail: 'No user found for Key ID and Secret' });

			const path = url.pathname.slice(1);
			if (req.method === 'POST' && ENDPOINTS.has(path)) return submit(path, req, res, origin);
			// `owner/app/requests/id[/status|/cancel]`, with nothing between the app and `requests`.
			const match = /^([^/]+\/[^/]+)\/requests\/([^/]+)(\/status|\/cancel)?$/.exec(path);
			const task = match?.[2] === undefined ? undefined : tasks.get(match[2]);
			if (match === null || task === undefined || task.app !== match[1]) return notFound(res);
			if (req.method === 'GET' && match[3] === '/status') return status(task, res, origin);
			if (req.method === 'GET' && match[3] === undefined) return result(task, res, origin);
			if (req.method === 'PUT' && match[3] === '/cancel') return cancel(task, res);
			send(res, 405, { detail: 'Method Not Allowed' });
		})().catch(() => send(res, 500, { detail: 'stand-in failure' }));
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
		failNextCreate(status, body = { detail: `HTTP ${status}` }, headers = {}) {
			nextCreate = { status, body, headers };
		},
		failNextTask(kind) {
			nextTaskFailure = kind;
		},
		failNextPoll(status, headers = {}) {
			nextPoll = { status, body: { detail: `HTTP ${status}` }, headers };
		},
		failNextResult(status, body = { detail: `HTTP ${status}` }) {
			nextResult = { status, body, headers: {} };
		},
		malformNextPoll() {
			malformNextPoll = true;
		},
		redirectNextSubmit(to) {
			redirectTo = to;
		},
		close: () => closeServer(server),
	};
}
