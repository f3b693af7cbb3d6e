import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

export async function answers(url: string): Promise<boolean> {
	const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
	redis.on('error', () => undefined);
	try {
		await redis.connect();
		return (await redis.ping()) === 'PONG';
	} catch {
		return false;
	} finally {
		redis.disconnect();
	}
}

export interface RedisServer {
	readonly url: string;
	readonly port: number;
	/** Stops the server (as an outage would); `start` brings it back on the same port. */
	stop(): Promise<void>;
	start(): Promise<void>;
	/** Stops it for good and removes its files. */
	remove(): Promise<void>;
}

/** A private redis-server of a test's own, which the test may stop and start. */
export async function startRedisServer(args: readonly string[] = []): Promise<RedisServer> {
	const port = await freePort();
	const dir = mkdtempSync(join(tmpdir(), 'clapper-redis-'));
	const url = `redis://127.0.0.1:${port}`;
	let child: ChildProcess | undefined;
	const server: RedisServer = {
		url,
		port,
		async start() {
			child = spawn(
				'redis-server',
				['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args],
				{
					stdio: 'ignore',
				},
			);
			for (let i = 0; i < 100 && !(await answers(url)); i++) await sleep(50);
			if (!(await answers(url))) throw new Error(`redis-server on port ${port} did not start`);
		},
		async stop() {
			const running = child;
			child = undefined;
			if (running === undefined || running.exitCode !== null) return;
			const exited = new Promise((resolve) => running.once('exit', resolve));
			running.kill('SIGKILL');
			await exited;
		},
		async remove() {
			await server.stop();
			rmSync(dir, { recursive: true, force: true });
		},
	};
	await server.start();
	return server;
}
