import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadCapped } from '../../src/providers/http.js';
import { MinimaxProvider } from '../../src/providers/minimax.js';
import type { VideoRequest } from '../../src/video/request.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';
import { failureOf, submitTask, untilDone } from '../helpers/provider.js';

/**
 * MiniMax-H3 and H3-Max through the MiniMax provider, against the v2 stand-in: the documented body
 * for each request shape, every task status, every error answer, the time-limited links, and the
 * cost billed per second.
 */

const request: VideoRequest = { prompt: 'a fox in the snow', camera: [], directed: false };
const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const jpeg = Buffer.from('ffd8ffe000104a464946', 'hex');
const asDataUrl = (data: Buffer, type: string) => `data:${type};base64,${data.toString('base64')}`;

describe('MiniMax v2 (H3) against its stand-in', () => {
	let standIn: MinimaxStandIn;
	let provider: MinimaxProvider;

	beforeEach(async () => {
		standIn = await startMinimaxStandIn({ pathPrefix: '/minimax', generationMs: 300 });
		provider = new MinimaxProvider({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl });
	});
	afterEach(async () => {
		await standIn.close();
	});

	const v2 = () => standIn.v2;

	it('makes a text-to-video clip: one text item, 6 s at 768P in 16:9 by default, through every status, exact bytes', async () => {
		const taskId = await submitTask(provider, { model: 'MiniMax-H3', request });
		expect(taskId).toMatch(/^v2:\d+$/);
		expect(standIn.creates).toHaveLength(0);
		expect(v2().creates.map((call) => call.body)).toEqual([
			{
				model: 'MiniMax-H3',
				content: [{ type: 'text', text: 'a fox in the snow' }],
				duration: 6,
				resolution: '768P',
				ratio: '16:9',
			},
		]);
		expect(await provider.poll(taskId)).toEqual({ state: 'pending', phase: 'queued' });
		await new Promise((resolve) => setTimeout(resolve, 150));
		expect(await provider.poll(taskId)).toEqual({ state: 'pending', phase: 'generating' });
		const done = await untilDone(provider, taskId);
		if (done.state !== 'succeeded') throw new Error(`unexpected ${done.state}`);
		// Billed per second: 6 s × the list price at 768P.
		expect(done.costUsd).toBe(0.48);
		const clip = await downloadCapped('minimax', done.videoUrl, 10 * 1024 * 1024);
		expect(clip.ok && clip.data.equals(standIn.video)).toBe(true);
		expect(standIn.counts.query).toBe(0);
	});

	it('sends the asked ratio, length and resolution, and camera brackets as prose, never a bracket', async () => {
		await submitTask(provider, {
			model: 'MiniMax-H3',
			request: {
				prompt: '[Pan left, Zoom in] a phone-shaped alley [red] at night',
				camera: ['Pan left', 'Zoom in'],
				directed: true,
				ratio: '9:16',
				duration: 12,
				resolution: '2k',
			},
		});
		expect(v2().creates[0]?.body).toEqual({
			model: 'MiniMax-H3',
			content: [{ type: 'text', text: 'The camera pans left and zooms in. A phone-shaped alley red at night' }],
			duration: 12,
			resolution: '2K',
			ratio: '9:16',
		});
	});

	it('sends a first and a last frame by role, leaving the shape to the frames', async () => {
		await submitTask(provider, {
			model: 'MiniMax-H3',
			request: { ...request, ratio: '1:1' },
			firstFrame: { data: png, contentType: 'image/png' },
			lastFrame: { data: jpeg, contentType: 'image/jpeg' },
		});
		expect(v2().creates[0]?.body).toEqual({
			model: 'MiniMax-H3',
			content: [
				{ type: 'text', text: 'a fox in the snow' },
				{ type: 'image_url', image_url: { url: asDataUrl(png, 'image/png') }, role: 'first_frame' },
				{ type: 'image_url', image_url: { url: asDataUrl(jpeg, 'image/jpeg') }, role: 'last_frame' },
			],
			duration: 6,
			resolution: '768P',
		});
	});

	it('sends a subject image as one reference image, with the shape only when asked', async () => {
		const subject = { data: png, contentType: 'image/png' } as const;
		await submitTask(provider, { model: 'MiniMax-H3', request, subject });
		await submitTask(provider, { model: 'MiniMax-H3', request: { ...request, ratio: '3:4' }, subject });
		const [plain, shaped] = v2().creates.map((call) => call.body);
		expect(plain).toEqual({
			model: 'MiniMax-H3',
			content: [
				{ type: 'text', text: 'a fox in the snow' },
				{ type: 'image_url', image_url: { url: asDataUrl(png, 'image/png') }, role: 'reference_image' },
			],
			duration: 6,
			resolution: '768P',
		});
		expect(shaped).toMatchObject({ ratio: '3:4' });
	});

	it('refuses, before any call, what a model cannot do: frames with references, H3-Max in 4 s', async () => {
		const image = { data: png, contentType: 'image/png' } as const;
		const mixed = await failureOf(() =>
			provider.submit({ model: 'MiniMax-H3', request, firstFrame: image, subject: image }),
		);
		expect(mixed.failure).toBe('rejected');
		const short = await failureOf(() =>
			provider.submit({ model: 'MiniMax-H3-Max', request: { ...request, duration: 4 } }),
		);
		expect(short.failure).toBe('rejected');
		const reference = await failureOf(() => provider.submit({ model: 'MiniMax-H3-Max', request, subject: image }));
		expect(reference.failure).toBe('rejected');
		expect(v2().creates).toHaveLength(0);
		await submitTask(provider, { model: 'MiniMax-H3-Max', request: { ...request, resolution: '480P', duration: 5 } });
		expect(v2().creates[0]?.body).toMatchObject({ model: 'MiniMax-H3-Max', duration: 5, resolution: '480P' });
	});

	it('the stand-in refuses what MiniMax refuses, in MiniMax’s error shape', async () => {
		const post = (body: unknown) =>
			fetch(`${standIn.baseUrl}/v2/video_generation`, {
				method: 'POST',
				headers: { 'authorization': `Bearer ${standIn.apiKey}`, 'content-type': 'application/json' },
				body: JSON.stringify(body),
			});
		const image = { type: 'image_url', image_url: { url: asDataUrl(png, 'image/png') } };
		const text = { type: 'text', text: 'x' };
		const base = { model: 'MiniMax-H3', duration: 6, resolution: '768P' };
		for (const body of [
			{ ...base, content: [text] }, // text-to-video without a concrete ratio
			{ ...base, content: [text], ratio: 'adaptive' },
			{ ...base, content: [text, { ...image, role: 'first_frame' }, { ...image, role: 'reference_image' }] },
			{ ...base, content: [text], ratio: '16:9', duration: 16 },
			{ ...base, content: [text], ratio: '16:9', resolution: '1080P' },
			{ ...base, model: 'MiniMax-H3-Max', content: [text, { ...image, role: 'reference_image' }] },
			{ ...base, content: [{ type: 'text', text: ' ' }], ratio: '16:9' },
		]) {
			const answer = await post(body);
			expect(answer.status, JSON.stringify(body)).toBe(400);
			expect(await answer.json()).toMatchObject({
				type: 'error',
				error: { type: 'bad_request_error', message: expect.stringMatching(/\(2013\)$/), http_code: '400' },
			});
		}
		expect((await post({ ...base, content: [text], ratio: '16:9' })).status).toBe(200);
	});

	it('words each end of a task in its own class: failed, refused by the filter, cancelled, expired', async () => {
		const ending = async (end: () => void) => {
			end();
			const taskId = await submitTask(provider, { model: 'MiniMax-H3', request });
			const done = await untilDone(provider, taskId);
			if (done.state !== 'failed') throw new Error(`unexpected ${done.state}`);
			return done.error;
		};
		expect(
			(await ending(() => v2().endNextTask('failed', { code: '1000', message: 'generation failed' }))).failure,
		).toBe('generation-failed');
		expect(
			(await ending(() => v2().endNextTask('failed', { code: '1027', message: 'output sensitive' }))).failure,
		).toBe('safety-output');
		expect((await ending(() => v2().endNextTask('cancelled'))).failure).toBe('task-cancelled');
		expect((await ending(() => v2().endNextTask('expired'))).failure).toBe('task-expired');
	});

	it('classifies create errors by their MiniMax code, and retries only what made no task', async () => {
		const create = () => provider.submit({ model: 'MiniMax-H3', request });
		v2().failNextCreate(402, 1008, 'insufficient balance');
		expect((await failureOf(create)).failure).toBe('credits');
		v2().failNextCreate(422, 1026, 'video description contains sensitive content');
		expect((await failureOf(create)).failure).toBe('safety-input');
		v2().failNextCreate(400, 2013, 'invalid params, TokenPlan or Credit does not support MiniMax-H3');
		expect((await failureOf(create)).failure).toBe('auth');
		v2().failNextCreate(400, 2013, 'invalid params, duration');
		expect((await failureOf(create)).failure).toBe('rejected');
		const wrongKey = new MinimaxProvider({ apiKey: 'nope', baseUrl: standIn.baseUrl });
		const auth = await failureOf(() => wrongKey.submit({ model: 'MiniMax-H3', request }));
		expect(auth.failure).toBe('auth');
		expect(auth.message).not.toContain('nope');
		const before = v2().creates.length;
		v2().failNextCreate(429, 1002, 'rate limit, please retry later');
		expect(await submitTask(provider, { model: 'MiniMax-H3', request })).toMatch(/^v2:/);
		expect(v2().creates.length - before).toBe(2);
	}, 15_000);

	it('hands out a fresh link on every query of a finished task; an expired one is refused as expired, not as a key problem', async () => {
		const taskId = await submitTask(provider, { model: 'MiniMax-H3', request });
		const first = await untilDone(provider, taskId);
		const second = await provider.poll(taskId);
		if (first.state !== 'succeeded' || second.state !== 'succeeded') throw new Error('expected success');
		expect(second.videoUrl).not.toBe(first.videoUrl);
		v2().linkTtlMs = 0;
		await new Promise((resolve) => setTimeout(resolve, 5));
		const expired = await failureOf(() => downloadCapped('minimax', first.videoUrl, 10 * 1024 * 1024));
		expect(expired.failure).toBe('link-expired');
		expect(expired.details.status).toBe(403);
		v2().linkTtlMs = Number.POSITIVE_INFINITY;
		const fresh = await provider.poll(taskId);
		if (fresh.state !== 'succeeded') throw new Error('expected success');
		const clip = await downloadCapped('minimax', fresh.videoUrl, 10 * 1024 * 1024);
		expect(clip.ok && clip.data.equals(standIn.video)).toBe(true);
		expect(v2().creates).toHaveLength(1);
	});

	it('reports the cost as seconds × the price per second: the configured one over the list price', async () => {
		const priced = new MinimaxProvider({
			apiKey: standIn.apiKey,
			baseUrl: standIn.baseUrl,
			pricesPerSecond: { 'MiniMax-H3': 0.1 },
		});
		const cost = async (client: MinimaxProvider, model: string, extra: Partial<VideoRequest>) => {
			const done = await untilDone(client, await submitTask(client, { model, request: { ...request, ...extra } }));
			return done.state === 'succeeded' ? done.costUsd : undefined;
		};
		expect(await cost(priced, 'MiniMax-H3', { duration: 12, resolution: '2K' })).toBe(1.2);
		expect(await cost(provider, 'MiniMax-H3', { duration: 12, resolution: '2K' })).toBe(1.56);
		expect(await cost(provider, 'MiniMax-H3-Max', { duration: 10, resolution: '480P' })).toBe(0.5);
	});

	it('turns a 5xx on a query into a retryable error and a broken answer into a typed one', async () => {
		const taskId = await submitTask(provider, { model: 'MiniMax-H3', request });
		v2().failNextQuery(500);
		const unavailable = await failureOf(() => provider.poll(taskId));
		expect(unavailable.failure).toBe('unavailable');
		expect(unavailable.retryable).toBe(true);
		const unknown = await failureOf(() => provider.poll('v2:999'));
		expect(unknown.failure).toBe('rejected');
	});
});
