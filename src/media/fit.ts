import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { h264Args, inTempDir, runFfmpeg } from './ffmpeg.js';
import { probeFile, type VideoProbe } from './probe.js';

/**
 * Makes a clip something Discord plays inline and accepts: an MP4 of H.264 in yuv420p (audio, if
 * any, in AAC), no larger than the upload limit. A clip that already is one is left byte for byte;
 * any other is re-encoded once, with a bitrate worked out from its duration and the limit.
 */

/** The container, the muxer's own bytes and rounding: what the limit keeps back from the streams. */
const MIN_MARGIN_BYTES = 64 * 1024;
const MARGIN_SHARE = 0.02;
/** The encoder may run this far ahead of its average (its VBV buffer), so the budget allows for it. */
const BUFFER_SECONDS = 1;
/** AAC kept as it is up to this bitrate; anything else becomes AAC at `AUDIO_BPS`. */
const AUDIO_COPY_MAX_BPS = 192_000;
export const AUDIO_BPS = 128_000;
/** Bits per pixel per frame below which H.264 turns to mush: the watchable floor. */
const MIN_BITS_PER_PIXEL = 0.05;
/** Frame rate the floor is counted at, at most: a 60 fps clip does not need twice the bits to be watchable. */
const FLOOR_FPS = 30;
/** Shorter sides tried, in order, when the bitrate would fall below the floor; none below the last. */
const LADDER = [1080, 720, 540, 360] as const;
/** Encodes tried when one comes out over the limit anyway (each aims lower by the overshoot). */
const ENCODE_ATTEMPTS = 3;

/** True when Discord plays the file inline in every client as it is. */
export function playsInline(probe: VideoProbe): boolean {
	const audioOk = probe.audio === undefined || probe.audio.codec === 'aac';
	return probe.container === 'mp4' && probe.video.codec === 'h264' && probe.video.pixFmt === 'yuv420p' && audioOk;
}

export type AudioPlan =
	{ readonly kind: 'none' } | { readonly kind: 'copy' } | { readonly kind: 'aac'; readonly bps: number };

/** How to make one clip fit, decided from its probe alone. */
export type FitPlan =
	| { readonly kind: 'as-is' }
	| {
			readonly kind: 'encode';
			/** Why: over the limit, or a format that does not play inline. */
			readonly reason: 'too-large' | 'format';
			/** The shorter side to scale to; undefined keeps the size. */
			readonly shortSide: number | undefined;
			/** The video bitrate cap (bits per second). */
			readonly maxRate: number;
			readonly audio: AudioPlan;
	  }
	/** Nothing fits: below the floor at every size, or a duration unknown. */
	| { readonly kind: 'unfittable'; readonly reason: 'below-watchable' | 'no-duration' };

/** The bytes a clip may take: the limit less the container's margin. */
export const budgetBytes = (limit: number): number => limit - Math.max(MIN_MARGIN_BYTES, limit * MARGIN_SHARE);

function audioPlan(probe: VideoProbe): AudioPlan {
	const { audio } = probe;
	if (audio === undefined) return { kind: 'none' };
	const copyable = audio.codec === 'aac' && audio.channels <= 2 && (audio.bitRate ?? 0) <= AUDIO_COPY_MAX_BPS;
	return copyable ? { kind: 'copy' } : { kind: 'aac', bps: AUDIO_BPS };
}

const audioBps = (plan: AudioPlan): number =>
	plan.kind === 'none' ? 0 : plan.kind === 'aac' ? plan.bps : AUDIO_COPY_MAX_BPS;

/** The least bitrate a picture of this many pixels needs to be watchable at `fps`. */
const floorBps = (pixels: number, fps: number): number =>
	pixels * Math.min(fps > 0 ? fps : FLOOR_FPS, FLOOR_FPS) * MIN_BITS_PER_PIXEL;

/** The video bitrate cap that keeps a clip of `durationS` within `bytes`, beside its audio. */
export const maxRateFor = (bytes: number, durationS: number, audio: number): number =>
	(bytes * 8 - audio * durationS) / (durationS + BUFFER_SECONDS);

/** A picture's size and rate, as the bitrate floor counts them. */
export interface Picture {
	readonly width: number;
	readonly height: number;
	readonly fps: number;
}

/**
 * The shorter side (undefined: the size as it is) and the video bitrate cap that keep `durationS`
 * of this picture, beside `audioBits` per second of sound, within `limit` bytes: the same size
 * where the bitrate allows, a smaller one only when it would fall below the watchable floor;
 * undefined when even the smallest falls below it.
 */
export function sizeWithin(
	picture: Picture,
	durationS: number,
	audioBits: number,
	limit: number,
): { readonly shortSide: number | undefined; readonly maxRate: number } | undefined {
	const maxRate = maxRateFor(budgetBytes(limit), durationS, audioBits);
	const { width, height, fps } = picture;
	const short = Math.min(width, height);
	const sides = [short, ...LADDER.filter((side) => side < short)];
	for (const side of sides) {
		const scale = side / short;
		if (maxRate >= floorBps(width * height * scale * scale, fps)) {
			return { shortSide: side === short ? undefined : side, maxRate: Math.floor(maxRate) };
		}
	}
	return undefined;
}

