import { describe, expect, it } from 'vitest';
import { fitForDiscord } from '../../src/media/fit.js';
import { UnreadableVideoError } from '../../src/media/probe.js';
import { CLIPS, makeClip, probeMedia } from '../helpers/ffmpeg.js';

/**
 * Making clips fit Discord with the real ffmpeg and ffprobe: every kind a provider may send,
 * checked afterwards with ffprobe.
 */

const MiB = 1024 * 1024;

const twelveMegabytes = () => makeClip(CLIPS.twelveMegabytes);

describe('fitting clips to Discord with ffmpeg', () => {
	it('re-encodes a 12 MB clip under a 10 MiB limit: same duration, size and tone, H.264 yuv420p, faststart', async () => {
		const source = await twelveMegabytes();
		expect(source.length).toBeGreaterThan(10 * MiB);
		const before = await probeMedia(source);
		const fitted = await fitForDiscord(source, { limit: 10 * MiB });
		if (fitted.kind !== 'encoded') throw new Error(`expected a re-encode, got ${fitted.kind}`);
		expect(fitted.reason).toBe('too-large');
		expect(fitted.data.length).toBeLessThanOrEqual(10 * MiB);
		const after = await probeMedia(fitted.data);
		expect(after.format).toContain('mp4');
		expect(after.video).toEqual({ codec: 'h264', pixFmt: 'yuv420p', width: 1280, height: 720 });
		expect(after.duration).toBeCloseTo(before.duration, 1);
		expect(after.audio).toEqual({ codec: 'aac', channels: 2 });
		expect(after.faststart).toBe(true);
	}, 120_000);

	it('leaves the same clip byte for byte under a 50 MiB limit', async () => {
		const source = await twelveMegabytes();
		const fitted = await fitForDiscord(source, { limit: 50 * MiB });
		expect(fitted.kind).toBe('as-is');
	});

	it('converts HEVC to H.264 in MP4, keeping the AAC audio', async () => {
		const source = await makeClip(CLIPS.hevc);
		expect((await probeMedia(source)).video.codec).toBe('hevc');
		const fitted = await fitForDiscord(source, { limit: 10 * MiB });
		if (fitted.kind !== 'encoded') throw new Error(`expected a conversion, got ${fitted.kind}`);
		expect(fitted.reason).toBe('format');
		const after = await probeMedia(fitted.data);
		expect(after.video).toEqual({ codec: 'h264', pixFmt: 'yuv420p', width: 640, height: 360 });
		expect(after.audio).toEqual({ codec: 'aac', channels: 2 });
		expect(after.duration).toBeCloseTo(2, 1);
	});

	it('converts a WebM (VP9 and Opus) to an MP4 of H.264 and AAC', async () => {
		const source = await makeClip(CLIPS.webm);
		expect((await probeMedia(source)).format).toContain('webm');
		const fitted = await fitForDiscord(source, { limit: 10 * MiB });
		if (fitted.kind !== 'encoded') throw new Error(`expected a conversion, got ${fitted.kind}`);
		const after = await probeMedia(fitted.data);
		expect(after.format).toContain('mp4');
		expect(after.video.codec).toBe('h264');
		expect(after.audio).toEqual({ codec: 'aac', channels: 2 });
		expect(after.faststart).toBe(true);
	});

	it('finds a clip that cannot fit at any watchable quality unfittable, without encoding it', async () => {
		const long = await makeClip(CLIPS.unfittable);
		expect(long.length).toBeGreaterThan(10 * MiB);
		let encoded = false;
		const fitted = await fitForDiscord(long, { limit: 10 * MiB, onEncode: () => (encoded = true) });
		expect(fitted).toMatchObject({ kind: 'unfittable', reason: 'below-watchable' });
		expect(encoded).toBe(false);
	}, 60_000);

	it('refuses bytes that are no video', async () => {
		const junk = Buffer.concat([Buffer.from('000000186674797069736f6d', 'hex'), Buffer.alloc(4096, 3)]);
		await expect(fitForDiscord(junk, { limit: 10 * MiB })).rejects.toBeInstanceOf(UnreadableVideoError);
	});
});
