import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The command line of an npm script from package.json. Tests run it as `npm run` would, minus
 * npm's wrapper process: npm exits on SIGTERM without passing it on, and a test must be able to
 * signal the real process.
 */
function scriptCommand(script: string): string[] {
	const scripts = (JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { scripts: Record<string, string> })
		.scripts;
	const command = scripts[script];
	if (command === undefined || !/^node [\w./-]+$/.test(command)) {
		throw new Error(`npm script ${script} should be a plain "node <file>" command, found: ${command}`);
	}
	return command.split(' ');
}

export interface RunningScript {
	readonly child: ChildProcess;
	/** Everything the process printed, for assertions and for a readable failure. */
	output(): string;
	waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
	/** Sends a signal to the process. */
	signal(signal: NodeJS.Signals): void;
	exited(): Promise<number | null>;
}

/** Starts an npm script's command (`start:bot`, `start:worker`, `deploy`) with the given environment. */
export function startScript(script: string, env: Record<string, string>, args: readonly string[] = []): RunningScript {
	const [command = 'node', ...scriptArgs] = scriptCommand(script);
	const child = spawn(command, [...scriptArgs, ...args], {
		cwd: root,
		env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
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
				if (child.exitCode !== null)
					throw new Error(`${script} exited (${child.exitCode}) before printing ${pattern}:\n${output}`);
				if (Date.now() > deadline) throw new Error(`${script} did not print ${pattern} in ${timeoutMs} ms:\n${output}`);
				await new Promise((resolve) => setTimeout(resolve, 25));
			}
		},
		signal(signal) {
			if (child.exitCode === null && child.signalCode === null) child.kill(signal);
		},
		exited: () => exit,
	};
}

/** Runs an npm script to completion and returns its exit code and output. */
export async function runScript(
	script: string,
	env: Record<string, string>,
	args: readonly string[] = [],
): Promise<{ code: number | null; output: string }> {
	const running = startScript(script, env, args);
	const code = await running.exited();
	return { code, output: running.output() };
}
