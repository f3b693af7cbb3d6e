import { beforeAll, describe, expect, it } from 'vitest';
import { probeVideo } from '../../src/media/probe.js';
import { FilmTooLargeError, stitchShots, type ShotFile } from '../../src/media/stitch.js';
import { colourClip, frameRates, loudness, meanColour, probe, probeMedia } from '../helpers/ffmpeg.js';

/**
 * Stitching a sequence's shots with the real ffmpeg and ffprobe: order, size, frame rate, sound
 * and duration measured on the film, for cuts and crossfades, shots of different shapes and
 * rates, with and without sound, and against an upload limit.
 */

const MiB = 1024 * 1024;
/** ffmpeg's test tone plays at an eighth of full scale (RMS about 0.09); silence is all but 0. */
const TONE = 0.04;
const SILENCE = 0.003;

const shotOf = async (data: Buffer): Promise<ShotFile> => ({ data, probe: await probeVideo(data) });

/** Which of red, green and blue dominates a frame (the padding is black). */
function dominant(rgb: readonly number[]): 'red' | 'green' | 'blue' {
	const [r = 0, g = 0, b = 0] = rgb;
	if (r > g && r > b) return 'red';
	return g > b ? 'green' : 'blue';
}

let red: ShotFile;
let green: ShotFile;
let blue: ShotFile;

describe('stitching shots into one film', () => {
	beforeAll(async () => {
		// Three shapes and three rates; the first and last with a tone, the middle one silent.
		red = await shotOf(await colourClip({ colour: 'red', width: 640, height: 360, seconds: 2, fps: 30, sound: true }));
		green = await shotOf(await colourClip({ colour: 'lime', width: 320, height: 240, seconds: 1.5, fps: 24 }));
		blue = await shotOf(
			await colourClip({ colour: 'blue', width: 360, height: 640, seconds: 2, fps: 25, sound: true }),
		);
	}, 60_000);

	it('cuts: the shots in order, one size and one constant rate, sound where it was, the sum of their lengths', async () => {
		const film = await stitchShots([red, green, blue], { transition: 'cut', limit: 10 * MiB });
		const media = await probeMedia(film.data);
		expect(media.video).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: 640, height: 360 });
		expect(media.faststart).toBe(true);
		expect(media.audio).toMatchObject({ codec: 'aac', channels: 2 });
		expect(media.duration).toBeCloseTo(5.5, 1);
		const rates = await frameRates(film.data);
		expect(rates).toEqual({ declared: '30/1', average: '30/1' });
		const frames = await probe(film.data);
		expect(frames.frames).toBe(165);

		expect(dominant(await meanColour(film.data, 30))).toBe('red');
		expect(dominant(await meanColour(film.data, 82))).toBe('green');
		expect(dominant(await meanColour(film.data, 135))).toBe('blue');
		// The portrait shot is scaled to fit and padded, not stretched: most of its frame is black.
		const [, , portraitBlue = 0] = await meanColour(film.data, 135);
		expect(portraitBlue).toBeLessThan(120);

		// The tone plays under the red and blue shots, silence under the green one.
		expect(await loudness(film.data, 0.2, 1.6)).toBeGreaterThan(TONE);
		expect(await loudness(film.data, 2.2, 1.1)).toBeLessThan(SILENCE);
		expect(await loudness(film.data, 3.7, 1.6)).toBeGreaterThan(TONE);
	}, 60_000);

	it('crossfades: 0.5 s of picture and sound at each join, so the film is 0.5 s shorter per join', async () => {
		const film = await stitchShots([red, green, blue], { transition: 'crossfade', limit: 10 * MiB });
		const media = await probeMedia(film.data);
		expect(media.duration).toBeCloseTo(4.5, 1);
		expect(media.audio?.codec).toBe('aac');
		// Red alone, then halfway through the first join (1.5 s to 2.0 s) both at once, then green.
		expect(dominant(await meanColour(film.data, 15))).toBe('red');
		const [r = 0, g = 0] = await meanColour(film.data, 52);
		expect(r).toBeGreaterThan(60);
		expect(g).toBeGreaterThan(60);
		expect(dominant(await meanColour(film.data, 66))).toBe('green');
		expect(dominant(await meanColour(film.data, 120))).toBe('blue');
		// The tone fades out across the first join and is gone in the green shot.
		expect(await loudness(film.data, 0.2, 1.0)).toBeGreaterThan(TONE);
		expect(await loudness(film.data, 2.05, 0.4)).toBeLessThan(SILENCE);
	}, 60_000);

	it('has no sound at all when no shot has any, and takes the highest frame rate', async () => {
		const film = await stitchShots([green, green], { transition: 'cut', limit: 10 * MiB });
		const media = await probeMedia(film.data);
		expect(media.audio).toBeUndefined();
		expect(media.video).toMatchObject({ width: 320, height: 240 });
		expect(await frameRates(film.data)).toEqual({ declared: '24/1', average: '24/1' });
		expect(media.duration).toBeCloseTo(3, 1);
	}, 60_000);

	it('fits the upload limit it is given, smaller only where the bitrate would fall below the watchable floor', async () => {
		const large = await shotOf(
			await colourClip({ colour: 'red', width: 1280, height: 720, seconds: 6, fps: 30, sound: true }),
		);
		const limit = MiB;
		const film = await stitchShots([large, large], { transition: 'cut', limit });
		expect(film.data.length).toBeLessThanOrEqual(limit);
		const media = await probeMedia(film.data);
		expect(media.duration).toBeCloseTo(12, 1);
		// 12 s in 1 MiB leaves about 500 kbit/s of picture: under the floor at 720p and 540p, over it at 360p.
		expect(media.video).toMatchObject({ width: 640, height: 360 });
		const roomy = await stitchShots([large, large], { transition: 'cut', limit: 10 * MiB });
		expect((await probeMedia(roomy.data)).video).toMatchObject({ width: 1280, height: 720 });
	}, 60_000);

	it('refuses a film no watchable size fits', async () => {
		await expect(stitchShots([red, blue], { transition: 'cut', limit: 20 * 1024 })).rejects.toBeInstanceOf(
			FilmTooLargeError,
		);
	});
});
