import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningScript {
	readonly child: ChildProcess;
	/** Everything the process printed, for assertions and for a readable failure. */
	output(): string;
	waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
	/** Sends a signal to the whole process group (npm and the node process it starts). */
	signal(signal: NodeJS.Signals): void;
	exited(): Promise<number | null>;
}

/**
 * Starts an npm script exactly as a user would (`npm run start:bot`), in its own process group
 * so a test can SIGKILL the real node process underneath npm.
 */
export function startScript(script: string, env: Record<string, string>): RunningScript {
	const child = spawn('npm', ['run', '--silent', script], {
		cwd: root,
		env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	return {
		child,
		output: () => output,
		async waitForOutput(pattern, timeoutMs = 20_000) {
			const deadline = Date.now() + timeoutMs;
			while (!pattern.test(output)) {
				if (child.exitCode !== null) throw new Error(`${script} exited (${child.exitCode}) before printing ${pattern}:\n${output}`);
				if (Date.now() > deadline) throw new Error(`${script} did not print ${pattern} in ${timeoutMs} ms:\n${output}`);
				await new Promise((resolve) => setTimeout(resolve, 25));
			}
		},
		signal(signal) {
			if (child.pid !== undefined && child.exitCode === null) {
				try {
					process.kill(-child.pid, signal);
				} catch {
					// Already gone.
				}
			}
		},
		exited: () => exit,
	};
}

/** Runs an npm script to completion and returns its exit code and output. */
export async function runScript(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
	const running = startScript(script, env);
	const code = await running.exited();
	return { code, output: running.output() };
}
