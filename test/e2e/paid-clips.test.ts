import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Quota } from '../../src/store/quota.js';
import { english } from '../../src/texts/index.js';
import { clipOf, failureOf, nextUser, startDeployment, type Deployment, closeAll } from '../helpers/deployment.js';
import { retryAt } from '../helpers/provider-drivers.js';
import { startDiscordStandIn, type DiscordStandIn } from '../standins/discord.js';
import { PASS, type ScriptedAnswer } from '../standins/loopback.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';

/**
 * A paid clip is never thrown away, through the real bot and worker processes against MiniMax's
 * stand-in: refusals that ask for a wait (Retry-After in seconds and as a date, on the create call,
 * the query and the download) are waited out; garbled status answers are asked again and only a
 * run of them ends the job, its unit given back; a download refused as expired gets a freshly
 * signed link from the same task. One task per clip, always.
 */

const CLOCK_SLACK_MS = 5;

let discord: DiscordStandIn;
let minimax: MinimaxStandIn;
let deployment: Deployment;

beforeAll(async () => {
	discord = await startDiscordStandIn();
	minimax = await startMinimaxStandIn({ generationMs: 1_500 });
	deployment = await startDeployment(discord, {
		VIDEO_PROVIDER: 'minimax',
		MINIMAX_API_KEY: minimax.apiKey,
		MINIMAX_BASE_URL: minimax.baseUrl,
	});
}, 60_000);

afterAll(async () => {
	await closeAll(discord, deployment, minimax);
});

const video = (userId: string, prompt: string) =>
	discord.slashCommand({ name: 'video', options: [{ name: 'prompt', type: 3, value: prompt }], userId });
const mp4 = (message: Awaited<ReturnType<typeof clipOf>>) =>
	message.attachments.find((file) => file.filename.endsWith('.mp4'))?.data;

describe('a paid clip is never thrown away (real processes, MiniMax)', () => {
	it('waits out Retry-After on the create call (1 s), the query (an HTTP date) and the download (1 s), and delivers one task’s clip', async () => {
		const { faults } = minimax;
		const date = retryAt(2);
		const limited = { base_resp: { status_code: 1002, status_msg: 'rate limit' } };
		faults.script('create', { status: 429, headers: { 'retry-after': '1' }, body: limited });
		faults.script('poll', { status: 503, headers: { 'retry-after': date.header }, body: { error: 'unavailable' } });
		faults.script('download', { status: 429, headers: { 'retry-after': '1' }, body: 'Slow Down' });
		const at = { create: faults.arrivals.create.length, poll: faults.arrivals.poll.length };
		const downloads = faults.arrivals.download.length;
		const tasks = minimax.tasks().length;
		const handle = video(nextUser(), 'a kite over the dunes');
		const message = await clipOf(discord, deployment, handle.token, 40_000);
		expect(mp4(message)?.equals(minimax.video)).toBe(true);
		expect(minimax.tasks().length - tasks).toBe(1);
		const [refusedCreate = 0, create = 0] = faults.arrivals.create.slice(at.create);
		expect(create - refusedCreate).toBeGreaterThanOrEqual(1000 - CLOCK_SLACK_MS);
		const [, poll = 0] = faults.arrivals.poll.slice(at.poll);
		expect(poll).toBeGreaterThanOrEqual(date.notBefore - CLOCK_SLACK_MS);
		const [refusedDownload = 0, download = 0] = faults.arrivals.download.slice(downloads);
		expect(download - refusedDownload).toBeGreaterThanOrEqual(1000 - CLOCK_SLACK_MS);
	}, 60_000);

	it('asks again past garbled status answers (an HTML page, a cut-off body, an unknown status), and delivers', async () => {
		const garbled: Array<ScriptedAnswer | typeof PASS> = [
			{ status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>502 Bad Gateway</body></html>' },
			{ status: 200, body: '{"task_id":"1","status":"Proc', truncated: true },
			{ status: 200, body: { task_id: '1', status: 'Exploded', base_resp: { status_code: 0, status_msg: '' } } },
			PASS,
			{ status: 200, body: '' },
			{ status: 200, body: 'null' },
		];
		minimax.generationMs = 6_000;
		try {
			minimax.faults.script('poll', ...garbled);
			const tasks = minimax.tasks().length;
			const handle = video(nextUser(), 'rain on a tin roof');
			const message = await clipOf(discord, deployment, handle.token, 40_000);
			expect(mp4(message)?.equals(minimax.video)).toBe(true);
			expect(minimax.tasks().length - tasks).toBe(1);
			expect(minimax.faults.pending('poll')).toBe(0);
			expect(deployment.worker.output()).toMatch(/poll failed; trying again/);
		} finally {
			minimax.generationMs = 1_500;
		}
	}, 60_000);

	it('ends the job after a run of five garbled answers, in its words, with the unit given back', async () => {
		const userId = nextUser();
		const html = { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>502</html>' };
		minimax.faults.script('poll', html, html, html, html, html);
		const tasks = minimax.tasks().length;
		const handle = video(userId, 'a garbled forecast');
		const final = await failureOf(discord, deployment, handle.token, 40_000);
		expect(final).toBe(english.failed('malformed', { prompt: 'a garbled forecast', model: 'MiniMax-Hailuo-2.3' }));
		expect(minimax.tasks().length - tasks).toBe(1);
		expect((await new Quota(deployment.redis, deployment.prefix).status(userId, 3)).used).toBe(0);
	}, 60_000);

	it('a download refused with 410 reads the task’s file again for a fresh link, and delivers, with one task', async () => {
		const { faults } = minimax;
		let retrieves = Number.NaN;
		faults.script('download', { status: 410, body: 'Gone', then: () => (retrieves = faults.arrivals.result.length) });
		const tasks = minimax.tasks().length;
		const handle = video(nextUser(), 'a paper boat in a gutter');
		const message = await clipOf(discord, deployment, handle.token, 40_000);
		expect(mp4(message)?.equals(minimax.video)).toBe(true);
		expect(minimax.tasks().length - tasks).toBe(1);
		expect(faults.arrivals.result.length - retrieves).toBe(1);
		expect(deployment.worker.output()).toMatch(/clip link refused; asking the task again/);
		expect(deployment.worker.output()).not.toMatch(/does not accept its API key/);
	}, 60_000);
});
