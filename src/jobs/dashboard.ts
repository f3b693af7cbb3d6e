import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue } from 'bullmq';
import type { Router } from 'express';
import type { RedisConnection } from '../redis.js';
import type { VideoJobData } from './payload.js';
import { VIDEO_QUEUE } from './queue.js';

export interface Dashboard {
	readonly router: Router;
	close(): Promise<void>;
}

/**
 * Bull Board over the video queue, mounted at `basePath` by the process's HTTP server (which
 * guards it with a password). It lives here because it is BullMQ's view of the queue.
 */
export function createDashboard(connection: RedisConnection, prefix: string, basePath: string): Dashboard {
	const queue = new Queue<VideoJobData>(VIDEO_QUEUE, { connection, prefix });
	const serverAdapter = new ExpressAdapter().setBasePath(basePath);
	createBullBoard({
		queues: [new BullMQAdapter(queue, { displayName: 'video clips' })],
		serverAdapter,
		options: { uiConfig: { boardTitle: 'clapper' } },
	});
	return {
		router: serverAdapter.getRouter() as Router,
		close: () => queue.close(),
	};
}
