import { request as httpRequest } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AtlasCloudProvider, type AtlasCloudOptions } from '../../src/providers/atlascloud.js';
import { downloadCapped } from '../../src/providers/http.js';
import type { ProviderImage, TaskStatus } from '../../src/providers/types.js';
import type { VideoRequest } from '../../src/video/request.js';
import { solidPng } from '../helpers/images.js';
import { startAtlasCloudStandIn, type AtlasCloudStandIn } from '../standins/atlascloud.js';
import { failureOf, submitTask, untilDone } from '../helpers/provider.js';

const MODEL = 'minimax/video-01';
const request: VideoRequest = {
	prompt: '[Pan left,Zoom in] a fox in the snow',
	camera: ['Pan left', 'Zoom in'],
	directed: true,
};
const png = solidPng(640, 360);
/** The RIFF/WEBP header: enough for any magic-number check. */
const webp = Buffer.concat([Buffer.from('RIFF\x24\0\0\0WEBPVP8 ', 'latin1'), Buffer.alloc(24)]);
/** A JPEG's markers up to the frame header (SOF0, 480×640): all the stand-in reads. */
const jpeg = Buffer.concat([
	Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'),
	Buffer.from('ffc0001108028001e003012200021101031101', 'hex'),
	Buffer.from('ffd9', 'hex'),
]);

const frame = (data: Buffer, contentType: ProviderImage['contentType']): ProviderImage => ({ data, contentType });

const clientOf = (standIn: AtlasCloudStandIn, submitRetry: AtlasCloudOptions['submitRetry']) =>
	new AtlasCloudProvider({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl, submitRetry });

const failedWith = (status: TaskStatus) => (status.state === 'failed' ? status.error.failure : status.state);

