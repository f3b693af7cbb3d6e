import type { Router } from 'express';
import type { Metrics } from './metrics.js';

/** What a started process (a bot, a worker) hands back to its entry point. */
export interface Running {
	/** Stops it cleanly: a worker hands its jobs back, a bot closes its gateway sessions. */
	close(): Promise<void>;
	/** True when it can do its work now: Redis answers and, for a bot, every shard it runs is connected. */
	ready(): Promise<boolean>;
	readonly metrics: Metrics;
	/** The queue dashboard, on processes that serve one (the bot, `npm start`). */
	readonly dashboard?: Router | undefined;
}
