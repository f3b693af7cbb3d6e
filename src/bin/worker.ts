import { startWorker } from '../worker/index.js';
import { run } from './run.js';

await run('worker', startWorker);
