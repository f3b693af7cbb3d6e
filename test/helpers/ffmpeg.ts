import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs a binary (ffmpeg, ffprobe) and returns its stdout; rejects with its stderr on failure. */
export function run(command: string, args: readonly string[]): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
		const out: Buffer[] = [];
		let err = '';
		child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
		child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
		child.once('error', reject);
		child.once('close', (code) => {
			if (code === 0) resolve(Buffer.concat(out));
			else reject(new Error(`${command} exited ${code}: ${err}`));
		});
	});
}

/** Gives a buffer a file name for the duration of `use`. */
async function withFile<T>(data: Buffer, name: string, use: (path: string) => Promise<T>): Promise<T> {
	const dir = await mkdtemp(join(tmpdir(), 'clapper-test-'));
	try {
		const path = join(dir, name);
		await writeFile(path, data);
		return await use(path);
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

/**
 * A PNG of random blobs (seeded noise, upscaled smoothly, so every run gets the same picture): no
 * repeating pattern, so a shift search has one clear answer in both directions.
 */
export function texturePng(width = 1280, height = 720): Promise<Buffer> {
	return run('ffmpeg', [
		'-hide_banner',
		'-loglevel',
		'error',
		'-f',
		'lavfi',
		'-i',
		`color=c=gray:s=${Math.round(width / 20)}x${Math.round(height / 20)}:d=1`,
		'-vf',
		`noise=alls=100:allf=u:all_seed=7,scale=${width}:${height}:flags=bicubic,format=rgb24`,
		'-frames:v',
		'1',
		'-f',
		'image2',
		'-c:v',
		'png',
		'pipe:1',
	]);
}

export interface Probe {
	readonly codec: string;
	readonly pixFmt: string;
	readonly width: number;
	readonly height: number;
	readonly fps: string;
	readonly frames: number;
	readonly duration: number;
}

export function probe(mp4: Buffer): Promise<Probe> {
	return withFile(mp4, 'clip.mp4', async (path) => {
		const out = await run('ffprobe', [
			'-v',
			'error',
			'-select_streams',
			'v:0',
			'-count_frames',
			'-show_entries',
			'stream=codec_name,pix_fmt,width,height,r_frame_rate,nb_read_frames:format=duration',
			'-of',
			'json',
			path,
		]);
		const json = JSON.parse(out.toString()) as {
			streams: {
				codec_name: string;
				pix_fmt: string;
				width: number;
				height: number;
				r_frame_rate: string;
				nb_read_frames: string;
			}[];
			format: { duration: string };
		};
		const stream = json.streams[0];
		if (stream === undefined) throw new Error('no video stream');
		return {
			codec: stream.codec_name,
			pixFmt: stream.pix_fmt,
			width: stream.width,
			height: stream.height,
			fps: stream.r_frame_rate,
			frames: Number(stream.nb_read_frames),
			duration: Number(json.format.duration),
		};
	});
}

/** Grey frames, downscaled to `width`x`height`, of the given frame numbers. */
export interface Gray {
	readonly width: number;
	readonly height: number;
	readonly pixels: Uint8Array;
}

export function grayFrames(mp4: Buffer, frameNumbers: readonly number[], width = 160, height = 90): Promise<Gray[]> {
	return withFile(mp4, 'clip.mp4', async (path) => {
		const select = frameNumbers.map((n) => `eq(n\\,${n})`).join('+');
		const raw = await run('ffmpeg', [
			'-hide_banner',
			'-loglevel',
			'error',
			'-i',
			path,
			'-vf',
			`select=${select},scale=${width}:${height}:flags=area,format=gray`,
			'-fps_mode',
			'passthrough',
			'-frames:v',
			String(frameNumbers.length),
			'-f',
			'rawvideo',
			'pipe:1',
		]);
		const size = width * height;
		if (raw.length !== size * frameNumbers.length) {
			throw new Error(`expected ${frameNumbers.length} frames, got ${raw.length / size}`);
		}
		return frameNumbers.map((_, index) => ({ width, height, pixels: raw.subarray(index * size, (index + 1) * size) }));
	});
}

/** The average colour of one frame, as [r, g, b]. */
export function meanColour(mp4: Buffer, frameNumber: number): Promise<number[]> {
	return withFile(mp4, 'clip.mp4', async (path) => {
		const raw = await run('ffmpeg', [
			'-hide_banner',
			'-loglevel',
			'error',
			'-i',
			path,
			'-vf',
			`select=eq(n\\,${frameNumber}),scale=1:1:flags=area,format=rgb24`,
			'-fps_mode',
			'passthrough',
			'-frames:v',
			'1',
			'-f',
			'rawvideo',
			'pipe:1',
		]);
		return [...raw.subarray(0, 3)];
	});
}

/** Mean absolute difference, optionally over the interior only (`margin`: the fraction left out on each side). */
export function meanAbsDiff(a: Gray, b: Gray, margin = 0): number {
	const { width, height } = a;
	let sum = 0;
	let count = 0;
	for (let y = Math.round(height * margin); y < height * (1 - margin); y++) {
		for (let x = Math.round(width * margin); x < width * (1 - margin); x++) {
			sum += Math.abs((a.pixels[y * width + x] ?? 0) - (b.pixels[y * width + x] ?? 0));
			count++;
		}
	}
	return sum / count;
}

/**
 * How far the content moved from `a` to `b`, in pixels of these frames (+x right, +y down): the
 * shift of `a` that best matches `b`, by brute-force mean absolute difference over the interior.
 */
export function estimateShift(a: Gray, b: Gray, max = 24): { dx: number; dy: number } {
	const { width, height } = a;
	let best = { dx: 0, dy: 0, cost: Infinity };
	for (let dy = -max; dy <= max; dy++) {
		for (let dx = -max; dx <= max; dx++) {
			let sum = 0;
			for (let y = max; y < height - max; y++) {
				for (let x = max; x < width - max; x++) {
					sum += Math.abs((b.pixels[y * width + x] ?? 0) - (a.pixels[(y - dy) * width + (x - dx)] ?? 0));
				}
			}
			if (sum < best.cost) best = { dx, dy, cost: sum };
		}
	}
	return { dx: best.dx, dy: best.dy };
}

/** `frame` magnified by `scale` about its centre (bilinear; edges repeat). */
export function scaled(frame: Gray, scale: number): Gray {
	const { width, height } = frame;
	const cx = (width - 1) / 2;
	const cy = (height - 1) / 2;
	const at = (x: number, y: number) =>
		frame.pixels[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))] ?? 0;
	const pixels = new Uint8Array(width * height);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const sx = cx + (x - cx) / scale;
			const sy = cy + (y - cy) / scale;
			const x0 = Math.floor(sx);
			const y0 = Math.floor(sy);
			const fx = sx - x0;
			const fy = sy - y0;
			const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
			const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
			pixels[y * width + x] = Math.round(top * (1 - fy) + bottom * fy);
		}
	}
	return { width, height, pixels };
}

