import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AUDIO_BPS, sizeWithin } from './fit.js';
import { h264Args, inTempDir, runFfmpeg } from './ffmpeg.js';
import { probeFile, type VideoProbe } from './probe.js';

/**
 * Stitches a sequence's shots into one film that Discord plays inline: H.264 in yuv420p, MP4 with
 * faststart, one size and one constant frame rate throughout (each shot scaled to fit with its
 * shape kept, padded, and its frames resampled), AAC sound when any shot has some (silence for the
 * length of a shot without, so sound stays with its picture), joined by cuts or 0.5 s crossfades,
 * at a bitrate that fits the upload limit.
 */

export const TRANSITIONS = ['cut', 'crossfade'] as const;
export type Transition = (typeof TRANSITIONS)[number];

/** The length of a crossfade, picture and sound, at each join. */
export const CROSSFADE_S = 0.5;

/** The film's shorter side at most: larger shots are scaled down to it. */
const MAX_SHORT_SIDE = 1080;
/** The film's frame rate at most; it is the highest rate among its shots below this. */
const MAX_FPS = 30;
const SAMPLE_RATE = 48_000;

/** A shot to stitch: its bytes and what ffprobe read of them. */
export interface ShotFile {
	readonly data: Buffer;
	readonly probe: VideoProbe;
}

export interface StitchOptions {
	readonly transition: Transition;
	/** Bytes the film may take (the upload limit). */
	readonly limit: number;
	readonly signal?: AbortSignal | undefined;
	/** How far the encode is, from 0 to 1, as ffmpeg reports it. */
	readonly onProgress?: (fraction: number) => void;
}

export interface Film {
	readonly data: Buffer;
	readonly probe: VideoProbe;
	/** How long the encode took. */
	readonly ms: number;
}

/** The shots cannot fit the limit at any watchable size. */
export class FilmTooLargeError extends Error {
	public override readonly name = 'FilmTooLargeError';
}

const even = (value: number): number => Math.max(2, 2 * Math.round(value / 2));

/** The film's size: the largest shot's, no larger than `MAX_SHORT_SIDE` on its shorter side. */
function frameOf(shots: readonly ShotFile[]): { width: number; height: number } {
	const largest = shots.reduce((best, shot) =>
		shot.probe.video.width * shot.probe.video.height > best.probe.video.width * best.probe.video.height ? shot : best,
	).probe.video;
	return scaledTo(largest, MAX_SHORT_SIDE);
}

function scaledTo(size: { width: number; height: number }, shortSide: number): { width: number; height: number } {
	const scale = Math.min(1, shortSide / Math.min(size.width, size.height));
	return { width: even(size.width * scale), height: even(size.height * scale) };
}

/** The highest whole frame rate among the shots, at most `MAX_FPS` (30 when none says). */
function rateOf(shots: readonly ShotFile[]): number {
	const rates = shots.map((shot) => Math.round(shot.probe.video.fps)).filter((fps) => fps > 0);
	return Math.min(MAX_FPS, rates.length === 0 ? MAX_FPS : Math.max(...rates));
}

/** Each shot's length in whole frames of the film, so every join falls on a frame. */
const framesOf = (shot: ShotFile, fps: number): number => Math.max(1, Math.round(shot.probe.durationS * fps));

interface Layout {
	readonly width: number;
	readonly height: number;
	readonly fps: number;
	/** Each shot's length, in seconds, as the film holds it. */
	readonly lengths: readonly number[];
	readonly sound: boolean;
	readonly fade: number;
}

