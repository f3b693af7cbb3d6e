import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The one way this project runs ffmpeg (the preview's animatics, Extend's last frame, re-encoding,
 * and stitching a sequence's shots): to completion, killed on abort or time-out, always waited
 * for, with the tail of its error output kept for the log. Callers turn `FfmpegError` into their
 * own errors.
 */

/** Quality aimed at while the bitrate cap allows it (x264's scale; lower is better). */
const CRF = 20;

/**
 * The H.264 settings every clip and film we encode shares: high profile at a quality target, with a
 * bitrate cap and buffer of `maxRate` bits/s, since a quality target alone does not fit hard clips.
 */
export function h264Args(maxRate: number): string[] {
	const kbps = `${Math.max(1, Math.floor(maxRate / 1000))}k`;
	return [
		'-c:v',
		'libx264',
		'-preset',
		'veryfast',
		'-profile:v',
		'high',
		'-crf',
		String(CRF),
		'-maxrate',
		kbps,
		'-bufsize',
		kbps,
	];
}

export type FfmpegFailure = 'not-found' | 'failed' | 'timed-out';

export class FfmpegError extends Error {
	public override readonly name = 'FfmpegError';

	public constructor(
		public readonly failure: FfmpegFailure,
		message: string,
		options?: ErrorOptions,
		/** ffmpeg's exit code, when it ran and failed. */
		public readonly exitCode: number | null = null,
	) {
		super(message, options);
	}
}

export interface FfmpegRun {
	readonly args: readonly string[];
	/** Files are named relative to it, so no path needs escaping inside a filter graph. */
	readonly cwd?: string;
	readonly timeoutMs: number;
	readonly signal?: AbortSignal | undefined;
	/** The binary: `ffmpeg` (Debian's package) by default; `ffprobe` for probes. */
	readonly binary?: string;
	/** Sees standard output as it comes (`-progress pipe:1`), besides the whole of it at the end. */
	readonly onOutput?: (chunk: Buffer) => void;
}

/** Runs ffmpeg (or ffprobe) and resolves with its standard output. */
export function runFfmpeg(run: FfmpegRun): Promise<Buffer> {
	const binary = run.binary ?? 'ffmpeg';
	const { signal } = run;
	return new Promise<Buffer>((resolve, reject) => {
		const child = spawn(binary, run.args, { cwd: run.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
		const stdout: Buffer[] = [];
		let stderr = '';
		let stopped: 'aborted' | 'timed-out' | undefined;
		const stop = (why: 'aborted' | 'timed-out') => {
			stopped ??= why;
			child.kill('SIGKILL');
		};
		const onAbort = () => stop('aborted');
		const timer = setTimeout(() => stop('timed-out'), run.timeoutMs);
		signal?.addEventListener('abort', onAbort, { once: true });
		child.stdout.on('data', (chunk: Buffer) => {
			stdout.push(chunk);
			run.onOutput?.(chunk);
		});
		child.stderr.on('data', (chunk: Buffer) => {
			stderr = (stderr + chunk.toString()).slice(-4000);
		});
		const settle = (error?: Error) => {
			clearTimeout(timer);
			signal?.removeEventListener('abort', onAbort);
			if (error === undefined) resolve(Buffer.concat(stdout));
			else reject(error);
		};
		child.once('error', (error: NodeJS.ErrnoException) => {
			const failure = error.code === 'ENOENT' ? 'not-found' : 'failed';
			settle(new FfmpegError(failure, `could not run ${binary} (${error.code ?? error.message})`, { cause: error }));
		});
		child.once('close', (code) => {
			if (stopped === 'aborted') return settle(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
			if (stopped === 'timed-out')
				return settle(new FfmpegError('timed-out', `${binary} took longer than ${run.timeoutMs} ms`));
			if (code === 0) return settle();
			const tail = stderr.trim().split('\n').slice(-3).join(' | ').slice(-300);
			return settle(new FfmpegError('failed', `${binary} exited with ${code ?? 'a signal'}: ${tail}`, {}, code));
		});
		if (signal?.aborted) stop('aborted');
	});
}

/** Runs `work` in a fresh temporary directory (inside `parent`) that is removed afterwards, whatever happens. */
export async function inTempDir<T>(work: (dir: string) => Promise<T>, parent: string = tmpdir()): Promise<T> {
	const dir = await mkdtemp(join(parent, 'clapper-'));
	try {
		return await work(dir);
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}
