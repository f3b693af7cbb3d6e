import { startBot } from '../bot/index.js';
import { run } from './run.js';

await run('bot', startBot);
