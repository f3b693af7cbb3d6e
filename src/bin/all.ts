import { startBot } from '../bot/index.js';
import { startWorker } from '../worker/index.js';
import { run } from './run.js';

/** Bot and worker in one process: the simplest way to run a small deployment. */
await run('all', async (config, logger) => {
	const worker = await startWorker(config, logger.child({ part: 'worker' }));
	const bot = await startBot(config, logger.child({ part: 'bot' }));
	return {
		close: async () => {
			await bot.close();
			await worker.close();
		},
	};
});
