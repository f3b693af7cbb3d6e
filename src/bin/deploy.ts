import process from 'node:process';
import { deployCommands } from '../bot/deploy.js';
import { run } from './run.js';

await run('deploy', (config, logger) => deployCommands(config, logger, process.argv.slice(2)));
