import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { answers, startRedisServer } from '../helpers/servers.js';

declare module 'vitest' {
	export interface ProvidedContext {
		redisUrl: string;
		/** True when the tests own the Redis server and may restart it. */
		privateRedis: boolean;
	}
}

const HOW_TO_GET_REDIS =
	'npm test needs Redis: set REDIS_URL=redis://host:6379, or install redis-server (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) so the tests can start a private one.';

/**
 * Redis for the whole run: REDIS_URL when set; otherwise a private redis-server on a free port
 * (so the tests never touch a developer's data); otherwise one line saying how to get Redis.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
	const given = process.env['REDIS_URL'];
	if (given !== undefined && given !== '') {
		if (!(await answers(given))) throw new Error(`REDIS_URL=${given} is not reachable. ${HOW_TO_GET_REDIS}`);
		project.provide('redisUrl', given);
		project.provide('privateRedis', false);
		return async () => undefined;
	}

	if (spawnSync('redis-server', ['--version']).error !== undefined) {
		process.stderr.write(`\n${HOW_TO_GET_REDIS}\n\n`);
		throw new Error(HOW_TO_GET_REDIS);
	}
	const server = await startRedisServer();
	project.provide('redisUrl', server.url);
	project.provide('privateRedis', true);
	return () => server.remove();
}