/** The filter graph: every shot brought to the film's size, rate and sound, then joined. */
export function filterGraph(shots: readonly ShotFile[], layout: Layout, transition: Transition): string {
	const { width, height, fps, lengths, sound, fade } = layout;
	const parts: string[] = [];
	shots.forEach((shot, i) => {
		const frames = Math.round((lengths[i] ?? 0) * fps);
		const seconds = (lengths[i] ?? 0).toFixed(6);
		parts.push(
			`[${i}:v:0]setpts=PTS-STARTPTS,fps=${fps},` +
				`scale=${width}:${height}:force_original_aspect_ratio=decrease:force_divisible_by=2,` +
				`pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p,` +
				// A picture that ends before its sound holds its last frame: sound stays with its picture.
				`tpad=stop_mode=clone:stop_duration=${seconds},trim=end_frame=${frames},setpts=PTS-STARTPTS[v${i}]`,
		);
		if (!sound) return;
		const format = `aformat=sample_fmts=fltp:channel_layouts=stereo`;
		parts.push(
			shot.probe.audio === undefined
				? `anullsrc=channel_layout=stereo:sample_rate=${SAMPLE_RATE},${format},atrim=end=${seconds},asetpts=PTS-STARTPTS[a${i}]`
				: `[${i}:a:0]aresample=${SAMPLE_RATE},${format},asetpts=PTS-STARTPTS,apad,atrim=end=${seconds},asetpts=PTS-STARTPTS[a${i}]`,
		);
	});
	if (transition === 'cut' || shots.length === 1) {
		const inputs = shots.map((_, i) => `[v${i}]${sound ? `[a${i}]` : ''}`).join('');
		parts.push(`${inputs}concat=n=${shots.length}:v=1:a=${sound ? 1 : 0}[v]${sound ? '[a]' : ''}`);
		return parts.join(';');
	}
	let start = 0;
	let video = 'v0';
	let audio = 'a0';
	for (let k = 1; k < shots.length; k++) {
		start += (lengths[k - 1] ?? 0) - fade;
		const last = k === shots.length - 1;
		const nextVideo = last ? 'v' : `x${k}`;
		const nextAudio = last ? 'a' : `y${k}`;
		parts.push(`[${video}][v${k}]xfade=transition=fade:duration=${fade}:offset=${start.toFixed(6)}[${nextVideo}]`);
		if (sound) parts.push(`[${audio}][a${k}]acrossfade=d=${fade}:c1=tri:c2=tri[${nextAudio}]`);
		video = nextVideo;
		audio = nextAudio;
	}
	return parts.join(';');
}

/** Long enough for a slow machine, bounded for a film that never ends. */
const encodeTimeoutMs = (durationS: number): number => Math.min(30 * 60_000, Math.max(60_000, durationS * 30_000));

/**
 * Stitches the shots, in order, into one film within `limit` bytes (almost always: the caller
 * still makes it fit, which leaves a film that does as it is). Throws `FilmTooLargeError` when no
 * watchable size fits, `FfmpegError` when ffmpeg fails.
 */
export async function stitchShots(shots: readonly ShotFile[], options: StitchOptions): Promise<Film> {
	if (shots.length === 0) throw new RangeError('nothing to stitch');
	const started = Date.now();
	const fps = rateOf(shots);
	const lengths = shots.map((shot) => framesOf(shot, fps) / fps);
	const shortest = Math.min(...lengths);
	// A crossfade needs both sides to be longer than it; shots are seconds long, so this is 0.5 s.
	const fade = options.transition === 'crossfade' ? Math.min(CROSSFADE_S, shortest / 2) : 0;
	const total = lengths.reduce((sum, length) => sum + length, 0) - fade * (shots.length - 1);
	const sound = shots.some((shot) => shot.probe.audio !== undefined);
	const frame = frameOf(shots);
	const fits = sizeWithin({ ...frame, fps }, total, sound ? AUDIO_BPS : 0, options.limit);
	if (fits === undefined)
		throw new FilmTooLargeError(`${total.toFixed(1)} s of film cannot fit ${options.limit} bytes`);
	const { width, height } = fits.shortSide === undefined ? frame : scaledTo(frame, fits.shortSide);
	const graph = filterGraph(shots, { width, height, fps, lengths, sound, fade }, options.transition);

	return inTempDir(async (dir) => {
		const inputs: string[] = [];
		for (const [i, shot] of shots.entries()) {
			await writeFile(join(dir, `shot-${i}`), shot.data);
			inputs.push('-i', `shot-${i}`);
		}
		let pending = '';
		await runFfmpeg({
			args: [
				'-hide_banner',
				'-nostdin',
				'-v',
				'error',
				'-y',
				...inputs,
				'-filter_complex',
				graph,
				'-map',
				'[v]',
				...(sound ? ['-map', '[a]'] : []),
				...h264Args(fits.maxRate),
				'-pix_fmt',
				'yuv420p',
				...(sound ? ['-c:a', 'aac', '-b:a', String(AUDIO_BPS), '-ar', String(SAMPLE_RATE), '-ac', '2'] : ['-an']),
				'-movflags',
				'+faststart',
				'-progress',
				'pipe:1',
				'-nostats',
				'-f',
				'mp4',
				'film.mp4',
			],
			cwd: dir,
			timeoutMs: encodeTimeoutMs(total),
			signal: options.signal,
			onOutput: (chunk) => {
				// `out_time_us=…` lines, in microseconds of film made so far.
				const lines = (pending + chunk.toString('latin1')).split('\n');
				pending = lines.pop() ?? '';
				for (const line of lines) {
					const done = /^out_time_us=(\d+)/.exec(line);
					if (done !== null) options.onProgress?.(Math.min(1, Number(done[1]) / 1e6 / total));
				}
			},
		});
		const probe = await probeFile(dir, 'film.mp4', { signal: options.signal });
		return { data: await readFile(join(dir, 'film.mp4')), probe, ms: Date.now() - started };
	});
}
