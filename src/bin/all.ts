import { startBot } from '../bot/index.js';
import { createMetrics } from '../metrics.js';
import { startWorker } from '../worker/index.js';
import { run } from './run.js';

/** Bot and worker in one process: the simplest way to run a small deployment. */
await run('all', async (config, logger) => {
	// One registry for the process: its metrics are the bot's and the worker's together.
	const metrics = createMetrics();
	const worker = await startWorker(config, logger.child({ part: 'worker' }), metrics);
	const bot = await startBot(config, logger.child({ part: 'bot' }), metrics);
	return {
		metrics,
		dashboard: bot.dashboard,
		ready: async () => (await bot.ready()) && (await worker.ready()),
		close: async () => {
			await bot.close();
			await worker.close();
		},
	};
});
