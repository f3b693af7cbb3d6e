import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FfmpegError, inTempDir, runFfmpeg } from '../media/ffmpeg.js';
import { parseCamera, type CameraMove } from '../video/camera.js';
import { ProviderError } from './errors.js';
import type { ProviderImage, Submission, SubmitInput, TaskStatus, VideoProvider } from './types.js';

const PROVIDER = 'preview';
export const PREVIEW_MODEL = 'animatic';

export const PREVIEW_WIDTH = 640;
export const PREVIEW_HEIGHT = 360;
export const PREVIEW_FPS = 25;
export const PREVIEW_SECONDS = 6;
const FRAMES = PREVIEW_FPS * PREVIEW_SECONDS;

// The picture sits on a canvas three times the output size: zoompan crops at whole canvas pixels,
// so its steps are a third of an output pixel and the moves glide instead of stepping.
const CANVAS_W = PREVIEW_WIDTH * 3;
const CANVAS_H = PREVIEW_HEIGHT * 3;
/** The resting framing shows 1/1.3 of the picture, which leaves 11.5% of it free on every side. */
const BASE_ZOOM = 1.3;
/** How far a horizontal or vertical move carries the view's centre in one shot, as a fraction of the picture. */
const SWEEP = 0.2;
const ZOOM = 1.4;
const DRIFT = 1.15;
const IDLE_ZOOM = 1.1;
/** Shake amplitude, a fraction of the picture (about 5 output pixels). */
const SHAKE = 0.006;

export const FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/**
 * What one shot does to the view over the picture. `dx`/`dy` are how far the view's centre travels
 * (fractions of the picture; +x is right, +y is down), `zoom` is the factor the view's
 * magnification changes by, `shake` the amplitude of a per-frame jitter of the centre.
 */
export interface ShotMotion {
	readonly moves: readonly CameraMove[];
	readonly dx: number;
	readonly dy: number;
	readonly zoom: number;
	readonly shake: number;
}

/**
 * The animatic's definition of each move. The picture is flat, so there is no parallax: a truck
 * looks like a pan, a pedestal like a tilt and a push like a zoom. The camera moving one way makes
 * the content slide the other way in frame:
 * - Pan left / Truck left: the view goes left, content moves RIGHT; Pan right / Truck right: content moves left.
 * - Pedestal up / Tilt up: the view goes up, content moves DOWN; Pedestal down / Tilt down: content moves up.
 * - Push in / Zoom in: magnification grows 1.4x; Pull out / Zoom out: it shrinks by 1.4x.
 * - Tracking shot: a gentle forward drift (1.15x); Shake: the view jitters every frame; Static shot: holds.
 * Moves in one bracket run together: travels add up (capped at one sweep), zooms multiply.
 */
export const MOVE_MOTION: Readonly<Record<CameraMove, Partial<Omit<ShotMotion, 'moves'>>>> = {
	'Truck left': { dx: -SWEEP },
	'Truck right': { dx: SWEEP },
	'Pan left': { dx: -SWEEP },
	'Pan right': { dx: SWEEP },
	'Pedestal up': { dy: -SWEEP },
	'Pedestal down': { dy: SWEEP },
	'Tilt up': { dy: -SWEEP },
	'Tilt down': { dy: SWEEP },
	'Push in': { zoom: ZOOM },
	'Zoom in': { zoom: ZOOM },
	'Pull out': { zoom: 1 / ZOOM },
	'Zoom out': { zoom: 1 / ZOOM },
	'Shake': { shake: SHAKE },
	'Tracking shot': { zoom: DRIFT },
	'Static shot': {},
};

const clampSweep = (value: number) => Math.max(-SWEEP, Math.min(SWEEP, value));

function motionOf(moves: readonly CameraMove[]): ShotMotion {
	let dx = 0;
	let dy = 0;
	let zoom = 1;
	let shake = 0;
	for (const move of moves) {
		const motion = MOVE_MOTION[move];
		dx += motion.dx ?? 0;
		dy += motion.dy ?? 0;
		zoom *= motion.zoom ?? 1;
		shake = Math.max(shake, motion.shake ?? 0);
	}
	return { moves, dx: clampSweep(dx), dy: clampSweep(dy), zoom, shake };
}

/**
 * The shots of a prompt: one per bracket of valid moves, in order (brackets that are not moves are
 * skipped). The clip's duration is split evenly between them, and each shot starts from its own
 * framing, so a new bracket reads as a cut. A prompt without moves gets one slow push-in (1.1x), so
 * the preview never looks frozen.
 */
export function planShots(prompt: string): ShotMotion[] {
	const shots: ShotMotion[] = [];
	for (const match of prompt.matchAll(/\[([^\]]*)\]/g)) {
		const parsed = parseCamera(match[1] ?? '');
		if (parsed.ok && parsed.moves.length > 0) shots.push(motionOf(parsed.moves));
	}
	return shots.length > 0 ? shots : [{ moves: [], dx: 0, dy: 0, zoom: IDLE_ZOOM, shake: 0 }];
}

