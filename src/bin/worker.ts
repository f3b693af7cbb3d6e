import { startWorker } from '../worker.js';
import { run } from './run.js';

await run('worker', startWorker);