/**
 * How much bigger the content looks in `b` than in `a`, about the centre: the magnification of
 * `a` that best matches `b` over the central region (above 1: zoomed in).
 */
export function estimateScale(a: Gray, b: Gray, min = 0.7, max = 1.5): number {
	let best = { scale: 1, cost: Infinity };
	for (let step = 0; min + step * 0.01 <= max + 1e-9; step++) {
		const scale = min + step * 0.01;
		const cost = meanAbsDiff(scaled(a, scale), b, 0.3);
		if (cost < best.cost) best = { scale, cost };
	}
	return best.scale;
}

/** A clip a provider might return, made with ffmpeg. */
export interface ClipSpec {
	readonly codec: 'h264' | 'hevc' | 'vp9';
	readonly width: number;
	readonly height: number;
	readonly seconds: number;
	readonly fps?: number;
	/** Video bits per second, held constant (filler), so the size is what the test needs. */
	readonly bitrate?: number;
	/** A stereo tone: AAC in MP4, Opus in WebM. */
	readonly audio?: boolean;
	/** Moving noise over the test pattern: hard to compress, as real footage is. */
	readonly noisy?: boolean;
	/** Random per call (a seed in the picture), so two clips never share their bytes. */
	readonly unique?: boolean;
}

const made = new Map<string, Promise<Buffer>>();

/**
 * Makes a clip: H.264 or HEVC in MP4, or VP9 in WebM, with an optional stereo tone. The same spec
 * is made once per test file.
 */
export function makeClip(spec: ClipSpec): Promise<Buffer> {
	const key = JSON.stringify(spec);
	const cached = spec.unique === true ? undefined : made.get(key);
	if (cached !== undefined) return cached;
	const clip = renderClip(spec);
	if (spec.unique !== true) made.set(key, clip);
	return clip;
}