/** A number as ffmpeg's expression parser reads it: plain decimals, negatives in parentheses. */
const num = (value: number) => `(${Number(value.toFixed(6)).toString()})`;

/** zoompan expressions for one shot over output frames [first, first + count). */
function shotExpressions(shot: ShotMotion, first: number, count: number) {
	const p = `clip((on-${first})/${Math.max(count - 1, 1)},0,1)`;
	// Smoothstep: each shot eases in and out like a real camera move.
	const q = `(${p}*${p}*(3-2*${p}))`;
	// A zoom-out starts magnified and ends at the resting framing: the view is never wider than it,
	// so the sideways travel always has room.
	const startZoom = BASE_ZOOM / Math.min(1, shot.zoom);
	const shakeX = shot.shake > 0 ? `+${num(shot.shake)}*sin(on*2.7)` : '';
	const shakeY = shot.shake > 0 ? `+${num(shot.shake)}*sin(on*3.9+1)` : '';
	// The centre sweeps through the middle of the picture: it starts half a travel before it.
	const cx = `0.5+${num(shot.dx)}*(${q}-0.5)${shakeX}`;
	const cy = `0.5+${num(shot.dy)}*(${q}-0.5)${shakeY}`;
	return {
		z: `${num(startZoom)}*pow(${num(shot.zoom)},${q})`,
		x: `iw*(${cx})-iw/zoom/2`,
		y: `ih*(${cy})-ih/zoom/2`,
	};
}

/** The filters that turn one still into the clip, playing the shots one after another. */
export function zoompanFilter(shots: readonly ShotMotion[]): string {
	const parts = shots.map((shot, index) => {
		const first = Math.round((index * FRAMES) / shots.length);
		const end = Math.round(((index + 1) * FRAMES) / shots.length);
		return { end, ...shotExpressions(shot, first, end - first) };
	});
	const piecewise = (key: 'z' | 'x' | 'y') =>
		parts.reduceRight(
			(rest, part, index) => (index === parts.length - 1 ? part[key] : `if(lt(on,${part.end}),${part[key]},${rest})`),
			'',
		);
	// The still is repeated into every frame first (loop) and zoompan makes one frame of each: ffmpeg
	// 5.1 is three times slower when zoompan stretches a single frame into the whole clip itself.
	const size = `${PREVIEW_WIDTH}x${PREVIEW_HEIGHT}`;
	return (
		`loop=loop=${FRAMES - 1}:size=1:start=0,` +
		`zoompan=z='${piecewise('z')}':x='${piecewise('x')}':y='${piecewise('y')}':d=1:s=${size}:fps=${PREVIEW_FPS}`
	);
}

/**
 * The prompt without its camera brackets, word-wrapped for the title card (a prompt that is only
 * brackets shows them).
 */
export function titleText(prompt: string, columns = 30, maxLines = 7): string {
	const words = prompt.replace(/\[([^\]]*)\]/g, (whole, inner: string) => (parseCamera(inner).ok ? ' ' : whole)).trim();
	const text = (words === '' ? prompt : words).replace(/\s+/g, ' ').trim();
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(' ')) {
		let rest = Array.from(word);
		while (rest.length > columns) {
			if (line !== '') lines.push(line);
			lines.push(rest.slice(0, columns).join(''));
			line = '';
			rest = rest.slice(columns);
		}
		const piece = rest.join('');
		if (line === '') line = piece;
		else if (Array.from(line).length + 1 + rest.length <= columns) line += ` ${piece}`;
		else {
			lines.push(line);
			line = piece;
		}
	}
	if (line !== '') lines.push(line);
	if (lines.length > maxLines) {
		const kept = lines.slice(0, maxLines);
		kept[maxLines - 1] = `${Array.from(kept[maxLines - 1] ?? '')
			.slice(0, columns - 1)
			.join('')}…`;
		return kept.join('\n');
	}
	return lines.join('\n');
}

const EXTENSIONS: Record<ProviderImage['contentType'], string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/webp': 'webp',
};

function looksLikeImage(image: ProviderImage): boolean {
	const bytes = image.data;
	if (image.contentType === 'image/png') return bytes.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'));
	if (image.contentType === 'image/jpeg') return bytes.subarray(0, 3).equals(Buffer.from('ffd8ff', 'hex'));
	return bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP';
}

export interface PreviewOptions {
	/** The ffmpeg binary; Debian's `ffmpeg` package. */
	readonly ffmpegPath?: string;
	/** Where each render gets its own temporary directory. */
	readonly workDir?: string;
	/** A render that takes longer is killed and fails as 'timed-out'. */
	readonly timeoutMs?: number;
}

/**
 * A free, local stand-in for a video model: an animatic of the requested camera moves over the
 * first frame (or over a title card of the prompt), rendered by ffmpeg in a few seconds. It lets a
 * newcomer see the bot work with only a Discord token, and a director check a camera path before
 * paying. The clip comes back from `submit`; there is no task to poll.
 */
