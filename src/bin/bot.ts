import { startBot } from '../bot.js';
import { run } from './run.js';

await run('bot', startBot);
