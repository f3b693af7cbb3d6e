import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The last frame of a clip as a PNG, for Extend: the next shot starts where this one ended.
 * ffmpeg seeks to the final second and keeps overwriting one image, so what remains is the last
 * decoded frame.
 */
export async function lastFrame(mp4: Buffer, ffmpegPath = 'ffmpeg', timeoutMs = 30_000): Promise<Buffer> {
	const dir = await mkdtemp(join(tmpdir(), 'clapper-frame-'));
	try {
		const input = join(dir, 'clip.mp4');
		const output = join(dir, 'last.png');
		await writeFile(input, mp4);
		await new Promise<void>((resolve, reject) => {
			const child = spawn(
				ffmpegPath,
				['-v', 'error', '-y', '-sseof', '-1', '-i', input, '-update', '1', '-frames:v', '1000', output],
				{ stdio: ['ignore', 'ignore', 'pipe'] },
			);
			let stderr = '';
			child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-500)));
			const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
			child.once('error', (error) => {
				clearTimeout(timer);
				reject(error);
			});
			child.once('close', (code) => {
				clearTimeout(timer);
				if (code === 0) resolve();
				else reject(new Error(`ffmpeg could not read the clip's last frame: ${stderr.trim()}`));
			});
		});
		return await readFile(output);
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}