export class PreviewProvider implements VideoProvider {
	public readonly name = PROVIDER;
	private readonly ffmpegPath: string;
	private readonly timeoutMs: number;
	private readonly workDir: string | undefined;

	public constructor(options: PreviewOptions = {}) {
		this.ffmpegPath = options.ffmpegPath ?? 'ffmpeg';
		this.timeoutMs = options.timeoutMs ?? 60_000;
		this.workDir = options.workDir;
	}

	public async submit(input: SubmitInput, signal?: AbortSignal): Promise<Submission> {
		signal?.throwIfAborted();
		const { request, firstFrame } = input;
		// The planner only sends what the catalog allows; these guard other callers.
		if (input.model !== PREVIEW_MODEL) throw new ProviderError(PROVIDER, 'rejected', `unknown model ${input.model}`);
		if (request.duration !== undefined && request.duration !== PREVIEW_SECONDS) {
			throw new ProviderError(PROVIDER, 'rejected', `the animatic lasts ${PREVIEW_SECONDS} s`);
		}
		if (request.resolution !== undefined && request.resolution.toUpperCase() !== '360P') {
			throw new ProviderError(PROVIDER, 'rejected', 'the animatic is 360P');
		}
		if (firstFrame !== undefined && !looksLikeImage(firstFrame)) {
			throw new ProviderError(PROVIDER, 'rejected', `the first frame is not a ${firstFrame.contentType} image`);
		}

		return inTempDir(async (dir) => {
			// ffmpeg runs inside `dir` and names its files relatively, so no path needs escaping
			// in the filter graph; the prompt reaches drawtext through a file, never inline.
			const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
			let source: string;
			if (firstFrame === undefined) {
				await writeFile(join(dir, 'title.txt'), titleText(request.prompt));
				source = titleCard();
			} else {
				const name = `first.${EXTENSIONS[firstFrame.contentType]}`;
				await writeFile(join(dir, name), firstFrame.data);
				args.push('-i', name);
				// Cover-crop to 16:9 before scaling, so an extreme aspect cannot blow up memory.
				source = `[0:v]format=yuv444p,crop='min(iw,ih*16/9)':'min(ih,iw*9/16)',scale=${CANVAS_W}:${CANVAS_H}`;
			}
			const graph = `${source},setsar=1,format=yuv444p,${zoompanFilter(planShots(request.prompt))},format=yuv420p[v]`;
			args.push(
				'-filter_complex',
				graph,
				'-map',
				'[v]',
				'-frames:v',
				String(FRAMES),
				'-c:v',
				'libx264',
				'-preset',
				'veryfast',
				'-crf',
				'23',
				'-pix_fmt',
				'yuv420p',
				'-movflags',
				'+faststart',
				'-an',
				'-f',
				'mp4',
				'out.mp4',
			);
			await this.run(args, dir, signal);
			const data = await readFile(join(dir, 'out.mp4'));
			if (data.length === 0) throw new ProviderError(PROVIDER, 'generation-failed', 'ffmpeg wrote an empty file');
			return { kind: 'video', data, costUsd: 0 } as const;
		}, this.workDir);
	}

	public poll(): Promise<TaskStatus> {
		const error = new ProviderError(PROVIDER, 'malformed', 'the preview hands its clip back from submit; no task');
		return Promise.reject(error);
	}

	/** Runs ffmpeg; its failures are this provider's. */
	private async run(args: string[], cwd: string, signal?: AbortSignal): Promise<void> {
		try {
			await runFfmpeg({ args, cwd, timeoutMs: this.timeoutMs, signal, binary: this.ffmpegPath });
		} catch (error) {
			if (!(error instanceof FfmpegError)) throw error;
			if (error.failure === 'timed-out')
				throw new ProviderError(PROVIDER, 'timed-out', error.message, { cause: error });
			throw new ProviderError(PROVIDER, 'generation-failed', error.message, {
				code: error.exitCode ?? 'signal',
				cause: error,
			});
		}
	}
}

/** A one-frame card: a diagonal gradient, a grid (so moves are visible) and the prompt, centred. */
function titleCard(): string {
	const font = existsSync(FONT_FILE) ? `:fontfile=${FONT_FILE}` : ''; // else fontconfig's default Sans
	const corner = `x0=0:y0=0:x1=${CANVAS_W}:y1=${CANVAS_H}`;
	return [
		// A fixed seed: without one the gradient differs from run to run even with its colours set.
		`gradients=s=${CANVAS_W}x${CANVAS_H}:c0=0x1d3557:c1=0x6a4c93:${corner}:n=2:seed=1:r=${PREVIEW_FPS}`,
		'trim=end_frame=1',
		'drawgrid=w=160:h=160:t=3:c=white@0.25',
		`drawtext=textfile=title.txt:expansion=none${font}:fontsize=48:fontcolor=white:line_spacing=16` +
			':box=1:boxcolor=black@0.4:boxborderw=32:x=(w-text_w)/2:y=(h-text_h)/2',
	].join(',');
}
