import { deployCommands } from '../bot/deploy.js';
import { run } from './run.js';

await run('deploy', deployCommands);
