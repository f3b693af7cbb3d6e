import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs on stdout with ids as fields. Anything named like a credential is censored even if a
 * caller passes it by mistake: interaction tokens live in job data, and job data gets logged.
 */
export function createLogger(level: string, name: string): Logger {
	return pino({
		name,
		level,
		base: { pid: process.pid },
		redact: {
			paths: [
				'token',
				'*.token',
				'*.*.token',
				'apiKey',
				'*.apiKey',
				'authorization',
				'*.authorization',
				'headers.authorization',
			],
			censor: '[redacted]',
		},
	});
}
