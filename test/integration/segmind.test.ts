import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ProviderError } from '../../src/providers/errors.js';
import { downloadCapped } from '../../src/providers/http.js';
import { SegmindProvider, type SegmindOptions } from '../../src/providers/segmind.js';
import type { SubmitInput } from '../../src/providers/types.js';
import type { VideoRequest } from '../../src/video/request.js';
import { solidPng } from '../helpers/images.js';
import { startSegmindStandIn, type SegmindStandIn } from '../standins/segmind.js';
import { failureOf, submitTask, untilDone } from '../helpers/provider.js';

const request: VideoRequest = { prompt: '[Pan left] a fox in the snow', camera: ['Pan left'], directed: true };
const png = solidPng(320, 320);
const jpeg = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');
const dataUrl = (type: string, data: Buffer) => `data:${type};base64,${data.toString('base64')}`;
const asPng = (data: Buffer) => ({ data, contentType: 'image/png' as const });
const director: SubmitInput = { model: 'minimax-ai-director', request, firstFrame: asPng(png) };
const video01: SubmitInput = { model: 'minimax-ai', request: { ...request, directed: false } };

async function failedTask(provider: SegmindProvider, input: SubmitInput): Promise<ProviderError> {
	const done = await untilDone(provider, await submitTask(provider, input));
	if (done.state !== 'failed') throw new Error(`expected a failed task, got ${done.state}`);
	return done.error;
}

let standIn: SegmindStandIn;
const make = (options: Partial<SegmindOptions> = {}) =>
	new SegmindProvider({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl, ...options });

beforeEach(async () => {
	standIn = await startSegmindStandIn({ generationMs: 300 });
});
afterEach(async () => {
	await standIn.close();
});

