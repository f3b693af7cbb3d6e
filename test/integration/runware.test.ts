import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ProviderError } from '../../src/providers/errors.js';
import { downloadCapped } from '../../src/providers/http.js';
import { RunwareProvider } from '../../src/providers/runware.js';
import type { SubmitInput } from '../../src/providers/types.js';
import type { VideoRequest } from '../../src/video/request.js';
import { solidPng } from '../helpers/images.js';
import { startRunwareStandIn, type RunwareStandIn } from '../standins/runware.js';
import { failureOf, submitTask, untilDone } from '../helpers/provider.js';

const request: VideoRequest = { prompt: '[Push in] a lighthouse in a storm', camera: ['Push in'], directed: true };
const png = solidPng(400, 300);
const pngUrl = `data:image/png;base64,${png.toString('base64')}`;
const fast = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

async function failedTask(provider: RunwareProvider, input: SubmitInput): Promise<ProviderError> {
	const done = await untilDone(provider, await submitTask(provider, input));
	if (done.state !== 'failed') throw new Error(`expected a failed task, got ${done.state}`);
	return done.error;
}

describe('Runware provider against its stand-in', () => {
	let standIn: RunwareStandIn;
	let provider: RunwareProvider;

	beforeEach(async () => {
		standIn = await startRunwareStandIn({ generationMs: 300 });
		provider = new RunwareProvider({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl, createRetry: fast });
	});
	afterEach(async () => {
		await standIn.close();
	});

	it('submits one task, polls it to success, and downloads the exact bytes', async () => {
		const taskId = await submitTask(provider, {
			model: 'minimax:2@1',
			request: { ...request, promptOptimizer: true },
			firstFrame: { data: png, contentType: 'image/png' },
		});
		expect(taskId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(standIn.creates).toHaveLength(1);
		expect(standIn.creates[0]?.body).toEqual({
			taskType: 'videoInference',
			taskUUID: taskId,
			model: 'minimax:2@1',
			positivePrompt: '[Push in] a lighthouse in a storm',
			width: 1366,
			height: 768,
			duration: 6,
			fps: 25,
			deliveryMethod: 'async',
			outputType: 'URL',
			outputFormat: 'MP4',
			numberResults: 1,
			includeCost: true,
			providerSettings: { minimax: { promptOptimizer: true } },
			inputs: { frameImages: [{ image: pngUrl, frame: 'first' }] },
		});
		expect(await provider.poll(taskId)).toEqual({ state: 'pending', phase: 'generating' });
		const done = await untilDone(provider, taskId);
		if (done.state !== 'succeeded') throw new Error(`unexpected ${done.state}`);
		const clip = await downloadCapped('runware', done.videoUrl, 10 * 1024 * 1024);
		expect(clip.ok && clip.data.equals(standIn.video)).toBe(true);
	});

	it('reports the cost Runware returns for the task', async () => {
		const taskId = await submitTask(provider, { model: 'minimax:2@1', request });
		const done = await untilDone(provider, taskId);
		expect(done).toMatchObject({ state: 'succeeded', costUsd: standIn.cost });
		expect(standIn.cost).toBe(0.28);
	});

	it('sends a subject as referenceImages and leaves the optimizer to Runware when not asked', async () => {
		const subject = { data: png, contentType: 'image/png' } as const;
		await provider.submit({ model: 'minimax:1@1', request: { ...request, directed: false }, subject });
		const body = standIn.creates[0]?.body;
		expect(body).toMatchObject({ model: 'minimax:1@1', inputs: { referenceImages: [pngUrl] } });
		expect(body).not.toHaveProperty('providerSettings');
		expect(standIn.tasks).toHaveLength(1);
	});

	it('finds its own item in an answer that carries other tasks too', async () => {
		const taskId = await submitTask(provider, { model: 'minimax:2@1', request });
		standIn.generationMs = 0;
		standIn.mixNextPoll();
		expect(await provider.poll(taskId)).toMatchObject({ state: 'succeeded' });
	});

	it('maps a wrong key to auth without leaking it', async () => {
		const wrongKey = new RunwareProvider({ apiKey: 'rw-secret-nope', baseUrl: standIn.baseUrl, createRetry: fast });
		const auth = await failureOf(() => wrongKey.submit({ model: 'minimax:2@1', request }));
		expect(auth).toMatchObject({ failure: 'auth', details: { status: 401, code: 'invalidApiKey' } });
		expect(auth.message).not.toContain('rw-secret-nope');
		const taskId = await submitTask(provider, { model: 'minimax:2@1', request });
		expect((await failureOf(() => wrongKey.poll(taskId))).failure).toBe('auth');
		// Even a message that echoes the key is cut before it reaches an error.
		standIn.failNextCreate(400, { code: 'invalidApiKeyFormat', message: `bad key ${standIn.apiKey}` });
		const echoed = await failureOf(() => provider.submit({ model: 'minimax:2@1', request }));
		expect(echoed.message).not.toContain(standIn.apiKey);
	});

	it('maps insufficient balance to credits, with or without a Runware body', async () => {
		standIn.failNextCreate(402, { code: 'insufficientCredits', message: 'Insufficient credits to run this task.' });
		const credits = await failureOf(() => provider.submit({ model: 'minimax:2@1', request }));
		expect(credits).toMatchObject({ failure: 'credits', details: { status: 402, code: 'insufficientCredits' } });
		standIn.failNextCreate(402);
		expect((await failureOf(() => provider.submit({ model: 'minimax:2@1', request }))).failure).toBe('credits');
		expect(standIn.tasks).toHaveLength(0);
	});

	it('rejects invalid input: the service refuses bad images, unknown invalid* codes, and local checks', async () => {
		const garbage = { data: Buffer.from('not an image'), contentType: 'image/png' } as const;
		const notAnImage = await failureOf(() => provider.submit({ model: 'minimax:2@1', request, firstFrame: garbage }));
		expect(notAnImage).toMatchObject({ failure: 'rejected', details: { status: 400, code: 'invalidFrameImage' } });
		const tooSmall = await failureOf(() =>
			provider.submit({
				model: 'minimax:2@1',
				request,
				firstFrame: { data: solidPng(100, 100), contentType: 'image/png' },
			}),
		);
		expect(tooSmall.failure).toBe('rejected');
		// An error array in an HTTP 200 answer, with a code not in the table.
		standIn.failNextCreate(200, { code: 'invalidSeedValue', message: 'Invalid seed.' });
		expect((await failureOf(() => provider.submit({ model: 'minimax:2@1', request }))).failure).toBe('rejected');
		expect(standIn.creates).toHaveLength(3);
		// Checked before anything is sent: no money at stake.
		const subject = { data: png, contentType: 'image/png' } as const;
		const local = await failureOf(() => provider.submit({ model: 'minimax:2@1', request, subject }));
		expect(local.failure).toBe('rejected');
		expect((await failureOf(() => provider.submit({ model: 'minimax:9@9', request }))).failure).toBe('rejected');
		expect(standIn.creates).toHaveLength(3);
	});

	it('honours Retry-After on 429 and retries with the same taskUUID', async () => {
		standIn.failNextCreate(429, { code: 'rateLimitExceeded', message: 'Too many requests.' }, { retryAfterSeconds: 1 });
		const started = Date.now();
		const taskId = await submitTask(provider, { model: 'minimax:2@1', request });
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(standIn.creates.map((call) => call.body['taskUUID'])).toEqual([taskId, taskId]);
		expect(standIn.tasks).toEqual([taskId]);

		const createRetry = { ...fast, attempts: 1 };
		const once = new RunwareProvider({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl, createRetry });
		standIn.failNextCreate(429, { code: 'rateLimitExceeded', message: 'Too many requests.' }, { retryAfterSeconds: 7 });
		const limited = await failureOf(() => once.submit({ model: 'minimax:2@1', request }));
		expect(limited).toMatchObject({
			failure: 'rate-limited',
			retryable: true,
			details: { status: 429, retryAfterMs: 7000 },
		});
	});

	it('reports 5xx as retryable unavailable once retries are spent', async () => {
		standIn.failNextCreate(503);
		standIn.failNextCreate(502, { code: 'internalError', message: 'Internal error.' });
		standIn.failNextCreate(503);
		const error = await failureOf(() => provider.submit({ model: 'minimax:2@1', request }));
		expect(error).toMatchObject({ failure: 'unavailable', retryable: true });
		expect(standIn.creates).toHaveLength(3);
		expect(standIn.tasks).toHaveLength(0);
	});

	it('keeps the task when a retry finds the first attempt did create it', async () => {
		standIn.failNextCreate(502, undefined, { afterCreating: true });
		const taskId = await submitTask(provider, { model: 'minimax:2@1', request });
		expect(standIn.creates).toHaveLength(2);
		expect(standIn.tasks).toEqual([taskId]);
		expect((await untilDone(provider, taskId)).state).toBe('succeeded');
	});

	it('maps safety verdicts on the prompt and on the generated video', async () => {
		standIn.failNextCreate(400, { code: 'invalidContent', message: 'The prompt was flagged by the content filter.' });
		expect((await failureOf(() => provider.submit({ model: 'minimax:2@1', request }))).failure).toBe('safety-input');
		standIn.failNextTask({ error: { code: 'contentModerated', message: 'Output was moderated.' } });
		expect((await failedTask(provider, { model: 'minimax:2@1', request })).failure).toBe('safety-output');
		standIn.failNextTask('nsfw');
		expect((await failedTask(provider, { model: 'minimax:2@1', request })).failure).toBe('safety-output');
	});

	it('makes a task that failed for a passing reason final, even behind an HTTP 500', async () => {
		standIn.failNextTask({ status: 500, error: { code: 'timeoutProvider', message: 'The provider timed out.' } });
		const error = await failedTask(provider, { model: 'minimax:2@1', request });
		expect(error).toMatchObject({
			failure: 'generation-failed',
			retryable: false,
			details: { code: 'timeoutProvider' },
		});
		// The same verdict inside an HTTP 200 answer.
		standIn.failNextTask({ status: 200, error: { code: 'providerError', message: 'Generation failed upstream.' } });
		expect((await failedTask(provider, { model: 'minimax:1@1', request })).failure).toBe('generation-failed');
	});

	it('turns a malformed answer and a 5xx into typed errors, never a crash', async () => {
		const taskId = await submitTask(provider, { model: 'minimax:2@1', request });
		standIn.malformNextPoll();
		expect((await failureOf(() => provider.poll(taskId))).failure).toBe('malformed');
		standIn.failNextPoll(502);
		const unavailable = await failureOf(() => provider.poll(taskId));
		expect(unavailable).toMatchObject({ failure: 'unavailable', retryable: true });
		expect(await provider.poll(taskId)).toMatchObject({ state: 'pending' });
		// A task Runware does not know is the request's fault, not a passing outage.
		expect((await failureOf(() => provider.poll('1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed'))).failure).toBe('rejected');
	});
});
