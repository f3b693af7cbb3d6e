import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoJobs } from '../../src/jobs/index.js';
import {
	clipOf as clipFrom,
	contentOf,
	deploymentEnv,
	nextUser,
	originalEdits,
	startDeployment,
	type Deployment,
	closeAll,
} from '../helpers/deployment.js';
import { answerOf } from '../helpers/answers.js';
import { runScript } from '../helpers/processes.js';
import { usedUnits } from '../helpers/quota.js';
import { uniquePrefix } from '../helpers/redis.js';
import { startDiscordStandIn, type DiscordStandIn } from '../standins/discord.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';

/**
 * Hostile text through the real bot and worker processes: brackets that do not pair up, a 1,900-
 * character bracket, invisible and direction-changing characters, and Markdown meant to turn the
 * bot's own message into a link. Refusals are private, spend nothing and fit Discord's limits; what
 * is sent reaches the provider clean and every message quotes it inert.
 */

let discord: DiscordStandIn;
let minimax: MinimaxStandIn;
let deployment: Deployment;

const video = (userId: string, prompt: string, camera?: string) =>
	discord.slashCommand({
		name: 'video',
		userId,
		options: [
			{ name: 'prompt', type: 3, value: prompt },
			...(camera === undefined ? [] : [{ name: 'camera', type: 3, value: camera }]),
		],
	});

/** The private answer to a refused command: its interaction callback, or a follow-up after a defer. */
async function refusalOf(handle: { id: string; token: string }): Promise<{ content: string; flags: number }> {
	return discord.waitFor(
		() => {
			const callback = discord
				.callbacks(handle.id)
				.map((r) => r.body as { type: number; data?: { content?: string; flags?: number } })
				.find((body) => body.type === 4);
			if (callback?.data?.content !== undefined)
				return { content: callback.data.content, flags: callback.data.flags ?? 0 };
			const followUp = discord.requests.find(
				(r) => r.method === 'POST' && r.path.endsWith(`/webhooks/${discord.applicationId}/${handle.token}`),
			);
			const body = followUp?.body as { content?: string; flags?: number } | undefined;
			return body?.content === undefined ? undefined : { content: body.content, flags: body.flags ?? 0 };
		},
		10_000,
		'the private refusal',
	);
}

/** Nothing was spent: no create call, no unit, no job. */
async function nothingSpent(userId: string, interactionId: string, createsBefore: number): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, 300));
	expect(minimax.creates.length).toBe(createsBefore);
	expect(await usedUnits(deployment.redis, deployment.prefix, userId)).toBe(0);
	expect(await new VideoJobs(deployment.redis, deployment.prefix).state(interactionId)).toBe('unknown');
}

/** Markdown a message's text can still act on, after taking out what is escaped. */
const live = (markdown: string): string => markdown.replace(/\\[^0-9A-Za-z\s]/g, '··');

const promptOf = (index: number): string => String(minimax.creates[index]?.body.prompt);