describe('Segmind provider, async (v2)', () => {
	it('submits, polls through QUEUED/PROCESSING/COMPLETED, and downloads the exact bytes', async () => {
		const provider = make();
		standIn.generationMs = 600; // queued for 200 ms, then generating until 600 ms
		const taskId = await submitTask(provider, director);
		expect(standIn.creates).toEqual([
			{
				mode: 'v2',
				slug: 'minimax-ai-director',
				body: { prompt: '[Pan left] a fox in the snow', first_frame_image: dataUrl('image/png', png) },
				at: expect.any(Number),
			},
		]);
		expect(await provider.poll(taskId)).toEqual({ state: 'pending', phase: 'queued' });
		await new Promise((resolve) => setTimeout(resolve, 250));
		expect(await provider.poll(taskId)).toEqual({ state: 'pending', phase: 'generating' });
		const done = await untilDone(provider, taskId);
		if (done.state !== 'succeeded') throw new Error(`unexpected ${done.state}`);
		expect(done.costUsd).toBe(0.625);
		const clip = await downloadCapped('segmind', done.videoUrl, 10 * 1024 * 1024);
		expect(clip.ok && clip.data.equals(standIn.video)).toBe(true);
	});

	it('sends the subject reference, first frame and prompt optimizer under their documented names', async () => {
		await make().submit({
			...video01,
			request: { ...video01.request, promptOptimizer: false },
			firstFrame: { data: jpeg, contentType: 'image/jpeg' },
			subject: asPng(png),
		});
		expect(standIn.creates[0]?.body).toEqual({
			prompt: '[Pan left] a fox in the snow',
			prompt_optimizer: false,
			first_frame_image: dataUrl('image/jpeg', jpeg),
			subject_reference: dataUrl('image/png', png),
		});
	});

	it('finds the video URL whether `output` is a URL, a list, or an object', async () => {
		const provider = make();
		for (const shape of ['string', 'array', 'object'] as const) {
			standIn.outputShape = shape;
			const done = await untilDone(provider, await submitTask(provider, video01));
			expect(done.state === 'succeeded' && done.videoUrl).toMatch(/\/outputs\/[\w-]+\.mp4$/);
		}
	});

	it('classifies HTTP errors from the error table, reading 406 by its text', async () => {
		const provider = make();
		const cases: [number, string, string][] = [
			[406, 'Insufficient credits to run this model', 'credits'],
			[406, 'Team spend limit reached', 'credits'],
			[406, 'Content-Type must be application/json', 'rejected'],
			[403, 'Model not allowed for this team', 'auth'],
			[404, 'Model not found', 'rejected'],
			[410, 'Model has been retired', 'rejected'],
			[400, 'Request body must be a JSON object', 'rejected'],
		];
		for (const [status, message, failure] of cases) {
			standIn.failNextCreate(status, message);
			const error = await failureOf(() => provider.submit(video01));
			expect([error.failure, error.details.status]).toEqual([failure, status]);
		}
		// None of those was sent twice.
		expect(standIn.creates).toHaveLength(cases.length);
	});

	it('is refused with `auth` for a wrong key, without the key in the error', async () => {
		const wrongKey = new SegmindProvider({ apiKey: 'SG_ffffffffffffffff', baseUrl: standIn.baseUrl });
		const error = await failureOf(() => wrongKey.submit(video01));
		expect([error.failure, error.details.status]).toEqual(['auth', 401]);
		expect(`${error.message} ${String(error.cause)}`).not.toContain('SG_ffffffffffffffff');
		expect((await failureOf(() => wrongKey.poll('any'))).failure).toBe('auth');
	});

	it('waits for the x-rate-limit-reset-at-utc time on 429, then creates one request', async () => {
		standIn.rateLimitNextCreate(1_200);
		const started = Date.now();
		await submitTask(make(), video01);
		expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
		expect(standIn.creates).toHaveLength(2);
	});

	it('retries a create refused with 503 (never billed) and creates one request', async () => {
		standIn.failNextCreate(503, 'Service temporarily unavailable');
		await submitTask(make(), video01);
		expect(standIn.creates).toHaveLength(2);
	});

	it('does not resend a create whose connection dropped after sending', async () => {
		standIn.dropNextCreate();
		const error = await failureOf(() => make().submit(video01));
		expect([error.failure, error.retryable]).toEqual(['outcome-unknown', false]);
		expect(standIn.creates).toHaveLength(1);
	});

	it('reads FAILED (HTTP 422) bodies: safety, validation, and plain failure are all final', async () => {
		const provider = make();
		standIn.failNextTask('output new_sensitive');
		expect((await failedTask(provider, video01)).failure).toBe('safety-output');
		standIn.failNextTask('input new_sensitive: the prompt was flagged');
		expect((await failedTask(provider, video01)).failure).toBe('safety-input');
		standIn.failNextTask('Inference failed');
		const generic = await failedTask(provider, video01);
		expect([generic.failure, generic.retryable, generic.details.status]).toEqual(['generation-failed', false, 422]);
		// v2 checks fields in its worker: a GIF sent as PNG fails the stand-in's magic-number check.
		const gif = Buffer.from('GIF89a', 'latin1');
		const invalid = await failedTask(provider, { ...director, firstFrame: asPng(gif) });
		expect(invalid.failure).toBe('rejected');
		expect(invalid.message).toContain('first_frame_image');
	});

	it('turns a malformed status and a 5xx into typed errors, never a crash', async () => {
		const provider = make();
		const taskId = await submitTask(provider, video01);
		standIn.malformNextPoll();
		expect((await failureOf(() => provider.poll(taskId))).failure).toBe('malformed');
		standIn.failNextPoll(502);
		const unavailable = await failureOf(() => provider.poll(taskId));
		expect([unavailable.failure, unavailable.retryable]).toEqual(['unavailable', true]);
		expect((await untilDone(provider, taskId)).state).toBe('succeeded');
	});

	it('ends a task whose record expired (404 after 1 h) with a clear, final error', async () => {
		const provider = make();
		const taskId = await submitTask(provider, video01);
		standIn.recordTtlMs = 0;
		await new Promise((resolve) => setTimeout(resolve, 20));
		const done = await provider.poll(taskId);
		if (done.state !== 'failed') throw new Error(`unexpected ${done.state}`);
		const { failure, retryable, details } = done.error;
		expect([failure, retryable, details.status]).toEqual(['generation-failed', false, 404]);
		expect(done.error.message).toContain('expired');
	});

	it('refuses what the model cannot take before spending anything', async () => {
		const provider = make();
		const noFrame = await failureOf(() => provider.submit({ ...director, firstFrame: undefined }));
		expect(noFrame.failure).toBe('rejected');
		const subject = await failureOf(() => provider.submit({ ...director, subject: asPng(png) }));
		expect(subject.failure).toBe('rejected');
		const long = await failureOf(() => provider.submit({ ...video01, request: { ...video01.request, duration: 10 } }));
		expect(long.failure).toBe('rejected');
		expect(standIn.creates).toHaveLength(0);
	});
});

