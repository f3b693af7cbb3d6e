import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usedUnits } from '../helpers/quota.js';
import { startDiscordStandIn, type DiscordStandIn, type InteractionHandle } from '../standins/discord.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';
import { run } from '../helpers/ffmpeg.js';
import {
	clipOf,
	failureOf,
	contentOf,
	nextUser,
	originalEdits,
	startDeployment,
	untilStage,
	type Deployment,
	closeAll,
} from '../helpers/deployment.js';

/**
 * The buttons under a clip, clicked through the Discord stand-in against the real bot and worker
 * processes: Cancel (queued and running), Delete, Retry, Remix and Extend (with their modals),
 * someone else's click, and buttons that still work after the bot restarts.
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

/** The message the bot answered an interaction with (its @original). */
const replyOf = (handle: InteractionHandle) =>
	discord.waitFor(() => discord.original(handle.token), 10_000, 'the reply message');

const buttonIds = (handle: InteractionHandle): string[] =>
	(discord.original(handle.token)?.components ?? []).flatMap((row) =>
		((row as { components?: { custom_id?: string }[] }).components ?? []).map((c) => c.custom_id ?? ''),
	);

const click = async (handle: InteractionHandle, action: string, userId: string) => {
	const message = await replyOf(handle);
	return discord.component({ customId: `clap:${action}:${handle.id}`, messageId: message.id, userId });
};

const firstCallback = (handle: InteractionHandle) =>
	discord.waitFor(() => discord.callbacks(handle.id)[0], 10_000, 'the callback');

const quotaUsed = async (userId: string) => await usedUnits(deployment.redis, deployment.prefix, userId);

