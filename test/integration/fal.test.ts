import { request as httpRequest } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FalProvider } from '../../src/providers/fal.js';
import { downloadCapped } from '../../src/providers/http.js';
import type { VideoRequest } from '../../src/video/request.js';
import { solidPng } from '../helpers/images.js';
import { startFalStandIn, type FalStandIn } from '../standins/fal.js';
import { failureOf, submitTask, untilDone } from '../helpers/provider.js';

const request: VideoRequest = { prompt: '[Pan left] a fox in the snow', camera: ['Pan left'], directed: true };
const png = solidPng(320, 320);
const frame = { data: png, contentType: 'image/png' } as const;
const pngUrl = `data:image/png;base64,${png.toString('base64')}`;

const T2V = 'fal-ai/minimax/video-01';
const I2V = 'fal-ai/minimax/video-01/image-to-video';
const flagged = 'The content could not be processed because it contained material flagged by a content checker.';

/** The task id is the JSON reference the provider documents. */
const refOf = (taskId: string) => JSON.parse(taskId) as { id: string; status: string; response: string };

describe('fal provider against its stand-in', () => {
	let standIn: FalStandIn;
	let provider: FalProvider;

	beforeEach(async () => {
		standIn = await startFalStandIn({ generationMs: 300 });
		provider = new FalProvider({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl });
	});
	afterEach(async () => {
		await standIn.close();
	});

	it('submits, polls through the queue states, and downloads the exact bytes', async () => {
		// A long run while the first poll is read, so a loaded machine still finds the task queued.
		standIn.generationMs = 60_000;
		const taskId = await submitTask(provider, { model: 'fal-ai/minimax/video-01-director', request });
		expect(standIn.creates).toHaveLength(1);
		expect(standIn.creates[0]?.model).toBe('fal-ai/minimax/video-01-director');
		// The optimizer was not asked for, so fal's default applies and the field is not sent.
		expect(standIn.creates[0]?.body).toEqual({ prompt: '[Pan left] a fox in the snow' });
		expect(await provider.poll(taskId)).toEqual({ state: 'pending', phase: 'queued' });
		standIn.generationMs = 300;
		const done = await untilDone(provider, taskId);
		if (done.state !== 'succeeded') throw new Error(`unexpected ${done.state}`);
		const clip = await downloadCapped('fal', done.videoUrl, 10 * 1024 * 1024);
		expect(clip.ok && clip.data.equals(standIn.video)).toBe(true);
		expect(standIn.counts.notFound).toBe(0);
	});

	it('submits image-to-video with the subpath, then polls the URLs fal returned (no subpath)', async () => {
		const taskId = await submitTask(provider, {
			model: I2V,
			request: { ...request, promptOptimizer: false },
			firstFrame: frame,
		});
		expect(standIn.creates[0]?.model).toBe(I2V);
		expect(standIn.creates[0]?.body).toEqual({ prompt: request.prompt, prompt_optimizer: false, image_url: pngUrl });
		const ref = refOf(taskId);
		expect(ref.status).toBe(`${standIn.origin}/fal-ai/minimax/requests/${ref.id}/status`);

		// The trap is real: a status URL rebuilt from the endpoint id is unknown to the queue.
		const rebuilt = await httpRequest(`${standIn.baseUrl}/${I2V}/requests/${ref.id}/status`, {
			headers: { authorization: `Key ${standIn.apiKey}` },
		});
		await rebuilt.body.dump();
		expect(rebuilt.statusCode).toBe(404);
		expect(standIn.counts.notFound).toBe(1);

		const done = await untilDone(provider, taskId);
		expect(done.state).toBe('succeeded');
		expect(standIn.counts.notFound).toBe(1);
	});

	it('sends the subject reference image and refuses missing images before spending', async () => {
		await provider.submit({ model: 'fal-ai/minimax/video-01-subject-reference', request, subject: frame });
		expect(standIn.creates[0]?.body).toEqual({ prompt: request.prompt, subject_reference_image_url: pngUrl });

		const director = 'fal-ai/minimax/video-01-director/image-to-video';
		const missing = await failureOf(() => provider.submit({ model: director, request }));
		expect(missing.failure).toBe('rejected');
		const unknown = await failureOf(() => provider.submit({ model: 'fal-ai/../../elsewhere', request }));
		expect(unknown.failure).toBe('rejected');
		expect(standIn.creates).toHaveLength(1);
	});

	it('maps what fal refuses at submit: bad image, long prompt, safety, auth and balance', async () => {
		const notAnImage = { data: Buffer.from('not an image at all'), contentType: 'image/png' } as const;
		const badImage = await failureOf(() => provider.submit({ model: I2V, request, firstFrame: notAnImage }));
		expect([badImage.failure, badImage.details.status]).toEqual(['rejected', 422]);

		const longPrompt = { ...request, prompt: 'a'.repeat(2001) };
		expect((await failureOf(() => provider.submit({ model: T2V, request: longPrompt }))).failure).toBe('rejected');

		const policy = { loc: ['body', 'prompt'], msg: flagged, type: 'content_policy_violation' };
		standIn.failNextCreate(422, { detail: [policy] });
		expect((await failureOf(() => provider.submit({ model: T2V, request }))).failure).toBe('safety-input');

		const wrongKey = new FalProvider({ apiKey: 'nope-secret', baseUrl: standIn.baseUrl });
		const auth = await failureOf(() => wrongKey.submit({ model: T2V, request }));
		expect(auth.failure).toBe('auth');
		expect(auth.message).not.toContain('nope-secret');

		const locked = 'User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing.';
		standIn.failNextCreate(403, { detail: locked });
		expect((await failureOf(() => provider.submit({ model: T2V, request }))).failure).toBe('credits');
		standIn.failNextCreate(402);
		expect((await failureOf(() => provider.submit({ model: T2V, request }))).failure).toBe('credits');
		expect(standIn.creates).toHaveLength(5); // every one reached fal; none was retried
	});

	it('retries a submit refused with 429 after Retry-After, and a 503, creating one request each', async () => {
		standIn.failNextCreate(429, { detail: 'Too many requests' }, { 'retry-after': '1' });
		const started = Date.now();
		await submitTask(provider, { model: T2V, request });
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(standIn.creates).toHaveLength(2);

		standIn.failNextCreate(503);
		await submitTask(provider, { model: T2V, request });
		expect(standIn.creates).toHaveLength(4);
	}, 15_000);

	it('reports failed results as final: safety on input or output, and a generic failure', async () => {
		const cases = [
			['safety-output', 'safety-output'],
			['safety-input', 'safety-input'],
			['generic', 'generation-failed'],
		] as const;
		for (const [kind, failure] of cases) {
			standIn.failNextTask(kind);
			const done = await untilDone(provider, await submitTask(provider, { model: T2V, request }));
			expect(done.state === 'failed' && done.error.failure).toBe(failure);
		}
	});

	it("tells a gateway error on the result (retry) from the request's own failure (final)", async () => {
		const taskId = await submitTask(provider, { model: T2V, request });
		await new Promise((resolve) => setTimeout(resolve, standIn.generationMs));
		standIn.failNextResult(503, { detail: 'Service Unavailable' });
		const gateway = await failureOf(() => provider.poll(taskId));
		expect([gateway.failure, gateway.retryable]).toEqual(['unavailable', true]);
		standIn.failNextResult(500, { detail: 'Internal error while generating the video' });
		const final = await provider.poll(taskId);
		expect(final.state === 'failed' && final.error.failure).toBe('generation-failed');
		expect((await provider.poll(taskId)).state).toBe('succeeded');
	});

	it('turns malformed, rate-limited and 5xx status answers into typed errors', async () => {
		const taskId = await submitTask(provider, { model: T2V, request });
		standIn.malformNextPoll();
		expect((await failureOf(() => provider.poll(taskId))).failure).toBe('malformed');
		standIn.failNextPoll(502);
		const unavailable = await failureOf(() => provider.poll(taskId));
		expect([unavailable.failure, unavailable.retryable]).toEqual(['unavailable', true]);
		standIn.failNextPoll(429, { 'retry-after': '2' });
		const limited = await failureOf(() => provider.poll(taskId));
		expect([limited.failure, limited.details.retryAfterMs]).toEqual(['rate-limited', 2000]);
		expect((await failureOf(() => provider.poll('not json'))).failure).toBe('malformed');
	});

	it('never sends the key to a host other than the configured one', async () => {
		const elsewhere = await startFalStandIn({ apiKey: standIn.apiKey });
		try {
			standIn.redirectNextSubmit(elsewhere.origin);
			const tampered = await failureOf(() => provider.submit({ model: T2V, request }));
			expect(tampered.failure).toBe('malformed');

			const taskId = await submitTask(provider, { model: T2V, request });
			const away = `${elsewhere.origin}/fal-ai/minimax/requests/${refOf(taskId).id}/status`;
			const moved = JSON.stringify({ ...refOf(taskId), status: away });
			expect((await failureOf(() => provider.poll(moved))).failure).toBe('malformed');
			expect((await failureOf(() => provider.cancel(moved))).failure).toBe('malformed');
			expect(elsewhere.counts).toMatchObject({ status: 0, result: 0, cancel: 0, notFound: 0 });
		} finally {
			await elsewhere.close();
		}
	});

	it('cancels a queued request, and shrugs off a cancel that comes too late', async () => {
		standIn.generationMs = 3_000;
		const queued = await submitTask(provider, { model: I2V, request, firstFrame: frame });
		await provider.cancel(queued);
		expect(standIn.cancels).toEqual([refOf(queued).id]);
		const canceled = await provider.poll(queued);
		expect(canceled.state === 'failed' && canceled.error.failure).toBe('generation-failed');

		standIn.generationMs = 300;
		const finished = await submitTask(provider, { model: T2V, request });
		expect((await untilDone(provider, finished)).state).toBe('succeeded');
		await provider.cancel(finished); // fal answers 400 ALREADY_COMPLETED: nothing to do
		expect(standIn.counts.cancel).toBe(2);
		expect(standIn.cancels).toHaveLength(1);
		expect(standIn.counts.notFound).toBe(0);
	});
});
