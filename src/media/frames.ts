import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inTempDir, runFfmpeg } from './ffmpeg.js';

/**
 * The last frame of a clip as a PNG, for Extend: the next shot starts where this one ended.
 * ffmpeg seeks to the final second and keeps overwriting one image, so what remains is the last
 * decoded frame. Throws `FfmpegError`.
 */
export async function lastFrame(mp4: Buffer, timeoutMs = 30_000): Promise<Buffer> {
	return inTempDir(async (dir) => {
		await writeFile(join(dir, 'clip.mp4'), mp4);
		await runFfmpeg({
			args: ['-v', 'error', '-y', '-sseof', '-1', '-i', 'clip.mp4', '-update', '1', '-frames:v', '1000', 'last.png'],
			cwd: dir,
			timeoutMs,
		});
		return readFile(join(dir, 'last.png'));
	});
}
