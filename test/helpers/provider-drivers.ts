import { AtlasCloudProvider } from '../../src/providers/atlascloud.js';
import { FalProvider } from '../../src/providers/fal.js';
import { MinimaxProvider } from '../../src/providers/minimax.js';
import { ReplicateProvider } from '../../src/providers/replicate.js';
import { RunwareProvider } from '../../src/providers/runware.js';
import { SegmindProvider } from '../../src/providers/segmind.js';
import type { ProviderName, VideoProvider } from '../../src/providers/types.js';
import { startAtlasCloudStandIn } from '../standins/atlascloud.js';
import { startFalStandIn } from '../standins/fal.js';
import type { Faults, ScriptedAnswer } from '../standins/loopback.js';
import { startMinimaxStandIn } from '../standins/minimax.js';
import { startReplicateStandIn } from '../standins/replicate.js';
import { startRunwareStandIn } from '../standins/runware.js';
import { startSegmindStandIn } from '../standins/segmind.js';
import { pick, randomText, type Random } from './random.js';

/**
 * Every paid provider behind one small interface, for the tests that try the same faults on each:
 * a fresh stand-in of its own (so tests may run side by side), the client built against it, and
 * the provider's own words for a refusal and for a status word nobody documented.
 */
export interface ProviderDriver {
	/** `minimax` (v1), `minimax-v2` (H3), or the provider's name. */
	readonly label: string;
	readonly provider: ProviderName;
	readonly model: string;
	readonly faults: Faults;
	/** The exact bytes of every clip it makes. */
	readonly video: Buffer;
	/**
	 * Whether asking the task again hands out a newly signed link (MiniMax's file retrieve and v2
	 * query), rather than the same link read again (the others: enough for a link refused in passing).
	 */
	readonly signsFreshLinks: boolean;
	build(): VideoProvider;
	/** The provider's own error body for this status (a rate limit, a gateway down). */
	errorBody(status: 429 | 503): unknown;
	/** A status answer of the right shape whose status word the protocol does not have. */
	unknownStatus(taskId: string): unknown;
	/** Makes the task's clip gone for good at the provider, where that can happen (Replicate's 1 h). */
	readonly expireOutputs?: () => void;
	close(): Promise<void>;
}

export const DRIVER_LABELS = ['minimax', 'minimax-v2', 'segmind', 'runware', 'atlascloud', 'replicate', 'fal'] as const;
export type DriverLabel = (typeof DRIVER_LABELS)[number];

/** Starts the stand-in of one provider, its tasks taking `generationMs`. */
export async function startDriver(label: DriverLabel, generationMs = 150): Promise<ProviderDriver> {
	switch (label) {
		case 'minimax':
		case 'minimax-v2': {
			const standIn = await startMinimaxStandIn({ generationMs });
			const v2 = label === 'minimax-v2';
			return {
				label,
				provider: 'minimax',
				model: v2 ? 'MiniMax-H3' : 'T2V-01',
				faults: standIn.faults,
				video: v2 ? standIn.v2.video : standIn.video,
				signsFreshLinks: true,
				build: () => new MinimaxProvider({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl }),
				errorBody: (status) =>
					v2
						? {
								type: 'error',
								error: {
									type: status === 429 ? 'rate_limit_error' : 'api_error',
									message: status === 429 ? 'rate limit exceeded (1002)' : 'system error (1033)',
									http_code: String(status),
								},
							}
						: {
								base_resp:
									status === 429
										? { status_code: 1002, status_msg: 'rate limit' }
										: { status_code: 1033, status_msg: 'system error' },
							},
				unknownStatus: (taskId) =>
					v2
						? { task: { status: 'exploded', model: 'MiniMax-H3' } }
						: { task_id: taskId, status: 'Exploded', base_resp: { status_code: 0, status_msg: 'success' } },
				close: () => standIn.close(),
			};
		}
		case 'segmind': {
			const standIn = await startSegmindStandIn({ generationMs });
			return {
				label,
				provider: 'segmind',
				model: 'minimax-ai',
				faults: standIn.faults,
				video: standIn.video,
				signsFreshLinks: false,
				build: () => new SegmindProvider({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl }),
				errorBody: (status) => ({ error: status === 429 ? 'Rate limit exceeded' : 'Service unavailable' }),
				unknownStatus: (taskId) => ({ status: 'EXPLODED', request_id: taskId }),
				close: () => standIn.close(),
			};
		}
		case 'runware': {
			const standIn = await startRunwareStandIn({ generationMs });
			return {
				label,
				provider: 'runware',
				model: 'minimax:1@1',
				faults: standIn.faults,
				video: standIn.video,
				signsFreshLinks: false,
				build: () => new RunwareProvider({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl }),
				errorBody: (status) => ({
					errors: [
						status === 429
							? { code: 'rateLimitExceeded', message: 'Too many requests.' }
							: { code: 'internalError', message: 'Service unavailable.' },
					],
				}),
				unknownStatus: (taskId) => ({ data: [{ taskType: 'videoInference', taskUUID: taskId, status: 'exploded' }] }),
				close: () => standIn.close(),
			};
		}
		case 'atlascloud': {
			const standIn = await startAtlasCloudStandIn({ generationMs });
			return {
				label,
				provider: 'atlascloud',
				model: 'minimax/video-01',
				faults: standIn.faults,
				video: standIn.video,
				signsFreshLinks: false,
				build: () => new AtlasCloudProvider({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl }),
				errorBody: (status) => ({
					code: status,
					msg: status === 429 ? 'too many requests' : 'service unavailable',
					data: null,
				}),
				unknownStatus: (taskId) => ({ code: 200, message: '', data: { id: taskId, status: 'exploded' } }),
				close: () => standIn.close(),
			};
		}
		case 'replicate': {
			const standIn = await startReplicateStandIn({ generationMs });
			return {
				label,
				provider: 'replicate',
				model: 'minimax/video-01',
				faults: standIn.faults,
				video: standIn.video,
				signsFreshLinks: false,
				build: () => new ReplicateProvider({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl }),
				errorBody: (status) =>
					status === 429
						? {
								title: 'Request was throttled',
								detail: 'Request was throttled. Your rate limit resets in ~30s.',
								status,
							}
						: { title: 'Service unavailable', detail: 'Service unavailable.', status },
				unknownStatus: (taskId) => ({ id: taskId, status: 'exploded', output: null }),
				expireOutputs: () => standIn.expireOutputs(),
				close: () => standIn.close(),
			};
		}
		case 'fal': {
			const standIn = await startFalStandIn({ generationMs });
			return {
				label,
				provider: 'fal',
				model: 'fal-ai/minimax/video-01',
				faults: standIn.faults,
				video: standIn.video,
				signsFreshLinks: false,
				build: () => new FalProvider({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl }),
				errorBody: (status) => ({ detail: status === 429 ? 'Rate limit exceeded' : 'Service unavailable' }),
				unknownStatus: (taskId) => ({ status: 'EXPLODED', request_id: taskId }),
				close: () => standIn.close(),
			};
		}
	}
}

