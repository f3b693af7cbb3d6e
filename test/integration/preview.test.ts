import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planShots, PreviewProvider, titleText } from '../../src/providers/preview.js';
import type { ProviderImage, SubmitInput } from '../../src/providers/types.js';
import type { CameraMove } from '../../src/video/camera.js';
import {
	estimateScale,
	estimateShift,
	grayFrames,
	meanAbsDiff,
	meanColour,
	probe,
	scaled,
	texturePng,
	type Gray,
} from '../helpers/ffmpeg.js';
import { failureOf } from '../helpers/provider.js';

// Frames at 0.5 s and 2.5 s: inside the first half of the clip, away from the shot's eased ends.
const EARLY = 12;
const LATER = 62;

let workDir: string;
let provider: PreviewProvider;
let texture: ProviderImage;

beforeAll(async () => {
	workDir = await mkdtemp(join(tmpdir(), 'clapper-preview-test-'));
	provider = new PreviewProvider({ workDir });
	texture = { data: await texturePng(), contentType: 'image/png' };
});
afterAll(async () => {
	await rm(workDir, { recursive: true, force: true });
});

/** A request over the textured first frame; `null` for none (the title card). */
const input = (prompt: string, firstFrame: ProviderImage | null = texture): SubmitInput => ({
	model: 'animatic',
	request: { prompt, camera: [], directed: prompt.includes('[') },
	...(firstFrame === null ? {} : { firstFrame }),
});

async function render(prompt: string, firstFrame: ProviderImage | null = texture): Promise<Buffer> {
	const submission = await provider.submit(input(prompt, firstFrame));
	if (submission.kind !== 'video') throw new Error('expected the clip itself');
	expect(submission.costUsd).toBe(0);
	return submission.data;
}

