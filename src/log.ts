import { pino, stdSerializers, type Logger } from 'pino';

export type { Logger };

// Interaction and webhook tokens sit in Discord URLs, and discord.js errors carry those URLs.
const TOKEN_IN_PATH = /\/(webhooks|interactions)\/(\d+)\/[\w.-]{20,}/g;

/** Removes tokens from any string a log line may carry (messages, URLs, stacks). */
export function scrubTokens(text: string): string {
	return text.replace(TOKEN_IN_PATH, '/$1/$2/[token]');
}

function scrub(value: unknown, depth = 0): unknown {
	if (typeof value === 'string') return scrubTokens(value);
	// A failed upload's error carries the file: its size says enough.
	if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
	if (depth > 4 || value === null || typeof value !== 'object') return value;
	if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
	return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrub(item, depth + 1)]));
}

/**
 * JSON logs on stdout with ids as fields. Anything named like a credential is censored even if a
 * caller passes it by mistake (interaction tokens live in job data), and errors are scrubbed of
 * tokens in the URLs they quote.
 */
export function createLogger(level: string, name: string, destination?: NodeJS.WritableStream): Logger {
	const options = {
		name,
		level,
		base: { pid: process.pid },
		serializers: { err: (error: Error) => scrub(stdSerializers.err(error)) },
		redact: {
			paths: [
				'token',
				'*.token',
				'*.*.token',
				'apiKey',
				'*.apiKey',
				'password',
				'*.password',
				'dashboardPassword',
				'*.dashboardPassword',
				'authorization',
				'*.authorization',
				'*.headers.authorization',
			],
			censor: '[redacted]',
		},
	};
	return destination === undefined ? pino(options) : pino(options, destination);
}