describe('Segmind provider, blocking (v1)', () => {
	it('waits for the clip and returns the exact bytes with the x-cost header', async () => {
		const provider = make({ mode: 'blocking' });
		const started = Date.now();
		const submission = await provider.submit(director);
		expect(Date.now() - started).toBeGreaterThanOrEqual(standIn.generationMs - 20);
		if (submission.kind !== 'video') throw new Error('expected the clip itself');
		expect(submission.data.equals(standIn.video)).toBe(true);
		expect(submission.costUsd).toBe(0.625);
		expect(standIn.creates).toEqual([
			{
				mode: 'v1',
				slug: 'minimax-ai-director',
				body: { prompt: request.prompt, first_frame_image: dataUrl('image/png', png) },
				at: expect.any(Number),
			},
		]);
		expect((await failureOf(() => provider.poll('anything'))).failure).toBe('malformed');
	});

	it('also takes a JSON answer that points at the clip', async () => {
		standIn.blockingAnswer = 'json';
		const submission = await make({ mode: 'blocking' }).submit(video01);
		expect(submission.kind === 'video' && submission.data.equals(standIn.video)).toBe(true);
	});

	it('treats a 500 after the generation as a final failure, not something to resend', async () => {
		const provider = make({ mode: 'blocking' });
		standIn.failNextTask('Inference failed');
		const failed = await failureOf(() => provider.submit(video01));
		expect([failed.failure, failed.retryable, failed.details.status]).toEqual(['generation-failed', false, 500]);
		standIn.failNextTask('output new_sensitive');
		expect((await failureOf(() => provider.submit(video01))).failure).toBe('safety-output');
		expect(standIn.creates).toHaveLength(2);
	});

	it('maps a 400 to rejected and retries a 502, which is never billed', async () => {
		const provider = make({ mode: 'blocking' });
		const gif = Buffer.from('GIF89a', 'latin1');
		const invalid = await failureOf(() => provider.submit({ ...director, firstFrame: asPng(gif) }));
		expect([invalid.failure, invalid.details.status]).toEqual(['rejected', 400]);
		standIn.failNextCreate(502, 'Bad gateway');
		expect((await provider.submit(video01)).kind).toBe('video');
		expect(standIn.creates).toHaveLength(3);
	});

	it('gives up on a call that outlives blockingTimeoutMs as outcome-unknown, without resending', async () => {
		standIn.generationMs = 2_000;
		const error = await failureOf(() => make({ mode: 'blocking', blockingTimeoutMs: 200 }).submit(video01));
		expect([error.failure, error.retryable]).toEqual(['outcome-unknown', false]);
		expect(standIn.creates).toHaveLength(1);
	});

	it('stops reading a body over maxVideoBytes', async () => {
		const error = await failureOf(() => make({ mode: 'blocking', maxVideoBytes: 1_000 }).submit(video01));
		expect(error.failure).toBe('malformed');
	});
});
