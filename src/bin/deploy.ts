import { deployCommands } from '../deploy.js';
import { run } from './run.js';

await run('deploy', deployCommands);
