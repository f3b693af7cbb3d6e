import { PassThrough } from 'node:stream';
import { DiscordAPIError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';

describe('logs', () => {
	it('never carry an interaction token, even inside a discord.js error', () => {
		const token = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OmFiY2RlZmdoaWprbG1ub3A';
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
});
