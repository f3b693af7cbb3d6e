import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue } from 'bullmq';
import { Router, type RequestHandler } from 'express';
import type { RedisConnection } from '../redis.js';
import type { VideoJobData } from './payload.js';
import { VIDEO_QUEUE } from './queue.js';

export interface Dashboard {
	readonly router: Router;
	close(): Promise<void>;
}

/**
 * Dashboard actions that would go around the command path: a job added or edited here skips the
 * checks and the quota, and an emptied queue drops jobs whose units are reserved and whose users
 * wait for an answer. Retry, promote, clean, pause and resume stay.
 */
const REFUSED: ReadonlyArray<readonly ['post' | 'put' | 'patch', string]> = [
	['post', '/api/queues/:queueName/add'],
	['patch', '/api/queues/:queueName/:jobId/update-data'],
	['put', '/api/queues/:queueName/empty'],
	['put', '/api/queues/:queueName/obliterate'],
];

const refuse: RequestHandler = (_request, response) => {
	response.status(403).json({
		error: 'Not from the dashboard: jobs are added and changed by /video, so that every check and quota applies.',
	});
};

/** A job's data as the dashboard shows it: the interaction token (a live secret for 15 minutes) hidden. */
function shown(data: unknown): unknown {
	if (typeof data !== 'object' || data === null || !('interaction' in data)) return data;
	const { interaction } = data;
	if (typeof interaction !== 'object' || interaction === null) return data;
	return { ...data, interaction: { ...interaction, token: '[hidden]' } };
}

/**
 * Bull Board over the video queue, mounted at `basePath` by the process's HTTP server (which
 * guards it with a password). It lives here because it is BullMQ's view of the queue.
 */
export function createDashboard(connection: RedisConnection, prefix: string, basePath: string): Dashboard {
	const queue = new Queue<VideoJobData>(VIDEO_QUEUE, { connection, prefix });
	const adapter = new BullMQAdapter(queue, { displayName: 'video clips' });
	adapter.setFormatter('data', shown);
	const serverAdapter = new ExpressAdapter().setBasePath(basePath);
	createBullBoard({ queues: [adapter], serverAdapter, options: { uiConfig: { boardTitle: 'clapper' } } });
	const router = Router();
	for (const [method, path] of REFUSED) router[method](path, refuse);
	router.use(serverAdapter.getRouter() as Router);
	return { router, close: () => queue.close() };
}