async function renderClip(spec: ClipSpec): Promise<Buffer> {
	const fps = spec.fps ?? 30;
	const seed = spec.unique === true ? Math.floor(Math.random() * 1_000_000) : 7;
	const picture = `testsrc2=s=${spec.width}x${spec.height}:r=${fps}:d=${spec.seconds}`;
	const video =
		spec.noisy === true
			? `${picture},noise=alls=25:allf=t:all_seed=${seed}`
			: `${picture},drawbox=x=${seed % 97}:y=0:w=4:h=4:c=white`;
	const webm = spec.codec === 'vp9';
	// A constant bitrate (with filler for H.264) gives the size the test asks for, whatever the picture.
	const bps = spec.bitrate === undefined ? undefined : String(spec.bitrate);
	const rate = bps === undefined ? [] : ['-b:v', bps, '-minrate', bps, '-maxrate', bps, '-bufsize', bps];
	const codec = {
		h264: [
			'-c:v',
			'libx264',
			'-preset',
			'ultrafast',
			'-pix_fmt',
			'yuv420p',
			...rate,
			...(bps === undefined ? [] : ['-x264-params', 'nal-hrd=cbr:filler=1']),
		],
		hevc: [
			'-c:v',
			'libx265',
			'-preset',
			'ultrafast',
			'-x265-params',
			'log-level=error',
			'-pix_fmt',
			'yuv420p',
			'-tag:v',
			'hvc1',
			...rate,
		],
		vp9: [
			'-c:v',
			'libvpx-vp9',
			'-deadline',
			'realtime',
			'-cpu-used',
			'8',
			...(bps === undefined ? ['-b:v', '500k'] : ['-b:v', bps]),
		],
	}[spec.codec];
	const audioIn =
		spec.audio === true ? ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${spec.seconds}`] : [];
	const audioOut =
		spec.audio === true
			? [
					'-filter_complex',
					'[1:a]pan=stereo|c0=c0|c1=c0[a]',
					'-map',
					'0:v',
					'-map',
					'[a]',
					'-c:a',
					webm ? 'libopus' : 'aac',
					...(webm ? [] : ['-b:a', '128k']),
				]
			: [];
	return withFile(Buffer.alloc(0), webm ? 'clip.webm' : 'clip.mp4', async (path) => {
		await run('ffmpeg', [
			'-hide_banner',
			'-loglevel',
			'error',
			'-y',
			'-f',
			'lavfi',
			'-i',
			video,
			...audioIn,
			...audioOut,
			...codec,
			...(webm ? [] : ['-movflags', '+faststart']),
			path,
		]);
		return readFile(path);
	});
}

/** Everything a test checks of a delivered file, by ffprobe. */
export interface MediaProbe {
	readonly format: string;
	readonly duration: number;
	readonly video: { readonly codec: string; readonly pixFmt: string; readonly width: number; readonly height: number };
	readonly audio?: { readonly codec: string; readonly channels: number };
	/** The moov box comes before the media data: playback can start before the download ends. */
	readonly faststart: boolean;
}

export function probeMedia(data: Buffer): Promise<MediaProbe> {
	return withFile(data, 'media', async (path) => {
		const out = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream:format', '-of', 'json', path]);
		const json = JSON.parse(out.toString()) as {
			streams: Array<{
				codec_type: string;
				codec_name: string;
				pix_fmt?: string;
				width?: number;
				height?: number;
				channels?: number;
			}>;
			format: { format_name: string; duration: string };
		};
		const video = json.streams.find((s) => s.codec_type === 'video');
		const audio = json.streams.find((s) => s.codec_type === 'audio');
		if (video === undefined) throw new Error('no video stream');
		const moov = data.indexOf('moov');
		const mdat = data.indexOf('mdat');
		return {
			format: json.format.format_name,
			duration: Number(json.format.duration),
			video: {
				codec: video.codec_name,
				pixFmt: video.pix_fmt ?? '',
				width: video.width ?? 0,
				height: video.height ?? 0,
			},
			...(audio === undefined ? {} : { audio: { codec: audio.codec_name, channels: audio.channels ?? 0 } }),
			faststart: moov !== -1 && mdat !== -1 && moov < mdat,
		};
	});
}

/** The clips a provider stand-in serves in the delivery tests. */
export const CLIPS = {
	/** About 12 MB of hard-to-compress 720p with a stereo tone, as a high-bitrate provider sends it. */
	twelveMegabytes: {
		codec: 'h264',
		width: 1280,
		height: 720,
		seconds: 6,
		bitrate: 16_000_000,
		audio: true,
		noisy: true,
	},
	hevc: { codec: 'hevc', width: 640, height: 360, seconds: 2, audio: true },
	webm: { codec: 'vp9', width: 640, height: 360, seconds: 2, audio: true },
	/** Five minutes into 10 MiB: under the watchable floor even at 360p. */
	unfittable: { codec: 'h264', width: 640, height: 360, seconds: 300, bitrate: 400_000 },
	/** A small clip that already plays inline. */
	small: { codec: 'h264', width: 640, height: 360, seconds: 2, audio: true },
} as const satisfies Record<string, ClipSpec>;

/**
 * A short H.264 clip with a stereo AAC track (a different tone in each ear), like the clips
 * MiniMax-H3 makes with their sound.
 */
export function clipWithStereoSound(seconds = 1, width = 320, height = 180): Promise<Buffer> {
	return withFile(Buffer.alloc(0), 'clip.mp4', async (path) => {
		await run('ffmpeg', [
			'-hide_banner',
			'-loglevel',
			'error',
			'-y',
			'-f',
			'lavfi',
			'-i',
			`testsrc=s=${width}x${height}:r=24:d=${seconds}`,
			'-f',
			'lavfi',
			'-i',
			`aevalsrc=sin(440*2*PI*t)|sin(660*2*PI*t):s=48000:d=${seconds}`,
			'-c:v',
			'libx264',
			'-pix_fmt',
			'yuv420p',
			'-c:a',
			'aac',
			'-ac',
			'2',
			'-shortest',
			'-movflags',
			'+faststart',
			path,
		]);
		return readFile(path);
	});
}

export interface AudioProbe {
	readonly codec: string;
	readonly channels: number;
	readonly sampleRate: number;
}

/** The clip's audio streams, as ffprobe reads them (empty when it has no sound). */
export function probeAudio(mp4: Buffer): Promise<AudioProbe[]> {
	return withFile(mp4, 'clip.mp4', async (path) => {
		const out = await run('ffprobe', [
			'-v',
			'error',
			'-select_streams',
			'a',
			'-show_entries',
			'stream=codec_name,channels,sample_rate',
			'-of',
			'json',
			path,
		]);
		const json = JSON.parse(out.toString()) as {
			streams?: { codec_name: string; channels: number; sample_rate: string }[];
		};
		return (json.streams ?? []).map((stream) => ({
			codec: stream.codec_name,
			channels: stream.channels,
			sampleRate: Number(stream.sample_rate),
		}));
	});
}

/** A clip of one flat colour, with a tone or without sound: shots a test can tell apart by colour and by ear. */
export interface ColourClipSpec {
	readonly colour: string;
	readonly width: number;
	readonly height: number;
	readonly seconds: number;
	readonly fps: number;
	/** A 440 Hz stereo tone for the whole clip. */
	readonly sound?: boolean;
}

export function colourClip(spec: ColourClipSpec): Promise<Buffer> {
	return withFile(Buffer.alloc(0), 'clip.mp4', async (path) => {
		await run('ffmpeg', [
			'-hide_banner',
			'-loglevel',
			'error',
			'-y',
			'-f',
			'lavfi',
			'-i',
			`color=c=${spec.colour}:s=${spec.width}x${spec.height}:r=${spec.fps}:d=${spec.seconds}`,
			...(spec.sound === true
				? ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${spec.seconds}`, '-ac', '2']
				: []),
			'-c:v',
			'libx264',
			'-preset',
			'ultrafast',
			'-pix_fmt',
			'yuv420p',
			...(spec.sound === true ? ['-c:a', 'aac', '-b:a', '128k'] : []),
			'-movflags',
			'+faststart',
			path,
		]);
		return readFile(path);
	});
}

