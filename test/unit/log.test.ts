import { PassThrough } from 'node:stream';
import { DiscordAPIError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';

describe('logs', () => {
	it('never carry an interaction token, even inside a discord.js error', () => {
		// Shaped like an interaction token (base64 of made-up ids), not a real one.
		const token = Buffer.from('interaction:123456789012345678:abcdefghijklmnop').toString('base64url');
		const stream = new PassThrough();
		let output = '';
		stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
		const logger = createLogger('info', 'test', stream);
		const error = new DiscordAPIError(
			{ code: 50027, message: 'Invalid Webhook Token' },
			50027,
			401,
			'PATCH',
			`https://discord.com/api/v10/webhooks/123456789012345678/${token}/messages/@original`,
			{ body: { content: 'x' } },
		);
		logger.warn({ err: error, job: { interaction: { id: '1', token } } }, 'edit failed');
		expect(output).toContain('/webhooks/123456789012345678/[token]/messages/@original');
		expect(output).toContain('Invalid Webhook Token');
		expect(output).not.toContain(token);
	});

	it('say how large a failed upload was instead of printing its bytes', () => {
		const stream = new PassThrough();
		let output = '';
		stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
		const clip = Buffer.alloc(200_000, 7);
		const error = new DiscordAPIError(
			{ code: 50013, message: 'Missing Permissions' },
			50013,
			403,
			'PATCH',
			'https://discord.com/api/v10/channels/123456789012345678/messages/123456789012345679',
			{ files: [{ name: 'clip.mp4', data: clip }], body: { content: 'x' } },
		);
		createLogger('info', 'test', stream).warn({ err: error }, 'upload refused');
		expect(output).toContain('[200000 bytes]');
		expect(output.length).toBeLessThan(5_000);
	});
});
