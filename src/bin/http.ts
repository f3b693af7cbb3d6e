import { createHash, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import express, { type RequestHandler } from 'express';
import type { Config } from '../config.js';
import { StartupError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Running } from '../running.js';

/** `/readyz` always answers within this, whatever Redis or Discord do. */
const READY_DEADLINE_MS = 2_500;

const digest = (text: string) => createHash('sha256').update(text).digest();

/** HTTP Basic auth as user `admin`; compared in constant time. */
function basicAuth(password: string): RequestHandler {
	const expected = digest(`admin:${password}`);
	return (request, response, next) => {
		const [scheme, encoded] = (request.headers.authorization ?? '').split(' ');
		const given = scheme === 'Basic' && encoded !== undefined ? Buffer.from(encoded, 'base64').toString() : '';
		if (timingSafeEqual(digest(given), expected)) return next();
		response
			.set('WWW-Authenticate', 'Basic realm="clapper queue dashboard", charset="UTF-8"')
			.status(401)
			.send('Unauthorized');
	};
}

async function within<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
	try {
		return await Promise.race([work.catch(() => fallback), late]);
	} finally {
		clearTimeout(timer);
	}
}

/**
 * The process's own HTTP server: `/healthz` (alive), `/readyz` (can work now), `/metrics`
 * (Prometheus) and, on processes that have one and with a password set, the queue dashboard at
 * `/admin/queues`. Started only when HTTP_PORT is set.
 */
export async function serveHttp(running: Running, config: Config['http'], logger: Logger): Promise<Server | undefined> {
	if (config.port === undefined) return undefined;
	const app = express();
	app.disable('x-powered-by');
	app.get('/healthz', (_request, response) => {
		response.type('text/plain').send('ok\n');
	});
	app.get('/readyz', (_request, response) => {
		void within(running.ready(), READY_DEADLINE_MS, false).then((ready) => {
			response
				.status(ready ? 200 : 503)
				.type('text/plain')
				.send(ready ? 'ready\n' : 'not ready\n');
		});
	});
	app.get('/metrics', (_request, response) => {
		const { registry } = running.metrics;
		registry.metrics().then(
			(text) => response.type(registry.contentType).send(text),
			(error: unknown) => {
				logger.warn({ err: error }, 'metrics could not be collected');
				response.status(500).type('text/plain').send('metrics unavailable\n');
			},
		);
	});
	if (config.dashboardPassword !== undefined && running.dashboard !== undefined) {
		app.use('/admin/queues', basicAuth(config.dashboardPassword), running.dashboard);
	}
	app.use((_request, response) => {
		response.status(404).type('text/plain').send('not found\n');
	});
	const { port, host } = config;
	return new Promise<Server>((resolve, reject) => {
		const server = app.listen(port, host, (error?: Error) => {
			if (error !== undefined) {
				const code = (error as NodeJS.ErrnoException).code;
				const why =
					code === 'EADDRINUSE'
						? `port ${port} is already in use`
						: `${host}:${port} cannot be listened on (${code ?? error.message})`;
				return reject(
					new StartupError(
						`the HTTP server could not start: ${why}; set HTTP_PORT (and HTTP_HOST) to a free address, or unset HTTP_PORT`,
						78,
						{ cause: error },
					),
				);
			}
			logger.info(
				{ host, port, dashboard: config.dashboardPassword !== undefined && running.dashboard !== undefined },
				'http server listening',
			);
			resolve(server);
		});
	});
}