/**
 * The plan for a clip of `size` bytes against an upload `limit`. Same size where the bitrate
 * allows; a smaller one only when it would fall below the watchable floor; unfittable when even
 * the smallest falls below it.
 */
export function planFit(probe: VideoProbe, size: number, limit: number): FitPlan {
	const inline = playsInline(probe);
	if (inline && size <= limit) return { kind: 'as-is' };
	if (!(probe.durationS > 0)) return { kind: 'unfittable', reason: 'no-duration' };
	const audio = audioPlan(probe);
	const within = sizeWithin(probe.video, probe.durationS, audioBps(audio), limit);
	if (within === undefined) return { kind: 'unfittable', reason: 'below-watchable' };
	return { kind: 'encode', reason: size > limit ? 'too-large' : 'format', ...within, audio };
}

/** What became of a clip. */
export type Fitted =
	| { readonly kind: 'as-is'; readonly probe: VideoProbe }
	| {
			readonly kind: 'encoded';
			readonly data: Buffer;
			readonly probe: VideoProbe;
			readonly source: VideoProbe;
			readonly reason: 'too-large' | 'format';
			readonly ms: number;
	  }
	| { readonly kind: 'unfittable'; readonly source: VideoProbe; readonly reason: 'below-watchable' | 'no-duration' };

export interface FitOptions {
	readonly limit: number;
	readonly signal?: AbortSignal | undefined;
	/** Called when a re-encode starts, so the user can be told why the clip takes a moment. */
	readonly onEncode?: (plan: Extract<FitPlan, { kind: 'encode' }>) => void;
	readonly now?: () => number;
}

function scaleFilter(probe: VideoProbe, shortSide: number | undefined): string {
	// x264 in yuv420p needs even sides.
	if (shortSide === undefined) return 'scale=trunc(iw/2)*2:trunc(ih/2)*2';
	return probe.video.width >= probe.video.height ? `scale=-2:${shortSide}` : `scale=${shortSide}:-2`;
}

function encodeArgs(probe: VideoProbe, plan: Extract<FitPlan, { kind: 'encode' }>, maxRate: number): string[] {
	const audio =
		plan.audio.kind === 'none'
			? ['-an']
			: plan.audio.kind === 'copy'
				? ['-c:a', 'copy']
				: ['-c:a', 'aac', '-b:a', String(plan.audio.bps), ...((probe.audio?.channels ?? 2) > 2 ? ['-ac', '2'] : [])];
	return [
		'-hide_banner',
		'-nostdin',
		'-v',
		'error',
		'-y',
		'-i',
		'source',
		'-map',
		'0:v:0',
		'-map',
		'0:a:0?',
		'-sn',
		'-dn',
		'-vf',
		`${scaleFilter(probe, plan.shortSide)},format=yuv420p`,
		...h264Args(maxRate),
		...audio,
		'-movflags',
		'+faststart',
		'-f',
		'mp4',
		'clip.mp4',
	];
}

/** Long enough for a slow machine, bounded for a clip that never ends. */
const encodeTimeoutMs = (durationS: number): number => Math.min(15 * 60_000, Math.max(60_000, durationS * 30_000));

/**
 * Probes a clip and makes it fit: left as it is, re-encoded, or found unfittable. Throws
 * `UnreadableVideoError` when the bytes are no video, `FfmpegError` when ffmpeg is missing or fails.
 */
export async function fitForDiscord(data: Buffer, options: FitOptions): Promise<Fitted> {
	const now = options.now ?? Date.now;
	const { limit, signal } = options;
	return inTempDir(async (dir) => {
		await writeFile(join(dir, 'source'), data);
		const source = await probeFile(dir, 'source', { signal });
		const plan = planFit(source, data.length, limit);
		if (plan.kind === 'as-is') return { kind: 'as-is', probe: source };
		if (plan.kind === 'unfittable') return { kind: 'unfittable', source, reason: plan.reason };
		options.onEncode?.(plan);
		const started = now();
		let maxRate = plan.maxRate;
		for (let attempt = 1; attempt <= ENCODE_ATTEMPTS; attempt++) {
			await runFfmpeg({
				args: encodeArgs(source, plan, maxRate),
				cwd: dir,
				timeoutMs: encodeTimeoutMs(source.durationS),
				signal,
			});
			const { size } = await stat(join(dir, 'clip.mp4'));
			if (size <= limit) {
				const probe = await probeFile(dir, 'clip.mp4', { signal });
				const encoded = await readFile(join(dir, 'clip.mp4'));
				return { kind: 'encoded', data: encoded, probe, source, reason: plan.reason, ms: now() - started };
			}
			// Over anyway (the audio or the muxer took more than planned): aim lower by the overshoot.
			maxRate = maxRate * (budgetBytes(limit) / size) * 0.95;
		}
		return { kind: 'unfittable', source, reason: 'below-watchable' };
	});
}