/** An HTTP date `seconds` from now, as a Retry-After header carries it (whole seconds, so rounded up). */
export function retryAt(seconds: number): { header: string; notBefore: number } {
	const at = Math.ceil((Date.now() + seconds * 1000) / 1000) * 1000;
	return { header: new Date(at).toUTCString(), notBefore: at };
}

/** A refusal with its wait: the provider's own body and a Retry-After in seconds or as a date. */
export function refusal(
	driver: ProviderDriver,
	status: 429 | 503,
	wait: { seconds: number } | { date: string },
): ScriptedAnswer {
	const header = 'seconds' in wait ? String(wait.seconds) : wait.date;
	return { status, headers: { 'retry-after': header }, body: driver.errorBody(status) };
}

/**
 * Status answers that break the protocol, the kinds a gateway or a half-deployed API really sends:
 * each with HTTP 200, so the status alone says nothing is wrong.
 */
export function malformedAnswers(driver: ProviderDriver, taskId: string): ReadonlyArray<[string, ScriptedAnswer]> {
	const unknown = JSON.stringify(driver.unknownStatus(taskId));
	const html = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>';
	return [
		['an HTML error page', { status: 200, headers: { 'content-type': 'text/html' }, body: html }],
		['an empty body', { status: 200, body: '' }],
		['JSON null', { status: 200, body: 'null' }],
		['a JSON string', { status: 200, body: '"Success"' }],
		['a JSON number', { status: 200, body: '42' }],
		['a JSON array of nothing useful', { status: 200, body: '[1,2,3]' }],
		['an unknown status word', { status: 200, body: driver.unknownStatus(taskId) }],
		['a body cut off in flight', { status: 200, body: unknown, truncated: true }],
		['JSON text cut short', { status: 200, body: unknown.slice(0, Math.floor(unknown.length / 2)) }],
		['JSON with a byte-order mark', { status: 200, body: `\uFEFF${unknown}` }],
		['fields of the wrong types', { status: 200, body: { status: 7, task: 'x', data: 'x', base_resp: 'x', id: [] } }],
		['binary noise', { status: 200, body: Buffer.from([0x00, 0xff, 0x1f, 0x8b, 0x08, 0x00, 0x7b, 0x22]) }],
	];
}

/** Random garbage of the same kinds: noise, random JSON, and the protocol's answer cut at random. */
export function randomMalformed(random: Random, driver: ProviderDriver, taskId: string): ScriptedAnswer {
	const roll = random();
	if (roll < 0.25) {
		const bytes = Buffer.alloc(1 + Math.floor(random() * 300));
		for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
		return { status: 200, body: bytes };
	}
	if (roll < 0.4) return { status: 200, headers: { 'content-type': 'text/plain' }, body: randomText(random) };
	if (roll < 0.75) {
		// Never a valid answer: the top level is never an object of the protocol's keys and types.
		const value = randomJson(random, 3);
		const top = typeof value === 'object' && value !== null && !Array.isArray(value) ? [value] : value;
		return { status: 200, body: JSON.stringify(top) };
	}
	const whole = JSON.stringify(driver.unknownStatus(taskId));
	if (roll < 0.9) return { status: 200, body: whole.slice(0, Math.floor(random() * whole.length)) };
	return { status: 200, body: whole, truncated: true };
}

function randomJson(random: Random, depth: number): unknown {
	const roll = random();
	if (depth <= 0 || roll < 0.4) {
		return pick(random, [
			null,
			true,
			false,
			Math.floor(random() * 1e9) - 5e8,
			random(),
			randomText(random),
			'',
		] as const);
	}
	if (roll < 0.7) return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth - 1));
	const entries = Array.from({ length: Math.floor(random() * 4) }, () => [
		randomText(random).slice(0, 12),
		randomJson(random, depth - 1),
	]);
	return Object.fromEntries(entries);
}