describe('AtlasCloud provider against its stand-in', () => {
	let standIn: AtlasCloudStandIn;
	let provider: AtlasCloudProvider;

	beforeEach(async () => {
		standIn = await startAtlasCloudStandIn({ generationMs: 200 });
		// Short backoff keeps the file fast; a Retry-After still sets the floor.
		provider = clientOf(standIn, { baseDelayMs: 20 });
	});
	afterEach(async () => {
		await standIn.close();
	});
	const submitWith = (firstFrame: ProviderImage) => provider.submit({ model: MODEL, request, firstFrame });

	it('submits, polls the envelope through processing to completed, and downloads the exact bytes', async () => {
		const taskId = await submitTask(provider, { model: MODEL, request, firstFrame: frame(png, 'image/png') });
		expect(standIn.creates).toHaveLength(1);
		expect(standIn.creates[0]?.body).toEqual({
			model: MODEL,
			prompt: '[Pan left,Zoom in] a fox in the snow',
			image: `data:image/png;base64,${png.toString('base64')}`,
		});
		expect(await provider.poll(taskId)).toEqual({ state: 'pending', phase: 'generating' });
		const done = await untilDone(provider, taskId);
		if (done.state !== 'succeeded') throw new Error(`unexpected ${done.state}`);
		const clip = await downloadCapped('atlascloud', done.videoUrl, 10 * 1024 * 1024);
		expect(clip.ok && clip.data.equals(standIn.video)).toBe(true);
	});

	it('sends enable_prompt_expansion only when asked, and a JPEG as a JPEG data URL', async () => {
		await provider.submit({ model: MODEL, request: { ...request, promptOptimizer: true } });
		const withoutExpansion = { ...request, promptOptimizer: false };
		await provider.submit({ model: MODEL, request: withoutExpansion, firstFrame: frame(jpeg, 'image/jpeg') });
		expect(standIn.creates[0]?.body).toEqual({ model: MODEL, prompt: request.prompt, enable_prompt_expansion: true });
		expect(standIn.creates[1]?.body).toMatchObject({
			enable_prompt_expansion: false,
			image: `data:image/jpeg;base64,${jpeg.toString('base64')}`,
		});
	});

	it('reads the bare prediction the docs show, and `succeeded` as done', async () => {
		const bare = await startAtlasCloudStandIn({ generationMs: 100, bare: true, doneStatus: 'succeeded' });
		try {
			const client = new AtlasCloudProvider({ apiKey: bare.apiKey, baseUrl: bare.baseUrl });
			const done = await untilDone(client, await submitTask(client, { model: MODEL, request }));
			expect(done.state === 'succeeded' && done.videoUrl.startsWith(bare.origin)).toBe(true);
		} finally {
			await bare.close();
		}
	});

	it('maps a wrong key to auth without echoing it', async () => {
		const wrongKey = new AtlasCloudProvider({ apiKey: 'sk-wrong-secret', baseUrl: standIn.baseUrl });
		const auth = await failureOf(() => wrongKey.submit({ model: MODEL, request }));
		expect([auth.failure, auth.details.status]).toEqual(['auth', 401]);
		expect(auth.message).not.toContain('sk-wrong-secret');
		expect(auth.cause instanceof Error ? auth.cause.message : JSON.stringify(auth.cause ?? '')).not.toContain(
			'sk-wrong-secret',
		);
	});

	it('maps an envelope code 402 sent with HTTP 200 to credits, and an HTTP 402 too', async () => {
		standIn.failNextCreateWithCode(402, 'insufficient balance');
		const envelope = await failureOf(() => provider.submit({ model: MODEL, request }));
		expect([envelope.failure, envelope.details.code, envelope.retryable]).toEqual(['credits', 402, false]);
		expect(envelope.message).toContain('insufficient balance');
		standIn.failNextCreate(402, { code: 402, msg: 'insufficient balance', data: null });
		expect((await failureOf(() => provider.submit({ model: MODEL, request }))).failure).toBe('credits');
		expect(standIn.creates).toHaveLength(2);
	});

	it('refuses a WebP first frame before spending, and the stand-in refuses one like AtlasCloud', async () => {
		const local = await failureOf(() => submitWith(frame(webp, 'image/webp')));
		expect(local.failure).toBe('rejected');
		expect(standIn.creates).toHaveLength(0);

		const response = await httpRequest(`${standIn.baseUrl}/api/v1/model/generateVideo`, {
			method: 'POST',
			headers: { 'authorization': `Bearer ${standIn.apiKey}`, 'content-type': 'application/json' },
			// Labelled PNG: the stand-in goes by the bytes, like a decoder would.
			body: JSON.stringify({ model: MODEL, prompt: 'fox', image: `data:image/png;base64,${webp.toString('base64')}` }),
		});
		expect(response.statusCode).toBe(400);
		expect(await response.body.json()).toMatchObject({ code: 400, message: expect.stringMatching(/webp/) });
	});

	it('maps the service refusing invalid input to rejected, with its words', async () => {
		const small = solidPng(200, 200);
		const refused = await failureOf(() => submitWith(frame(small, 'image/png')));
		expect([refused.failure, refused.details.status]).toEqual(['rejected', 400]);
		expect(refused.message).toContain('short side');
		standIn.failNextCreate(400, { code: 400, msg: 'prompt flagged by content moderation', data: null });
		expect((await failureOf(() => provider.submit({ model: MODEL, request }))).failure).toBe('safety-input');
		const unknown = await failureOf(() => provider.poll('no-such-task'));
		expect([unknown.failure, unknown.details.status]).toEqual(['rejected', 404]);
	});

	it('honours Retry-After on a 429 and creates one task', async () => {
		standIn.failNextCreate(429, { code: 429, msg: 'rate limit exceeded', data: null }, { 'retry-after': '1' });
		const started = Date.now();
		await submitTask(provider, { model: MODEL, request });
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(standIn.creates).toHaveLength(2);

		const once = clientOf(standIn, { attempts: 1 });
		standIn.failNextCreate(429, { code: 429, msg: 'rate limit exceeded', data: null }, { 'retry-after': '7' });
		const limited = await failureOf(() => once.submit({ model: MODEL, request }));
		expect([limited.failure, limited.retryable, limited.details.retryAfterMs]).toEqual(['rate-limited', true, 7000]);
	});

	it('retries a 5xx create, and gives up with unavailable when it persists', async () => {
		standIn.failNextCreate(503);
		await submitTask(provider, { model: MODEL, request });
		expect(standIn.creates).toHaveLength(2);
		for (let i = 0; i < 3; i++) standIn.failNextCreate(502);
		const unavailable = await failureOf(() => provider.submit({ model: MODEL, request }));
		expect([unavailable.failure, unavailable.retryable]).toEqual(['unavailable', true]);
		expect(standIn.creates).toHaveLength(5);
	});

	it('never retries a create whose answer was lost, and retries nothing when the port is closed', async () => {
		standIn.dropNextCreate();
		const lost = await failureOf(() => provider.submit({ model: MODEL, request }));
		expect([lost.failure, lost.retryable]).toEqual(['outcome-unknown', false]);
		expect(standIn.creates).toHaveLength(1);

		await standIn.close();
		const once = clientOf(standIn, { attempts: 1 });
		expect((await failureOf(() => once.submit({ model: MODEL, request }))).failure).toBe('network');
	});

	it('withholds a completed clip flagged by has_nsfw_contents', async () => {
		standIn.failNextTask('nsfw');
		const done = await untilDone(provider, await submitTask(provider, { model: MODEL, request }));
		expect(failedWith(done)).toBe('safety-output');
		expect(done.state === 'failed' && done.error.retryable).toBe(false);
		expect(standIn.counts.downloads).toBe(0);
	});

	it('maps a failed task to a safety verdict or generation-failed from its error words', async () => {
		standIn.failNextTask('safety');
		const safety = await untilDone(provider, await submitTask(provider, { model: MODEL, request }));
		expect(failedWith(safety)).toBe('safety-output');
		standIn.failNextTask('generic');
		const generic = await untilDone(provider, await submitTask(provider, { model: MODEL, request }));
		expect(failedWith(generic)).toBe('generation-failed');
	});

	it('turns malformed answers and a poll 5xx into typed errors, never a crash', async () => {
		const taskId = await submitTask(provider, { model: MODEL, request });
		standIn.malformNextPoll();
		expect((await failureOf(() => provider.poll(taskId))).failure).toBe('malformed');
		standIn.failNextPoll(502);
		const unavailable = await failureOf(() => provider.poll(taskId));
		expect([unavailable.failure, unavailable.retryable]).toEqual(['unavailable', true]);
		standIn.failNextCreate(200, { code: 200, message: '', data: { status: 'processing' } });
		expect((await failureOf(() => provider.submit({ model: MODEL, request }))).failure).toBe('malformed');
		expect(await provider.poll(taskId)).toMatchObject({ state: 'pending' });
	});
});