describe('buttons under a clip', () => {
	beforeAll(async () => {
		discord = await startDiscordStandIn();
		// A real, decodable MP4, so Extend can read the clip's last frame.
		const clip = await run('ffmpeg', [
			'-v',
			'error',
			'-f',
			'lavfi',
			'-i',
			'testsrc2=s=640x360:d=2',
			'-pix_fmt',
			'yuv420p',
			'-f',
			'mp4',
			'-movflags',
			'frag_keyframe+empty_moov',
			'pipe:1',
		]);
		minimax = await startMinimaxStandIn({ generationMs: 800, video: clip });
		deployment = await startDeployment(discord, {
			VIDEO_PROVIDER: 'minimax',
			MINIMAX_API_KEY: minimax.apiKey,
			MINIMAX_BASE_URL: minimax.baseUrl,
			WORKER_CONCURRENCY: '1',
		});
	}, 60_000);
	afterAll(async () => {
		await closeAll(discord, deployment, minimax);
	});

	it('puts Cancel under the queued message and Retry, Extend, Remix, Delete under the clip', async () => {
		const handle = video(nextUser(), 'a red kite over a green hill');
		await untilStage(discord, deployment, handle.token, /Queued/);
		expect(buttonIds(handle)).toEqual([`clap:cancel:${handle.id}`]);
		await clipOf(discord, deployment, handle.token);
		expect(buttonIds(handle)).toEqual(['retry', 'extend', 'remix', 'delete'].map((a) => `clap:${a}:${handle.id}`));
	});

	it('cancels a running job at once for its author and gives the quota back', async () => {
		minimax.generationMs = 20_000;
		const userId = nextUser();
		const handle = video(userId, 'a very slow sunrise');
		await untilStage(discord, deployment, handle.token, /Generating|Waiting in the provider/);
		expect(await quotaUsed(userId)).toBe(1);

		const stranger = await click(handle, 'cancel', nextUser());
		const refusal = await firstCallback(stranger);
		expect(refusal.body).toMatchObject({ type: 4, data: { flags: 64 } });
		expect(JSON.stringify(refusal.body)).toContain('Only the person who made this clip');

		await click(handle, 'cancel', userId);
		const cancelled = await discord.waitFor(
			() =>
				originalEdits(discord, handle.token)
					.map(contentOf)
					.find((c) => c.startsWith('🛑 Cancelled')),
			15_000,
			'the cancelled message',
		);
		expect(cancelled).toContain(`Cancelled by <@${userId}>`);
		expect(await quotaUsed(userId)).toBe(0);
		minimax.generationMs = 800;
	}, 40_000);

	it('removes a queued job without waiting for a worker', async () => {
		// Long enough that the worker cannot reach the queued job before the click, however slow the
		// machine; the stand-in reads it at each query, so the shot ends soon after it is shortened.
		minimax.generationMs = 60_000;
		const first = video(nextUser(), 'the long shot that keeps the only worker busy');
		await untilStage(discord, deployment, first.token, /Generating|Waiting in the provider/);
		const userId = nextUser();
		const queued = video(userId, 'a shot that waits its turn');
		await discord.waitFor(
			() => originalEdits(discord, queued.token).some((r) => /Queued/.test(contentOf(r))),
			10_000,
			'queued',
		);
		// The queued message is shown just before the job is added: click once the queue holds it.
		const queue = `${deployment.prefix}:video:video-${queued.id}`;
		for (let i = 0; i < 100 && (await deployment.redis.exists(queue)) === 0; i++)
			await new Promise((resolve) => setTimeout(resolve, 50));
		const creates = minimax.creates.length;

		const cancel = await click(queued, 'cancel', userId);
		const update = await firstCallback(cancel);
		expect(update.body).toMatchObject({ type: 7 });
		expect(JSON.stringify(update.body)).toContain('Cancelled by');
		expect(await quotaUsed(userId)).toBe(0);
		minimax.generationMs = 800;
		await clipOf(discord, deployment, first.token);
		expect(minimax.creates.length).toBe(creates);
	}, 40_000);

	it('keeps the queue position live as the jobs ahead leave', async () => {
		minimax.generationMs = 60_000;
		const running = video(nextUser(), 'the long shot that keeps the only worker busy, again');
		await untilStage(discord, deployment, running.token, /Generating|Waiting in the provider/);
		const aheadUser = nextUser();
		const ahead = video(aheadUser, 'first in line');
		await untilStage(discord, deployment, ahead.token, /Queued\. Next in line/);
		const behind = video(nextUser(), 'second in line');
		await untilStage(discord, deployment, behind.token, /Queued\. Position \*\*#2\*\*/);

		await click(ahead, 'cancel', aheadUser);
		await untilStage(discord, deployment, behind.token, /Queued\. Next in line/, 10_000);
		minimax.generationMs = 800;
		await clipOf(discord, deployment, behind.token, 30_000);
	}, 60_000);

	it('a waiting job whose token dies: the bot learns it on a position edit and no process uses it again', async () => {
		minimax.generationMs = 60_000;
		const running = video(nextUser(), 'the long shot that keeps the only worker busy, once more');
		await untilStage(discord, deployment, running.token, /Generating|Waiting in the provider/);
		const aheadUser = nextUser();
		const ahead = video(aheadUser, 'first in line, for a moment');
		await untilStage(discord, deployment, ahead.token, /Queued\. Next in line/);
		const behind = video(nextUser(), 'second in line, with a token about to die');
		await untilStage(discord, deployment, behind.token, /Queued\. Position \*\*#2\*\*/);
		const originalId = discord.original(behind.token)!.id;
		discord.expireInteractionTokens();

		// The bot moves it up a place: its token answers 401 once, the bot token edits the reply.
		await click(ahead, 'cancel', aheadUser);
		await discord.waitFor(
			() => /Next in line/.test(discord.message(originalId)?.content ?? ''),
			10_000,
			'the new position',
		);
		minimax.generationMs = 800;
		const moved = await discord.waitFor(
			() => discord.channelMessages().find((m) => m.reference === originalId && m.attachments.length > 0),
			40_000,
			'the clip in a message of its own',
		);
		expect(moved.attachments[0]?.filename).toMatch(/\.mp4$/);
		const viaToken = discord.requests.filter((r) => r.path.includes(`/${behind.token}`));
		expect(viaToken.filter((r) => r.status === 401)).toHaveLength(1);
		expect(viaToken.at(-1)?.status).toBe(401);
	}, 60_000);

	it('retries with the same settings on the clicker’s quota', async () => {
		const author = nextUser();
		const handle = video(author, 'a lighthouse beam sweeping fog', 'Pan left');
		await clipOf(discord, deployment, handle.token);
		const clicker = nextUser();
		const retry = await click(handle, 'retry', clicker);
		const clip = await clipOf(discord, deployment, retry.token);
		expect(clip.content).toContain('> \\[Pan left\\] a lighthouse beam sweeping fog');
		expect(minimax.creates.at(-1)?.body).toMatchObject({
			model: 'MiniMax-Hailuo-2.3',
			prompt: '[Pan left] a lighthouse beam sweeping fog',
		});
		expect(await quotaUsed(clicker)).toBe(1);
		expect(await quotaUsed(author)).toBe(1);
	});

	it('remixes through a modal pre-filled with the prompt and camera', async () => {
		const handle = video(nextUser(), 'a tram crossing a bridge', 'Truck left, Zoom in');
		await clipOf(discord, deployment, handle.token);
		const remix = await click(handle, 'remix', nextUser());
		const modal = await firstCallback(remix);
		expect(modal.body).toMatchObject({ type: 9, data: { custom_id: `clap:remix:${handle.id}` } });
		const inputs = JSON.stringify(modal.body);
		expect(inputs).toContain('"value":"a tram crossing a bridge"');
		expect(inputs).toContain('"value":"Truck left, Zoom in"');

		const submit = discord.modalSubmit({
			customId: `clap:remix:${handle.id}`,
			fields: { prompt: 'a tram crossing a bridge at night', camera: 'Pull out' },
			userId: nextUser(),
		});
		const clip = await clipOf(discord, deployment, submit.token);
		expect(clip.content).toContain('> \\[Pull out\\] a tram crossing a bridge at night');
	});

	it('extends a clip: its last frame becomes the next shot’s first frame', async () => {
		const handle = video(nextUser(), 'a door opens onto a garden');
		await clipOf(discord, deployment, handle.token);
		await click(handle, 'extend', nextUser());
		const submit = discord.modalSubmit({
			customId: `clap:extend:${handle.id}`,
			fields: { prompt: 'we walk into the garden', camera: 'Push in' },
			userId: nextUser(),
		});
		const clip = await clipOf(discord, deployment, submit.token);
		expect(clip.content).toContain('MiniMax-Hailuo-2.3');
		const body = minimax.creates.at(-1)?.body as { first_frame_image?: string; prompt?: string; model?: string };
		expect(body.model).toBe('MiniMax-Hailuo-2.3');
		expect(body.prompt).toBe('[Push in] we walk into the garden');
		expect(body.first_frame_image).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
	});

	it('says so when the clip to extend is gone, without asking for an upload, and gives the quota back', async () => {
		const handle = video(nextUser(), 'a kite above the dunes');
		await clipOf(discord, deployment, handle.token);
		const extender = nextUser();
		await click(handle, 'extend', extender);
		// A moderator deleted the clip before the worker came to read its last frame.
		discord.failNext(
			{ method: 'GET', path: /\/channels\/\d+\/messages\/\d+$/ },
			{ status: 404, body: { message: 'Unknown Message', code: 10008 } },
		);
		const creates = minimax.creates.length;
		const submit = discord.modalSubmit({
			customId: `clap:extend:${handle.id}`,
			fields: { prompt: 'the kite falls', camera: '' },
			userId: extender,
		});
		const failure = await failureOf(discord, deployment, submit.token);
		expect(failure).toContain('I could not read the clip this one continues from');
		expect(failure).not.toMatch(/first_frame|upload/i);
		expect(minimax.creates.length).toBe(creates);
		expect(await quotaUsed(extender)).toBe(0);
	});

	it('deletes a clip for its author, and the buttons still work after the bot restarts', async () => {
		const author = nextUser();
		const handle = video(author, 'a paper boat in a gutter');
		await clipOf(discord, deployment, handle.token);

		await deployment.restartBot();
		const deletion = await click(handle, 'delete', author);
		await firstCallback(deletion);
		await discord.waitFor(() => discord.original(handle.token) === undefined || undefined, 10_000, 'the deleted clip');
	}, 40_000);
});