describe('end to end: hostile text', () => {
	beforeAll(async () => {
		discord = await startDiscordStandIn();
		minimax = await startMinimaxStandIn({ pathPrefix: '/minimax', generationMs: 300 });
		const overrides = {
			VIDEO_PROVIDER: 'minimax',
			MINIMAX_API_KEY: minimax.apiKey,
			MINIMAX_BASE_URL: minimax.baseUrl,
			PROGRESS_INTERVAL_MS: '300',
			USER_DAILY_QUOTA: '3',
		};
		const deploy = await runScript('deploy', deploymentEnv(discord, uniquePrefix(), overrides));
		expect(deploy.code, deploy.output).toBe(0);
		deployment = await startDeployment(discord, overrides);
	}, 60_000);

	afterAll(async () => {
		// Nothing the processes sent broke Discord's spec or its 2000-character limit.
		await closeAll(discord, deployment, minimax);
	});

	it('refuses an unclosed bracket privately, with its position and a fix, and spends nothing', async () => {
		const userId = nextUser();
		const before = minimax.creates.length;
		const handle = video(userId, 'a cat [pan left walks away');
		const refusal = await refusalOf(handle);
		expect(refusal.flags & 64).toBe(64);
		expect(refusal.content).toBe(
			'The “[” at character 7 of your prompt is never closed: “a cat \\[pan left walks away”. Try: “a cat \\[pan left\\] walks away”. This request did not use any of your quota.',
		);
		await nothingSpent(userId, handle.id, before);
	});

	it('answers a 1,900-character bracket, within 2000 characters, and spends nothing', async () => {
		// Both used to make an answer of about 3,800 characters, which Discord refused: no answer at all.
		const prompts = [`a cat [pan left, ${'x'.repeat(1900)}]`, `a cat [${'y'.repeat(1900)}`];
		for (const prompt of prompts) {
			const userId = nextUser();
			const before = minimax.creates.length;
			const handle = video(userId, prompt);
			const refusal = await refusalOf(handle);
			expect(refusal.flags & 64).toBe(64);
			expect(refusal.content.length).toBeLessThanOrEqual(2000);
			expect(refusal.content).toMatch(/is not a camera move I know|at character 7 of your prompt is never closed/);
			await nothingSpent(userId, handle.id, before);
		}
	});

	it('closes a last bracket of camera moves left open, and quotes the exact prompt sent', async () => {
		const handle = video(nextUser(), 'a lighthouse in fog [dolly in, zoom out');
		const message = await clipFrom(discord, deployment, handle.token);
		expect(promptOf(minimax.creates.length - 1)).toBe('a lighthouse in fog [Push in, Zoom out]');
		const queued = originalEdits(discord, handle.token).map(contentOf)[0];
		expect(queued).toContain('> a lighthouse in fog \\[Push in, Zoom out\\]');
		expect(message.content).toContain('> a lighthouse in fog \\[Push in, Zoom out\\]');
	});

	it('sends the provider no bidi, zero-width or control character, from the prompt or the camera option', async () => {
		const handle = video(
			nextUser(),
			'a \u2066paper\u2069 boat\u200B on a \u202Erainy\u202C street\u0007\u2067 at\u2068 dusk\uFEFF',
			'pan\u2066 left\u2069',
		);
		const message = await clipFrom(discord, deployment, handle.token);
		const sent = promptOf(minimax.creates.length - 1);
		expect(sent).toBe('[Pan left] a paper boat on a rainy street at dusk');
		const hidden = /[\u202A-\u202E\u2066-\u2069\u200B-\u200F\u061C\u2060\uFEFF]|(?!\n)\p{Cc}/u;
		for (const text of [sent, message.content, message.attachments[0]?.description ?? '']) {
			expect(hidden.test(text), JSON.stringify(text)).toBe(false);
		}
		for (const edit of originalEdits(discord, handle.token)) expect(hidden.test(contentOf(edit))).toBe(false);
	});

	it('cleans and checks the Remix modal’s text as it does the command’s', async () => {
		const handle = video(nextUser(), 'a kite over the dunes');
		await clipFrom(discord, deployment, handle.token);
		const remix = discord.modalSubmit({
			customId: `clap:remix:${handle.id}`,
			fields: { prompt: 'a \u2067kite\u2069 at\u200B night\u202E', camera: 'zoom\u2066 out' },
			userId: nextUser(),
		});
		await clipFrom(discord, deployment, remix.token);
		expect(promptOf(minimax.creates.length - 1)).toBe('[Zoom out] a kite at night');

		const userId = nextUser();
		const before = minimax.creates.length;
		const slip = discord.modalSubmit({
			customId: `clap:remix:${handle.id}`,
			fields: { prompt: 'a kite [Pan left [Zoom in]] at night', camera: '' },
			userId,
		});
		const refusal = await refusalOf(slip);
		expect(refusal.flags & 64).toBe(64);
		expect(refusal.content).toContain('The “[” at character 18 of your prompt opens a bracket inside another');
		expect(refusal.content).toContain('\\[Pan left\\] \\[Zoom in\\] at night');
		await nothingSpent(userId, slip.id, before);
	});

	it('shows a hostile sequence title and shot prompt on the board as text, without a link or a hidden character', async () => {
		const ownerId = nextUser();
		const title = '\u2066# [Prize](https://evil.example) ||win||\u2069';
		const start = discord.slashCommand({
			name: 'sequence',
			userId: ownerId,
			options: [{ name: 'start', type: 1, options: [{ name: 'title', type: 3, value: title }] }],
		});
		const answer = await answerOf(discord, start);
		const boardId = /https:\/\/discord\.com\/channels\/\d+\/\d+\/(\d+)/.exec(answer.content)?.[1] ?? '';
		const clip = video(nextUser(), '> quoted [link](https://evil.example) `code`');
		const message = await clipFrom(discord, deployment, clip.token);
		discord.component({ customId: `clap:add:${clip.id}`, messageId: message.id, userId: nextUser() });
		const descriptions = () =>
			((discord.message(boardId)?.embeds ?? []) as { description?: string }[]).map((embed) => embed.description ?? '');
		const lines = await discord.waitFor(() => {
			const shown = descriptions();
			return shown.some((description) => description.includes('quoted')) ? shown : undefined;
		});
		const board = discord.message(boardId)!;
		const texts = [answer.content, board.content, ...lines];
		for (const text of texts) {
			expect(/[\u2066-\u2069]/u.test(text)).toBe(false);
			// The bot's own links (the board's, each shot's message) are the only ones left.
			const own = text.replace(/https:\/\/discord\.com\/channels\/[\d/]+/g, '');
			expect(live(own), text).not.toMatch(/\]\(|:\/\/|\|\||(^|\n)(> )?#|`code/);
		}
		expect(lines.join('\n')).toContain('\\> quoted \\[link\\](https\\://evil');
		expect(board.content).toContain('\\# \\[Prize\\](https\\://evil.example) \\|\\|win\\|\\|');
	});

	it('quotes a prompt carrying a masked link, a raw link, a heading and a spoiler without any of them working', async () => {
		const prompt = '# FREE NITRO [claim it](https://evil.example/login) ||now|| at https://evil.example';
		const handle = video(nextUser(), prompt);
		const message = await clipFrom(discord, deployment, handle.token);
		// The provider gets the words as typed; only what Discord shows is escaped.
		expect(promptOf(minimax.creates.length - 1)).toBe(prompt);
		const shown = [...originalEdits(discord, handle.token).map(contentOf), message.content];
		expect(shown.length).toBeGreaterThan(1);
		for (const content of shown) {
			expect(content).toContain('FREE NITRO');
			expect(live(content)).not.toMatch(/\]\(|:\/\/|\|\||(^|\n)(> )?#/);
		}
		expect(message.content).toContain(
			'> \\# FREE NITRO \\[claim it\\](https\\://evil.example/login) \\|\\|now\\|\\| at https\\://evil.example',
		);
	});
});
