import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
	export interface ProvidedContext {
		redisUrl: string;
		/** True when the tests own the Redis server and may restart it. */
		privateRedis: boolean;
	}
}

const HOW_TO_GET_REDIS =
	'npm test needs Redis: set REDIS_URL=redis://host:6379, or install redis-server (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) so the tests can start a private one.';

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

async function reachable(url: string): Promise<boolean> {
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

/**
 * Redis for the whole run: REDIS_URL when set; otherwise a private redis-server on a free port
 * (so the tests never touch a developer's data); otherwise one line saying how to get Redis.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
	const given = process.env['REDIS_URL'];
	if (given !== undefined && given !== '') {
		if (!(await reachable(given))) throw new Error(`REDIS_URL=${given} is not reachable. ${HOW_TO_GET_REDIS}`);
		project.provide('redisUrl', given);
		project.provide('privateRedis', false);
		return async () => undefined;
	}

	if (spawnSync('redis-server', ['--version']).error !== undefined) {
		process.stderr.write(`\n${HOW_TO_GET_REDIS}\n\n`);
		throw new Error(HOW_TO_GET_REDIS);
	}
	const port = await freePort();
	const dir = mkdtempSync(join(tmpdir(), 'clapper-redis-'));
	const server: ChildProcess = spawn(
		'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
		{ stdio: 'ignore' },
	);
	const url = `redis://127.0.0.1:${port}`;
	for (let i = 0; i < 100 && !(await reachable(url)); i++) await sleep(50);
	if (!(await reachable(url))) throw new Error(`the private redis-server on port ${port} did not start`);
	project.provide('redisUrl', url);
	project.provide('privateRedis', true);
	return async () => {
		server.kill('SIGTERM');
		rmSync(dir, { recursive: true, force: true });
	};
}