describe('preview provider (real ffmpeg)', () => {
	it('renders a 6 s, 640x360, 25 fps H.264 MP4 with the moov atom first', async () => {
		const started = Date.now();
		const clip = await render('[Pan left] a fox crosses the snow');
		const elapsed = Date.now() - started;
		const info = await probe(clip);
		expect(info).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: 640, height: 360, fps: '25/1', frames: 150 });
		expect(info.duration).toBeCloseTo(6, 1);
		const moov = clip.indexOf('moov');
		expect(moov).toBeGreaterThan(0);
		expect(moov).toBeLessThan(clip.indexOf('mdat'));
		expect(clip.length).toBeLessThan(10 * 1024 * 1024);
		console.info(`preview: textured first frame rendered in ${elapsed} ms, ${clip.length} bytes`);
	});

	// Camera goes one way, content slides the other (+x right, +y down, in 160x90 frame pixels).
	const shifts: [CameraMove, 'x' | 'y', 1 | -1][] = [
		['Pan left', 'x', 1],
		['Truck left', 'x', 1],
		['Pan right', 'x', -1],
		['Truck right', 'x', -1],
		['Pedestal up', 'y', 1],
		['Tilt up', 'y', 1],
		['Pedestal down', 'y', -1],
		['Tilt down', 'y', -1],
	];
	it.each(shifts)('%s moves the content along %s with sign %i', async (move, axis, sign) => {
		const [a, b] = await grayFrames(await render(`[${move}] a textured wall`), [EARLY, LATER]);
		if (a === undefined || b === undefined) throw new Error('missing frames');
		const shift = estimateShift(a, b);
		const along = axis === 'x' ? shift.dx : shift.dy;
		const across = axis === 'x' ? shift.dy : shift.dx;
		expect(Math.sign(along)).toBe(sign);
		expect(Math.abs(along)).toBeGreaterThanOrEqual(axis === 'x' ? 8 : 4);
		expect(Math.abs(across)).toBeLessThanOrEqual(1);
	});

	const scales: [CameraMove, 'in' | 'out'][] = [
		['Zoom in', 'in'],
		['Push in', 'in'],
		['Zoom out', 'out'],
		['Pull out', 'out'],
		['Tracking shot', 'in'],
	];
	it.each(scales)('%s zooms %s about the centre', async (move, way) => {
		const [a, b] = await grayFrames(await render(`[${move}] a textured wall`), [EARLY, LATER]);
		if (a === undefined || b === undefined) throw new Error('missing frames');
		const scale = estimateScale(a, b);
		if (way === 'in') expect(scale).toBeGreaterThan(move === 'Tracking shot' ? 1.02 : 1.08);
		else expect(scale).toBeLessThan(0.93);
		// The scale explains the change: the matched frame is far closer than the unscaled one.
		expect(meanAbsDiff(scaled(a, scale), b, 0.3)).toBeLessThan(meanAbsDiff(a, b, 0.3) / 2);
	});

	it('Shake jitters from frame to frame while Static shot holds still', async () => {
		const frames = [50, 51, 52, 53, 54];
		const shaken = await grayFrames(await render('[Shake] a textured wall'), frames);
		const still = await grayFrames(await render('[Static shot] a textured wall'), [...frames, LATER + 40]);
		const steps = (list: typeof shaken) => list.slice(1).map((frame, i) => meanAbsDiff(list[i] ?? frame, frame));
		for (const step of steps(shaken)) expect(step).toBeGreaterThan(4);
		for (const step of steps(still)) expect(step).toBeLessThan(1);
		const moved = shaken.slice(1).map((frame, i) => estimateShift(shaken[i] ?? frame, frame, 8));
		expect(moved.some(({ dx, dy }) => dx !== 0 || dy !== 0)).toBe(true);
	});

	it('plays brackets at different places one after another: [Pan left] then [Pan right]', async () => {
		const prompt = '[Pan left] a fox trots through the snow, [Pan right] then turns back';
		expect(planShots(prompt).map((shot) => shot.moves)).toEqual([['Pan left'], ['Pan right']]);
		// Shots of 3 s each: frames 0-74 and 75-149; compare frames 25 and 45 of each.
		const [a, b, c, d] = await grayFrames(await render(prompt), [25, 45, 100, 120]);
		if (a === undefined || b === undefined || c === undefined || d === undefined) throw new Error('missing frames');
		expect(estimateShift(a, b).dx).toBeGreaterThanOrEqual(8);
		expect(estimateShift(c, d).dx).toBeLessThanOrEqual(-8);
	});

	it('runs the moves of one bracket together and skips brackets that are not moves', () => {
		expect(planShots('[Pan left, Zoom in] a fox [not a move] [ ]')).toEqual([
			{ moves: ['Pan left', 'Zoom in'], dx: -0.2, dy: 0, zoom: 1.4, shake: 0 },
		]);
		// No moves at all: one slow push-in.
		expect(planShots('a fox [at dawn]')).toEqual([{ moves: [], dx: 0, dy: 0, zoom: 1.1, shake: 0 }]);
	});

	it('draws a title card of the prompt when there is no first frame, and moves over it', async () => {
		// Characters drawtext or the filter graph would read as syntax if the text were inline.
		const prompt = `[Pan right] 100% {real}: a "lighthouse" at dusk \\ %{localtime} 'quoted', waves; gulls [1] ${'é'.repeat(40)}`;
		const text = titleText(prompt);
		expect(text.startsWith('100% {real}: a "lighthouse" at')).toBe(true);
		expect(text).not.toContain('Pan right');
		expect(Math.max(...text.split('\n').map((line) => Array.from(line).length))).toBeLessThanOrEqual(30);
		expect(titleText('[Pan left]  [Zoom in]')).toBe('[Pan left] [Zoom in]');

		const started = Date.now();
		const clip = await render(prompt, null);
		console.info(`preview: title card rendered in ${Date.now() - started} ms, ${clip.length} bytes`);
		const info = await probe(clip);
		expect(info).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: 640, height: 360, frames: 150 });
		expect(info.duration).toBeCloseTo(6, 1);
		// The card's background: the blue-violet gradient, not the textured frame's random colours.
		const [red, green, blue] = await meanColour(clip, EARLY);
		expect(blue).toBeGreaterThan((red ?? 0) + 20);
		expect(blue).toBeGreaterThan((green ?? 0) + 20);
		// 0.5 s to 1.5 s: a shorter travel than the grid's period, so the grid cannot alias.
		const [a, b] = await grayFrames(clip, [EARLY, 37]);
		if (a === undefined || b === undefined) throw new Error('missing frames');
		expect(estimateShift(a, b, 12).dx).toBeLessThanOrEqual(-3);

		// Another prompt changes the middle of the card (the text) and nothing else.
		const [other] = await grayFrames(await render('[Pan right] a fox', null), [EARLY]);
		if (other === undefined) throw new Error('missing frame');
		expect(meanAbsDiff(a, other, 0.35)).toBeGreaterThan(5);
		const topRows = (frame: Gray): Gray => ({
			...frame,
			height: 12,
			pixels: frame.pixels.subarray(0, frame.width * 12),
		});
		expect(meanAbsDiff(topRows(a), topRows(other))).toBeLessThan(1);
	});

	it('stops ffmpeg quickly on abort, rejects with the reason, and leaves no files behind', async () => {
		const controller = new AbortController();
		const reason = new Error('shutting down');
		const started = Date.now();
		const pending = provider.submit(input('[Zoom in] a fox'), controller.signal);
		setTimeout(() => controller.abort(reason), 150);
		await expect(pending).rejects.toBe(reason);
		expect(Date.now() - started).toBeLessThan(1_000);
		expect(await readdir(workDir)).toEqual([]);
		// Already aborted: never starts.
		await expect(provider.submit(input('[Zoom in] a fox'), controller.signal)).rejects.toBe(reason);
	});

	it('maps ffmpeg failures, timeouts and bad input to provider errors', async () => {
		const broken = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 7)]);
		const brokenPng = { data: broken, contentType: 'image/png' } as const;
		const failed = await failureOf(() => provider.submit(input('[Pan left] a fox', brokenPng)));
		expect(failed.failure).toBe('generation-failed');
		expect(failed.message).toMatch(/ffmpeg exited with \d+: ./);

		const missing = new PreviewProvider({ workDir, ffmpegPath: join(workDir, 'no-ffmpeg') });
		expect((await failureOf(() => missing.submit(input('a fox')))).failure).toBe('generation-failed');

		const slow = new PreviewProvider({ workDir, timeoutMs: 100 });
		expect((await failureOf(() => slow.submit(input('a fox')))).failure).toBe('timed-out');

		const notPng = { data: Buffer.from('GIF89a'), contentType: 'image/png' } as const;
		expect((await failureOf(() => provider.submit(input('a fox', notPng)))).failure).toBe('rejected');
		expect((await failureOf(() => provider.submit({ ...input('a fox'), model: 'T2V-01' }))).failure).toBe('rejected');
		expect((await failureOf(() => provider.poll())).failure).toBe('malformed');
		expect(await readdir(workDir)).toEqual([]);
	});
});
