import process from 'node:process';
import type { Running } from '../running.js';
import { ConfigError, loadConfig, type Config, type Role } from '../config.js';
import { StartupError } from '../errors.js';
import { serveHttp } from './http.js';
import { createLogger, type Logger } from '../log.js';

/**
 * Shared start-up of every entry point: parse the environment (listing every problem, printing no
 * secret), start, and close cleanly on SIGINT/SIGTERM so in-flight jobs go back to the queue.
 */
export async function run(
	role: Role,
	start: (config: Config, logger: Logger) => Promise<Running | void>,
): Promise<void> {
	let config: Config;
	try {
		config = loadConfig(process.env, role);
	} catch (error) {
		if (error instanceof ConfigError) {
			process.stderr.write(`clapper: ${error.message}\nSee .env.example and the README's configuration table.\n`);
			process.exit(78); // EX_CONFIG
		}
		throw error;
	}
	const logger = createLogger(config.logLevel, `clapper-${role}`);
	process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
	process.on('uncaughtException', (error) => {
		logger.fatal({ err: error }, 'uncaught exception');
		process.exit(1);
	});

	let running: Running | void;
	try {
		running = await start(config, logger);
		if (running !== undefined) await serveHttp(running, config.http, logger);
	} catch (error) {
		if (error instanceof StartupError) {
			// The operator's words: one line, no stack.
			process.stderr.write(`clapper: ${error.message}\n`);
			logger.fatal({ reason: error.message }, 'could not start');
			process.exit(error.exitCode);
		}
		logger.fatal({ err: error }, 'could not start');
		process.exit(1);
	}
	if (running === undefined) return;

	let stopping = false;
	const stop = (signal: NodeJS.Signals) => {
		if (stopping) return;
		stopping = true;
		logger.info({ signal }, 'shutting down');
		// A close that hangs must still end the process, before an orchestrator's own deadline
		// (docker compose gives workers 60 s). In-flight create calls are what it waits for.
		setTimeout(() => process.exit(1), 55_000).unref();
		running
			.close()
			.then(() => {
				logger.info('stopped');
				process.exit(0);
			})
			.catch((error: unknown) => {
				logger.error({ err: error }, 'unclean shutdown');
				process.exit(1);
			});
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}
