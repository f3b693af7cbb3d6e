import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadCapped } from '../../src/providers/http.js';
import { ReplicateProvider } from '../../src/providers/replicate.js';
import type { VideoRequest } from '../../src/video/request.js';
import { startReplicateStandIn, type ReplicateStandIn } from '../standins/replicate.js';
import { failureOf, submitTask, untilDone } from '../helpers/provider.js';

const request: VideoRequest = { prompt: '[Pan left] a fox in the snow', camera: ['Pan left'], directed: true };
const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const jpeg = Buffer.from('ffd8ffe000104a46494600010100', 'hex');
const director = 'minimax/video-01-director';

describe('Replicate provider against its stand-in', () => {
	let standIn: ReplicateStandIn;
	let provider: ReplicateProvider;

	beforeEach(async () => {
		standIn = await startReplicateStandIn({ generationMs: 300 });
		provider = new ReplicateProvider({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl });
	});
	afterEach(async () => {
		await standIn.close();
	});

	it('creates a prediction, polls through starting/processing, and downloads the exact bytes', async () => {
		const firstFrame = { data: png, contentType: 'image/png' } as const;
		const taskId = await submitTask(provider, { model: director, request, firstFrame });
		expect(standIn.creates).toHaveLength(1);
		expect(standIn.creates[0]?.model).toBe(director);
		expect(standIn.creates[0]?.body).toEqual({
			input: {
				prompt: '[Pan left] a fox in the snow',
				first_frame_image: `data:image/png;base64,${png.toString('base64')}`,
			},
		});
		expect(await provider.poll(taskId)).toEqual({ state: 'pending', phase: 'queued' });
		await new Promise((resolve) => setTimeout(resolve, 150));
		expect(await provider.poll(taskId)).toEqual({ state: 'pending', phase: 'generating' });
		const done = await untilDone(provider, taskId);
		if (done.state !== 'succeeded') throw new Error(`unexpected ${done.state}`);
		const clip = await downloadCapped('replicate', done.videoUrl, 10 * 1024 * 1024);
		expect(clip.ok && clip.data.equals(standIn.video)).toBe(true);
	});

	it('sends the subject reference and prompt_optimizer on video-01', async () => {
		await submitTask(provider, {
			model: 'minimax/video-01',
			request: { prompt: 'a fox', camera: [], directed: false, promptOptimizer: false },
			subject: { data: jpeg, contentType: 'image/jpeg' },
		});
		expect(standIn.creates[0]).toMatchObject({
			model: 'minimax/video-01',
			body: {
				input: {
					prompt: 'a fox',
					prompt_optimizer: false,
					subject_reference: `data:image/jpeg;base64,${jpeg.toString('base64')}`,
				},
			},
		});
	});

	it('refuses, without a create call, what the model cannot take', async () => {
		const subject = { data: png, contentType: 'image/png' } as const;
		expect((await failureOf(() => provider.submit({ model: director, request, subject }))).failure).toBe('rejected');
		expect((await failureOf(() => provider.submit({ model: 'minimax/video-99', request }))).failure).toBe('rejected');
		const long = { ...request, duration: 10 };
		expect((await failureOf(() => provider.submit({ model: director, request: long }))).failure).toBe('rejected');
		expect(standIn.creates).toHaveLength(0);
	});

	it('maps auth, credits, not-found and invalid input answers', async () => {
		const wrongKey = new ReplicateProvider({ apiKey: 'r8_wrong_key_123', baseUrl: standIn.baseUrl });
		const auth = await failureOf(() => wrongKey.submit({ model: director, request }));
		expect(auth.failure).toBe('auth');
		expect(auth.message).not.toContain('r8_wrong_key_123');
		expect(auth.message).not.toContain(standIn.apiKey);

		standIn.failNextCreate(402);
		const credits = await failureOf(() => provider.submit({ model: director, request }));
		expect(credits.failure).toBe('credits');
		expect(credits.message).toMatch(/insufficient credit/i);

		standIn.failNextCreate(404);
		expect((await failureOf(() => provider.submit({ model: director, request }))).failure).toBe('rejected');

		// The stand-in's own validation: a prompt over 2000 characters, and bytes that are no PNG.
		const longPrompt = { ...request, prompt: 'a'.repeat(2001) };
		const tooLong = await failureOf(() => provider.submit({ model: director, request: longPrompt }));
		expect([tooLong.failure, tooLong.details.status]).toEqual(['rejected', 422]);
		expect(tooLong.message).toContain('input.prompt');
		const notPng = { data: Buffer.from('not an image'), contentType: 'image/png' } as const;
		const badImage = await failureOf(() => provider.submit({ model: director, request, firstFrame: notPng }));
		expect([badImage.failure, badImage.details.status]).toEqual(['rejected', 422]);

		// A prediction Replicate does not know (or no longer keeps) is a 404.
		expect((await failureOf(() => provider.poll('unknown'))).failure).toBe('rejected');
	});

	it('honours Retry-After on a throttled create and creates one prediction', async () => {
		standIn.failNextCreate(429, { retryAfter: '1' });
		const started = Date.now();
		await submitTask(provider, { model: director, request });
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(standIn.creates).toHaveLength(2);
	}, 10_000);

	it('reads the wait from the 429 detail when Retry-After is missing', async () => {
		const taskId = await submitTask(provider, { model: director, request });
		standIn.failNextPoll(429);
		const throttled = await failureOf(() => provider.poll(taskId));
		const { failure, retryable, details } = throttled;
		expect([failure, retryable, details.retryAfterMs]).toEqual(['rate-limited', true, 30_000]);
		standIn.failNextPoll(429, { retryAfter: '2' });
		expect((await failureOf(() => provider.poll(taskId))).details.retryAfterMs).toBe(2_000);
	});

	it('classifies failed predictions: safety on input, on output, and plain failure', async () => {
		const outcomes = [];
		for (const error of [
			'The input or output was flagged as sensitive. Please try again with different inputs. (E005)',
			'Prediction failed: output new_sensitive (1027)',
			'Prediction failed: CUDA out of memory',
		]) {
			standIn.failNextPrediction(error);
			const done = await untilDone(provider, await submitTask(provider, { model: director, request }));
			outcomes.push(done.state === 'failed' ? done.error.failure : done.state);
		}
		expect(outcomes).toEqual(['safety-input', 'safety-output', 'generation-failed']);
	});

	it('turns a malformed answer and a 5xx into typed errors, never a crash', async () => {
		const taskId = await submitTask(provider, { model: director, request });
		standIn.malformNextPoll();
		expect((await failureOf(() => provider.poll(taskId))).failure).toBe('malformed');
		standIn.failNextPoll(502);
		const unavailable = await failureOf(() => provider.poll(taskId));
		expect([unavailable.failure, unavailable.retryable]).toEqual(['unavailable', true]);
	});

	it('retries a create answered with 5xx, which proves no prediction was made', async () => {
		standIn.failNextCreate(500);
		await submitTask(provider, { model: director, request });
		expect(standIn.creates).toHaveLength(2);
	}, 10_000);

	it('never repeats a create cut off after sending: the prediction may exist', async () => {
		standIn.dropNextCreate();
		const error = await failureOf(() => provider.submit({ model: director, request }));
		expect([error.failure, error.retryable]).toEqual(['outcome-unknown', false]);
		expect(standIn.creates).toHaveLength(1);
	});

	it('cancels a running prediction, which then reports failure', async () => {
		const taskId = await submitTask(provider, { model: director, request });
		await provider.cancel(taskId);
		expect(standIn.cancels).toEqual([taskId]);
		const done = await provider.poll(taskId);
		expect(done.state === 'failed' && [done.error.failure, done.error.message]).toEqual([
			'generation-failed',
			'replicate: the prediction was cancelled',
		]);
		// Cancelling again, or an unknown prediction, needs nothing; other errors are reported.
		await provider.cancel(taskId);
		await provider.cancel('gone');
		standIn.failNextCancel(500);
		expect((await failureOf(() => provider.cancel(taskId))).failure).toBe('unavailable');
		expect(standIn.cancels).toEqual([taskId, taskId, 'gone', taskId]);
	});

	it('reports a clip deleted by the 1 h retention as failed, its link gone (link-expired, not a failed generation)', async () => {
		const taskId = await submitTask(provider, { model: director, request });
		expect((await untilDone(provider, taskId)).state).toBe('succeeded');
		standIn.expireOutputs();
		const done = await provider.poll(taskId);
		expect(done.state === 'failed' && done.error.failure).toBe('link-expired');
	});
});
