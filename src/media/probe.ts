import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { FfmpegError, inTempDir, runFfmpeg } from './ffmpeg.js';

/**
 * What a video file is, as ffprobe reads it: container, duration, the first video stream and the
 * first audio stream. Read from the bytes, never from a name or a declared type.
 */
export interface VideoProbe {
	/** `mp4` for the ISO/QuickTime family, `webm` for Matroska/WebM, else ffprobe's name. */
	readonly container: string;
	readonly durationS: number;
	readonly video: {
		readonly codec: string;
		readonly pixFmt: string;
		readonly width: number;
		readonly height: number;
		/** Frames per second (average), 0 when unknown. */
		readonly fps: number;
	};
	readonly audio?: {
		readonly codec: string;
		readonly channels: number;
		/** Bits per second, when the file says. */
		readonly bitRate?: number | undefined;
	};
}

/** The bytes are not a video ffprobe can read (or hold no video stream). */
export class UnreadableVideoError extends Error {
	public override readonly name = 'UnreadableVideoError';
}

const numeric = z.union([z.string(), z.number()]).transform(Number).optional();

const probeSchema = z.object({
	streams: z.array(
		z.object({
			codec_type: z.string().optional(),
			codec_name: z.string().optional(),
			pix_fmt: z.string().optional(),
			width: z.number().optional(),
			height: z.number().optional(),
			avg_frame_rate: z.string().optional(),
			r_frame_rate: z.string().optional(),
			channels: z.number().optional(),
			bit_rate: numeric,
			duration: numeric,
		}),
	),
	format: z.object({
		format_name: z.string(),
		duration: numeric,
		tags: z.object({ major_brand: z.string().optional() }).optional(),
	}),
});

/** `30000/1001` → 29.97; `0/0` → 0. */
function rate(value: string | undefined): number {
	const [top, bottom] = (value ?? '0/0').split('/').map(Number);
	return top !== undefined && bottom !== undefined && bottom > 0 && Number.isFinite(top / bottom) ? top / bottom : 0;
}

function containerOf(formatName: string, brand: string | undefined): string {
	if (formatName.includes('mp4') && brand?.trim() !== 'qt') return 'mp4';
	if (formatName.includes('webm')) return 'webm';
	return formatName.split(',')[0] ?? formatName;
}

/** Reads ffprobe's JSON about a file; throws `UnreadableVideoError` when it is no video. */
export function parseProbe(json: unknown): VideoProbe {
	const parsed = probeSchema.safeParse(json);
	if (!parsed.success) throw new UnreadableVideoError('ffprobe described no readable file');
	const { streams, format } = parsed.data;
	const video = streams.find((stream) => stream.codec_type === 'video');
	const audio = streams.find((stream) => stream.codec_type === 'audio');
	if (video?.codec_name === undefined || video.width === undefined || video.height === undefined) {
		throw new UnreadableVideoError('the file has no video stream');
	}
	const duration = [format.duration, video.duration].find((value) => value !== undefined && value > 0) ?? 0;
	return {
		container: containerOf(format.format_name, format.tags?.major_brand),
		durationS: duration,
		video: {
			codec: video.codec_name,
			pixFmt: video.pix_fmt ?? 'unknown',
			width: video.width,
			height: video.height,
			fps: rate(video.avg_frame_rate) || rate(video.r_frame_rate),
		},
		...(audio?.codec_name === undefined
			? {}
			: { audio: { codec: audio.codec_name, channels: audio.channels ?? 2, bitRate: audio.bit_rate } }),
	};
}

export interface ProbeOptions {
	readonly signal?: AbortSignal | undefined;
	readonly timeoutMs?: number;
}

/** Probes a file on disk (`dir/name`). */
export async function probeFile(dir: string, name: string, options: ProbeOptions = {}): Promise<VideoProbe> {
	let out: Buffer;
	try {
		out = await runFfmpeg({
			binary: 'ffprobe',
			args: ['-v', 'error', '-show_entries', 'stream:format', '-of', 'json', name],
			cwd: dir,
			timeoutMs: options.timeoutMs ?? 30_000,
			signal: options.signal,
		});
	} catch (error) {
		// ffprobe ran and could not read it: the bytes are the problem, not this machine.
		if (error instanceof FfmpegError && error.failure === 'failed') {
			throw new UnreadableVideoError('ffprobe could not read the file', { cause: error });
		}
		throw error;
	}
	let json: unknown;
	try {
		json = JSON.parse(out.toString('utf8'));
	} catch (error) {
		throw new UnreadableVideoError('ffprobe gave no JSON', { cause: error });
	}
	return parseProbe(json);
}

/** Probes bytes in memory. */
export async function probeVideo(data: Buffer, options: ProbeOptions = {}): Promise<VideoProbe> {
	return inTempDir(async (dir) => {
		await writeFile(join(dir, 'source'), data);
		return probeFile(dir, 'source', options);
	});
}
