import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadCapped } from '../../src/providers/http.js';
import { MinimaxProvider } from '../../src/providers/minimax.js';
import type { VideoRequest } from '../../src/video/request.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';
import { failureOf, submitTask, untilDone } from '../helpers/provider.js';

const request: VideoRequest = { prompt: '[Pan left] a fox in the snow', camera: ['Pan left'], directed: true };
const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

describe('MiniMax provider against its stand-in', () => {
	let standIn: MinimaxStandIn;
	let provider: MinimaxProvider;

	beforeEach(async () => {
		// Mounted under a prefix, like the seed's gateway path `/minimax/v1/video_generation`.
		standIn = await startMinimaxStandIn({ pathPrefix: '/minimax', generationMs: 300 });
		provider = new MinimaxProvider({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl });
	});
	afterEach(async () => {
		await standIn.close();
	});

	it('submits, polls through the documented states, and downloads the exact bytes', async () => {
		// A long run while the first poll is read, so a loaded machine still finds the task queued.
		standIn.generationMs = 60_000;
		const taskId = await submitTask(provider, {
			model: 'I2V-01-Director',
			request,
			firstFrame: { data: png, contentType: 'image/png' },
		});
		expect(standIn.creates).toHaveLength(1);
		expect(standIn.creates[0]?.body).toEqual({
			model: 'I2V-01-Director',
			prompt: '[Pan left] a fox in the snow',
			first_frame_image: `data:image/png;base64,${png.toString('base64')}`,
		});
		expect(await provider.poll(taskId)).toEqual({ state: 'pending', phase: 'queued' });
		standIn.generationMs = 300;
		const done = await untilDone(provider, taskId);
		if (done.state !== 'succeeded') throw new Error(`unexpected ${done.state}`);
		const clip = await downloadCapped('minimax', done.videoUrl, 10 * 1024 * 1024);
		expect(clip.ok && clip.data.equals(standIn.video)).toBe(true);
	});

	it('sends a subject reference and the prompt optimizer as documented', async () => {
		await provider.submit({
			model: 'S2V-01',
			request: { ...request, promptOptimizer: false, directed: false },
			subject: { data: png, contentType: 'image/png' },
		});
		expect(standIn.creates[0]?.body).toMatchObject({
			model: 'S2V-01',
			prompt_optimizer: false,
			subject_reference: [{ type: 'character', image: [`data:image/png;base64,${png.toString('base64')}`] }],
		});
	});

	it('classifies base_resp errors from the error table', async () => {
		standIn.failNextCreate(1008, 'insufficient balance');
		expect((await failureOf(() => provider.submit({ model: 'T2V-01', request }))).failure).toBe('credits');
		standIn.failNextCreate(2013, 'invalid params');
		expect((await failureOf(() => provider.submit({ model: 'T2V-01', request }))).failure).toBe('rejected');
		const wrongKey = new MinimaxProvider({ apiKey: 'nope', baseUrl: standIn.baseUrl });
		const auth = await failureOf(() => wrongKey.submit({ model: 'T2V-01', request }));
		expect(auth.failure).toBe('auth');
		expect(auth.message).not.toContain('nope');
	});

	it('retries a create refused with a retryable code and creates one task', async () => {
		standIn.failNextCreate(1002, 'rate limit');
		const taskId = await submitTask(provider, { model: 'T2V-01', request });
		expect(taskId).toMatch(/^\d+$/);
		expect(standIn.creates).toHaveLength(2);
	}, 15_000);

	it('reports a task refused by the safety filter as final', async () => {
		standIn.failNextTask(1027);
		const taskId = await submitTask(provider, { model: 'T2V-01', request });
		const done = await untilDone(provider, taskId);
		expect(done.state === 'failed' && done.error.failure).toBe('safety-output');
	});

	it('ends a task spelled `Failed` (what MiniMax’s CLI checks) as it ends one spelled `Fail`', async () => {
		standIn.failNextTask(0, 'Failed');
		const taskId = await submitTask(provider, { model: 'MiniMax-Hailuo-2.3', request });
		const done = await untilDone(provider, taskId);
		expect(done.state === 'failed' && done.error.failure).toBe('generation-failed');
	});

	it('turns a malformed answer and a 5xx into typed errors, never a crash', async () => {
		const taskId = await submitTask(provider, { model: 'T2V-01', request });
		standIn.malformNextQuery();
		expect((await failureOf(() => provider.poll(taskId))).failure).toBe('malformed');
		standIn.failNextQuery(502);
		const unavailable = await failureOf(() => provider.poll(taskId));
		expect(unavailable.failure).toBe('unavailable');
		expect(unavailable.retryable).toBe(true);
	});

	it('stops a download at the size cap', async () => {
		const taskId = await submitTask(provider, { model: 'T2V-01', request });
		const done = await untilDone(provider, taskId);
		if (done.state !== 'succeeded') throw new Error('expected success');
		expect(await downloadCapped('minimax', done.videoUrl, 1000)).toEqual({
			ok: false,
			reason: 'too-large',
			bytes: standIn.video.length,
		});
	});
});