/** The loudness (RMS, 0 to 1) of a stretch of a file's sound, decoded by ffmpeg. */
export function loudness(media: Buffer, fromS: number, seconds: number): Promise<number> {
	return withFile(media, 'media.mp4', async (path) => {
		const raw = await run('ffmpeg', [
			'-hide_banner',
			'-loglevel',
			'error',
			'-ss',
			String(fromS),
			'-t',
			String(seconds),
			'-i',
			path,
			'-vn',
			'-ac',
			'1',
			'-ar',
			'8000',
			'-f',
			's16le',
			'pipe:1',
		]);
		let sum = 0;
		const samples = Math.floor(raw.length / 2);
		for (let i = 0; i < samples; i++) sum += (raw.readInt16LE(i * 2) / 32768) ** 2;
		return samples === 0 ? 0 : Math.sqrt(sum / samples);
	});
}

/** The video stream's declared and average frame rates, as ffprobe gives them (`30/1`). */
export function frameRates(media: Buffer): Promise<{ readonly declared: string; readonly average: string }> {
	return withFile(media, 'media.mp4', async (path) => {
		const out = await run('ffprobe', [
			'-v',
			'error',
			'-select_streams',
			'v:0',
			'-show_entries',
			'stream=r_frame_rate,avg_frame_rate',
			'-of',
			'json',
			path,
		]);
		const json = JSON.parse(out.toString()) as { streams: { r_frame_rate: string; avg_frame_rate: string }[] };
		const stream = json.streams[0];
		return { declared: stream?.r_frame_rate ?? '', average: stream?.avg_frame_rate ?? '' };
	});
}
