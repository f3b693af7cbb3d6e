import { describe, expect, it } from 'vitest';
import { budgetBytes, maxRateFor, planFit, playsInline } from '../../src/media/fit.js';
import type { VideoProbe } from '../../src/media/probe.js';

const MiB = 1024 * 1024;

type Overrides = Partial<Omit<VideoProbe, 'audio'>> & { audio?: VideoProbe['audio'] | undefined };

const h264 = (over: Overrides = {}, video: Partial<VideoProbe['video']> = {}): VideoProbe => {
	const { audio = { codec: 'aac', channels: 2, bitRate: 128_000 }, ...rest } = { ...over };
	const probe = {
		container: 'mp4',
		durationS: 6,
		video: { codec: 'h264', pixFmt: 'yuv420p', width: 1280, height: 720, fps: 30, ...video },
		...rest,
	};
	return 'audio' in over && over.audio === undefined ? probe : { ...probe, audio };
};

describe('planFit: how a clip is made to fit Discord', () => {
	it('leaves a clip that fits and plays inline as it is', () => {
		expect(planFit(h264(), 12 * MiB, 50 * MiB)).toEqual({ kind: 'as-is' });
		expect(planFit(h264({ audio: undefined }), 1_000, 10 * MiB)).toEqual({ kind: 'as-is' });
	});

	it('re-encodes a clip over the limit at its own size, capped from the duration and the limit', () => {
		const plan = planFit(h264(), 12 * MiB, 10 * MiB);
		expect(plan).toMatchObject({ kind: 'encode', reason: 'too-large', shortSide: undefined, audio: { kind: 'copy' } });
		// (10 MiB less the margin, less the audio's share) over the duration and the encoder's buffer.
		const expected = ((10 * MiB - 0.02 * 10 * MiB) * 8 - 192_000 * 6) / 7;
		expect(plan.kind === 'encode' && plan.maxRate).toBe(Math.floor(expected));
		expect(maxRateFor(budgetBytes(10 * MiB), 6, 192_000)).toBeCloseTo(expected, 3);
	});

	it('converts what does not play inline even when it fits: HEVC, WebM, 10-bit, Opus audio', () => {
		expect(planFit(h264({}, { codec: 'hevc' }), 200_000, 10 * MiB)).toMatchObject({ kind: 'encode', reason: 'format' });
		const webm = h264({ container: 'webm', audio: { codec: 'opus', channels: 2 } }, { codec: 'vp9' });
		expect(playsInline(webm)).toBe(false);
		expect(planFit(webm, 200_000, 10 * MiB)).toMatchObject({
			kind: 'encode',
			reason: 'format',
			audio: { kind: 'aac', bps: 128_000 },
		});
		expect(planFit(h264({}, { pixFmt: 'yuv420p10le' }), 200_000, 10 * MiB)).toMatchObject({ reason: 'format' });
		expect(planFit(h264({ audio: { codec: 'mp3', channels: 2 } }), 200_000, 10 * MiB)).toMatchObject({
			audio: { kind: 'aac' },
		});
	});

	it('lowers the resolution only when the bitrate would fall below the watchable floor', () => {
		// A minute of 1080p in 10 MiB: about 1.2 Mb/s, too little for 1080p or 720p, enough for 540p.
		const minute = h264({ durationS: 60 }, { width: 1920, height: 1080 });
		expect(planFit(minute, 40 * MiB, 10 * MiB)).toMatchObject({ kind: 'encode', shortSide: 540 });
		// Portrait clips scale on their shorter side too.
		const portrait = h264({ durationS: 60 }, { width: 1080, height: 1920 });
		expect(planFit(portrait, 40 * MiB, 10 * MiB)).toMatchObject({ kind: 'encode', shortSide: 540 });
		// Ten seconds of 1080p keep their size.
		expect(planFit(h264({ durationS: 10 }, { width: 1920, height: 1080 }), 20 * MiB, 10 * MiB)).toMatchObject({
			shortSide: undefined,
		});
	});

	it('gives up when even the smallest size falls below the floor, or the duration is unknown', () => {
		const long = h264({ durationS: 300, audio: undefined }, { width: 640, height: 360 });
		expect(planFit(long, 15 * MiB, 10 * MiB)).toEqual({ kind: 'unfittable', reason: 'below-watchable' });
		expect(planFit(h264({ durationS: 0 }), 12 * MiB, 10 * MiB)).toEqual({ kind: 'unfittable', reason: 'no-duration' });
	});
});
