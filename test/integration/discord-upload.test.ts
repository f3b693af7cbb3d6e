// A clip upload through discord.js must not depend on which undici a process happens to import
// first: whichever does owns the process-wide dispatcher, and our own undici (newer than the one
// inside discord.js) refuses the FormData discord.js builds unless our REST clients are used.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startDiscordStandIn, type DiscordStandIn } from '../standins/discord.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const transport = fileURLToPath(new URL('../../src/discord/rest.ts', import.meta.url));

// Run in a fresh process so that nothing (vitest included) has touched undici before it.
const UPLOAD = `
import 'undici';
const { Routes } = await import('discord.js');
const { createRest } = await import(process.env.TRANSPORT);
const rest = createRest(process.env.API, process.env.TOKEN);
await rest.post(Routes.channelMessages(process.env.CHANNEL), {
	body: { content: 'clip' },
	files: [{ name: 'clip.mp4', data: Buffer.alloc(Number(process.env.BYTES), 7), contentType: 'video/mp4' }],
});
process.exit(0);
`;

let standIn: DiscordStandIn | undefined;

afterEach(async () => {
	await standIn?.close();
	standIn = undefined;
});

describe('discord.js uploads', () => {
	it('delivers a file when our undici was imported before discord.js', async () => {
		standIn = await startDiscordStandIn();
		const bytes = 3 * 1024 * 1024;
		await promisify(execFile)(process.execPath, ['--input-type=module', '--eval', UPLOAD], {
			cwd: root,
			timeout: 20_000,
			env: {
				...process.env,
				TRANSPORT: transport,
				API: standIn.apiUrl,
				TOKEN: standIn.token,
				CHANNEL: standIn.channelId,
				BYTES: String(bytes),
			},
		});
		const [message] = standIn.channelMessages();
		expect(message?.content).toBe('clip');
		expect(message?.attachments).toMatchObject([{ filename: 'clip.mp4', size: bytes }]);
		expect(message?.attachments[0]?.data.equals(Buffer.alloc(bytes, 7))).toBe(true);
		expect(standIn.violations).toEqual([]);
	});
});
