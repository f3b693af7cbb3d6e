import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JobRecords } from '../../src/store/job-records.js';
import { Quota } from '../../src/store/quota.js';
import { startDiscordStandIn, type DiscordStandIn, type RecordedRequest } from '../standins/discord.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';
import { CLIPS, makeClip, probeMedia } from '../helpers/ffmpeg.js';
import {
	clipOf,
	contentOf,
	jobDataOf,
	messageWithClip,
	nextUser,
	originalEdits,
	startDeployment,
	tokenRequests,
	untilStage,
	type Deployment,
	closeAll,
} from '../helpers/deployment.js';

/**
 * Delivery as an unlucky user meets it, through the real bot and worker processes and the Discord
 * stand-in: clips too large or in the wrong format, tokens that die, messages deleted or frozen,
 * a channel that stops accepting files, rate limits, and workers killed while they upload.
 */

const INTERVAL = 1_000;
const MiB = 1024 * 1024;

let discord: DiscordStandIn;
let minimax: MinimaxStandIn;
let deployment: Deployment;
let small: Buffer;

function video(userId: string, prompt: string, extra: { createdAgoMs?: number; attachmentSizeLimit?: number } = {}) {
	return discord.slashCommand({
		name: 'video',
		options: [{ name: 'prompt', type: 3, value: prompt }],
		userId,
		...extra,
	});
}

const quotaUsed = async (userId: string) =>
	(await new Quota(deployment.redis, deployment.prefix).status(userId, 20)).used;
const stateOf = async (id: string) => (await new JobRecords(deployment.redis, deployment.prefix).get(id))?.state;
const withFiles = (requests: RecordedRequest[]) => requests.filter((r) => r.files.length > 0);
const jump = (messageId: string) => `https://discord.com/channels/${discord.guildId}/${discord.channelId}/${messageId}`;
const onOriginal = (token: string) => new RegExp(`/${token}/messages/@original$`);
/** Messages of the channel (not the command's reply) that reply to the job's reply. */
const repliesTo = (originalId: string) => discord.channelMessages().filter((m) => m.reference === originalId);

async function until<T>(
	check: () => T | undefined | false | Promise<T | undefined | false>,
	label: string,
	ms = 30_000,
) {
	const deadline = Date.now() + ms;
	for (;;) {
		const value = await check();
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline) {
			throw new Error(`${label} did not happen\n--- worker ---\n${deployment.worker.output().slice(-6000)}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

beforeAll(async () => {
	small = await makeClip(CLIPS.small);
	discord = await startDiscordStandIn({ oldMessageEditCap: 2 });
	minimax = await startMinimaxStandIn({ generationMs: 0, video: small });
	deployment = await startDeployment(discord, {
		VIDEO_PROVIDER: 'minimax',
		MINIMAX_API_KEY: minimax.apiKey,
		MINIMAX_BASE_URL: minimax.baseUrl,
		PROGRESS_INTERVAL_MS: String(INTERVAL),
		USER_DAILY_QUOTA: '20',
	});
}, 60_000);

afterEach(() => {
	minimax.video = small;
	minimax.generationMs = 0;
});

afterAll(async () => {
	await closeAll(discord, deployment, minimax);
});

describe('size and format: every clip fits and plays inline', () => {
	it('re-encodes a 12 MB clip under a 10 MiB limit: same duration and resolution, H.264, AAC, faststart', async () => {
		const source = await makeClip(CLIPS.twelveMegabytes);
		minimax.video = source;
		const userId = nextUser();
		const handle = video(userId, 'a storm rolling over the harbour');
		const message = await clipOf(discord, deployment, handle.token, 90_000);

		const [file] = message.attachments;
		expect(file?.filename).toBe('a-storm-rolling-over-the-harbour.mp4');
		expect(file?.size).toBeLessThanOrEqual(10 * MiB);
		const [before, after] = await Promise.all([probeMedia(source), probeMedia(file!.data)]);
		expect(after.video).toEqual({ codec: 'h264', pixFmt: 'yuv420p', width: 1280, height: 720 });
		expect(after.duration).toBeCloseTo(before.duration, 1);
		expect(after.audio).toEqual({ codec: 'aac', channels: 2 });
		expect(after.faststart).toBe(true);
		expect(message.content).toContain('· 6 s');
		expect(deployment.worker.output()).toMatch(/clip re-encoded for Discord/);
		expect(await quotaUsed(userId)).toBe(1);
	}, 120_000);

	it('delivers the same clip byte for byte where the limit is 50 MiB', async () => {
		const source = await makeClip(CLIPS.twelveMegabytes);
		minimax.video = source;
		const handle = video(nextUser(), 'a storm, uncut', { attachmentSizeLimit: 50 * MiB });
		const message = await clipOf(discord, deployment, handle.token, 60_000);
		expect(message.attachments[0]?.data.equals(source)).toBe(true);
	}, 90_000);

	it('converts an HEVC clip to H.264 that every client plays inline, keeping its sound', async () => {
		minimax.video = await makeClip(CLIPS.hevc);
		const handle = video(nextUser(), 'a heron lifting off');
		const message = await clipOf(discord, deployment, handle.token);
		const after = await probeMedia(message.attachments[0]!.data);
		expect(after.video).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p' });
		expect(after.audio).toEqual({ codec: 'aac', channels: 2 });
	});

	it('converts a WebM clip to an MP4: never WebM bytes named .mp4', async () => {
		minimax.video = await makeClip(CLIPS.webm);
		const handle = video(nextUser(), 'a kite over the dunes');
		const message = await clipOf(discord, deployment, handle.token);
		const [file] = message.attachments;
		expect(file?.filename).toBe('a-kite-over-the-dunes.mp4');
		expect(file?.contentType).toBe('video/mp4');
		const after = await probeMedia(file!.data);
		expect(after.format).toContain('mp4');
		expect(after.video.codec).toBe('h264');
		expect(after.audio?.codec).toBe('aac');
	});

	it('links a clip that cannot fit at any watchable quality, says why, and keeps the unit spent', async () => {
		minimax.video = await makeClip(CLIPS.unfittable);
		const userId = nextUser();
		const handle = video(userId, 'a whole afternoon at the beach');
		const text = await until(() => {
			const original = discord.original(handle.token);
			return /cannot fit .* at a watchable quality/.test(original?.content ?? '') && original;
		}, 'the link');
		expect(text.content).toContain(`${minimax.origin}/download/`);
		expect(text.content).toContain(`<@${userId}>, your clip is ready`);
		expect(text.attachments).toEqual([]);
		const ids = JSON.stringify(text.components);
		expect(ids).toContain(`clap:delete:${handle.id}`);
		expect(ids).not.toContain(`clap:extend:${handle.id}`);
		expect(await quotaUsed(userId)).toBe(1);
		expect(await until(async () => (await stateOf(handle.id)) === 'done', 'the job done')).toBe(true);
	}, 60_000);
});

describe('rate limits: one edit per interval per message, superseded states never shown', () => {
	it('goes from "queued" straight to the clip with an instant provider, waiting only what is left of the interval', async () => {
		const userId = nextUser();
		const handle = video(userId, 'a match struck in the dark');
		await clipOf(discord, deployment, handle.token);
		const edits = originalEdits(discord, handle.token);
		expect(edits.map(contentOf).map((c) => c.slice(0, 12))).toEqual(['🎬 Queued. N', `✅ <@${userId}`.slice(0, 12)]);
		expect(edits[1]!.at - edits[0]!.at).toBeGreaterThanOrEqual(INTERVAL);
	});

	it('waits out 429s on edits, the final upload included, and delivers the clip once', async () => {
		const handle = video(nextUser(), 'a lighthouse beam sweeping the fog');
		const rateLimited = { status: 429, headers: { 'Retry-After': '1' } };
		// The next text edit of the reply (the bot's "queued") and the first two uploads.
		discord.failNext({ method: 'PATCH', path: onOriginal(handle.token), files: false }, rateLimited);
		discord.failNext({ method: 'PATCH', path: onOriginal(handle.token), files: true }, rateLimited, 2);
		const message = await clipOf(discord, deployment, handle.token);
		const edits = originalEdits(discord, handle.token);
		const texts = edits.filter((r) => r.files.length === 0);
		expect(texts.map((r) => r.status)).toEqual([429, 200]);
		expect(texts[1]!.at - texts[0]!.at).toBeGreaterThanOrEqual(1_000);
		const attempts = withFiles(edits);
		expect(attempts.map((r) => r.status)).toEqual([429, 429, 200]);
		for (let i = 1; i < attempts.length; i++)
			expect(attempts[i]!.at - attempts[i - 1]!.at).toBeGreaterThanOrEqual(1_000);
		expect(message.attachments).toHaveLength(1);
		expect(message.content).toContain('your clip is ready');
	});
});

describe('once: an upload whose outcome is unknown is looked for before it is sent again', () => {
	it('finds an upload that landed but was answered 502, and does not send it again', async () => {
		const userId = nextUser();
		const handle = video(userId, 'a tram in the rain');
		const failed = { status: 502, apply: true };
		discord.failNext({ method: 'PATCH', path: onOriginal(handle.token), files: true }, failed);
		await until(async () => (await stateOf(handle.id)) === 'done', 'the job done');
		expect(withFiles(tokenRequests(discord, handle.token)).map((r) => r.status)).toEqual([502]);
		expect(discord.original(handle.token)?.attachments).toHaveLength(1);
		expect(
			originalEdits(discord, handle.token)
				.map(contentOf)
				.some((c) => c.startsWith('❌')),
		).toBe(false);
		expect(await quotaUsed(userId)).toBe(1);
	});

	it('a worker killed the moment it uploads: the job resumed elsewhere neither uploads again nor fails, the unit stays spent', async () => {
		const userId = nextUser();
		const handle = video(userId, 'a diver at the top of the board');
		const held = discord.holdNext({ method: 'PATCH', path: onOriginal(handle.token), files: true }, { apply: true });
		await held.arrived;
		await deployment.crashWorker();
		await until(() => /the clip had landed before the crash/.test(deployment.worker.output()), 'the resumed job');
		await until(async () => (await stateOf(handle.id)) === 'done', 'the job done');
		const sent = withFiles(tokenRequests(discord, handle.token));
		expect(sent).toHaveLength(1);
		expect(sent[0]?.dropped).toBe(true);
		expect(discord.original(handle.token)?.attachments).toHaveLength(1);
		expect(
			originalEdits(discord, handle.token)
				.map(contentOf)
				.some((c) => c.startsWith('❌')),
		).toBe(false);
		expect(await quotaUsed(userId)).toBe(1);
	}, 60_000);

	it('a worker killed before its upload landed: the resumed job uploads it, once', async () => {
		const userId = nextUser();
		const handle = video(userId, 'a diver, second take');
		const held = discord.holdNext({ method: 'PATCH', path: onOriginal(handle.token), files: true }, { apply: false });
		await held.arrived;
		await deployment.crashWorker();
		const message = await clipOf(discord, deployment, handle.token, 40_000);
		expect(message.attachments).toHaveLength(1);
		expect(withFiles(tokenRequests(discord, handle.token)).map((r) => r.dropped === true)).toEqual([true, false]);
		expect(deployment.worker.output()).toMatch(/an earlier upload did not land/);
		expect(await quotaUsed(userId)).toBe(1);
	}, 60_000);
});

describe('dead tokens and long jobs: the bot token carries on, in a message of the job’s own', () => {
	it('a token that dies early: one 401, never used again, the move saved on the job', async () => {
		minimax.generationMs = 3_000;
		const userId = nextUser();
		const handle = video(userId, 'a fox in the snow');
		await untilStage(discord, deployment, handle.token, /Queued/);
		const originalId = discord.original(handle.token)!.id;
		discord.expireInteractionTokens();

		const moved = await messageWithClip(discord, deployment, (m) => m.reference === originalId);
		const viaToken = tokenRequests(discord, handle.token);
		expect(viaToken.filter((r) => r.status === 401)).toHaveLength(1);
		expect(viaToken.at(-1)?.status).toBe(401);
		expect(moved.content).toContain(`<@${userId}>, your clip is ready`);
		expect(repliesTo(originalId)).toHaveLength(1);
		// The reply points to the new message and no longer offers Cancel.
		const original = discord.message(originalId);
		expect(original?.content).toContain(jump(moved.id));
		expect(original?.components).toEqual([]);
		// Saved on the job for any worker that resumes it.
		expect(await jobDataOf(deployment, handle.id)).toMatchObject({ reply: { tokenDead: true, movedTo: moved.id } });
	}, 60_000);

	it('a token that dies mid-job, then the worker that moved is killed: the next one goes on in the same message', async () => {
		minimax.generationMs = 8_000;
		const handle = video(nextUser(), 'a night train crossing a viaduct');
		await untilStage(discord, deployment, handle.token, /Generating|Waiting in the provider/);
		const originalId = discord.original(handle.token)!.id;
		discord.expireInteractionTokens();
		const [moving] = await until(() => repliesTo(originalId).length > 0 && repliesTo(originalId), 'the move');
		await deployment.crashWorker();

		const moved = await messageWithClip(discord, deployment, (m) => m.id === moving!.id, 40_000);
		expect(repliesTo(originalId)).toHaveLength(1);
		expect(tokenRequests(discord, handle.token).filter((r) => r.status === 401)).toHaveLength(1);
		expect(moved.attachments).toHaveLength(1);
	}, 60_000);

	it('moves near minute 14 on purpose: the reply points to the new message, without Cancel, and the token rests', async () => {
		minimax.generationMs = 6_000;
		const userId = nextUser();
		const handle = video(userId, 'a sunrise time-lapse', { createdAgoMs: 14 * 60_000 - 2_500 });
		await untilStage(discord, deployment, handle.token, /Queued/);
		const originalId = discord.original(handle.token)!.id;
		const moved = await messageWithClip(discord, deployment, (m) => m.reference === originalId);

		const original = discord.message(originalId);
		expect(original?.content).toContain(jump(moved.id));
		expect(original?.content).not.toMatch(/Generating|Submitted|Queued/);
		expect(original?.components).toEqual([]);
		const viaToken = tokenRequests(discord, handle.token);
		expect(viaToken.every((r) => r.status < 400)).toBe(true);
		// After the pointer, the token is not used again: progress and the clip go to the new message.
		expect(contentOf(viaToken.at(-1)!)).toContain(jump(moved.id));
		const movedEdits = discord.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/messages/${moved.id}`));
		expect(withFiles(movedEdits)).toHaveLength(1);
		expect(moved.content).toContain(`<@${userId}>, your clip is ready`);
	}, 60_000);
});

describe('gone and frozen messages: the clip is posted anew, once, mentioning the requester', () => {
	it('a progress message deleted by a moderator', async () => {
		minimax.generationMs = 4_000;
		const userId = nextUser();
		const handle = video(userId, 'a paper lantern rising');
		await untilStage(discord, deployment, handle.token, /Generating|Waiting in the provider/);
		const originalId = discord.original(handle.token)!.id;
		discord.deleteMessage(originalId);

		const anew = await messageWithClip(
			discord,
			deployment,
			(m) => m.kind === 'followup' && m.content.includes(`<@${userId}>`),
		);
		const post = tokenRequests(discord, handle.token).find((r) => r.method === 'POST' && r.files.length > 0);
		expect(post?.body).toMatchObject({ allowed_mentions: { parse: [], users: [userId] } });
		expect(anew.content).toContain('your clip is ready');
		// Progress stopped at the first 10008; one clip, one message.
		expect(originalEdits(discord, handle.token).filter((r) => r.status === 404)).toHaveLength(1);
		expect(
			discord.channelMessages().filter((m) => JSON.stringify(m.components).includes(`clap:delete:${handle.id}`)),
		).toHaveLength(1);
	}, 60_000);

	it('a message that answers 30046 (too many edits of an old message): posted anew, the stale one removed', async () => {
		minimax.generationMs = 8_000;
		const userId = nextUser();
		const handle = video(userId, 'an old clock tower at noon');
		await untilStage(discord, deployment, handle.token, /Queued/);
		const originalId = discord.original(handle.token)!.id;
		discord.expireInteractionTokens();
		const [moving] = await until(() => repliesTo(originalId).length > 0 && repliesTo(originalId), 'the move');
		// The job's own message is now more than an hour old for Discord: two more edits, then 30046.
		discord.backdateMessage(moving!.id, 2 * 3_600_000);

		const anew = await messageWithClip(discord, deployment, (m) => m.id !== moving!.id && m.reference === originalId);
		const capped = discord.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/messages/${moving!.id}`));
		expect(capped.at(-1)?.status).toBe(400);
		// Removed once the clip is up.
		await until(() => discord.message(moving!.id) === undefined, 'the frozen message removed');
		const post = discord.requests.find(
			(r) => r.method === 'POST' && r.files.length > 0 && r.status === 200 && contentOf(r).includes(`<@${userId}>`),
		);
		expect(post?.body).toMatchObject({
			message_reference: { message_id: originalId, fail_if_not_exists: false },
			allowed_mentions: { parse: [], users: [userId] },
		});
		expect(anew.content).toContain('your clip is ready');
	}, 60_000);
});

describe('missing permissions: a channel that stops accepting files never loses the clip', () => {
	afterEach(() => discord.setBotPermissions(discord.channelId, { attachFiles: true }));

	const privateNotes = (token: string) =>
		tokenRequests(discord, token).filter(
			(r) => r.method === 'POST' && (r.body as { flags?: number } | undefined)?.flags === 64,
		);

	it('sends the clip by DM, names the permission privately, links it in the channel; delivered, the unit spent', async () => {
		minimax.generationMs = 2_500;
		const userId = nextUser();
		const handle = video(userId, 'a cat chasing a laser dot');
		await untilStage(discord, deployment, handle.token, /Generating|Waiting in the provider/);
		discord.setBotPermissions(discord.channelId, { attachFiles: false });

		const text = await until(
			() => discord.original(handle.token)?.content.includes('Attach Files') && discord.original(handle.token),
			'the public message',
		);
		const [dm] = discord.directMessages(userId);
		expect(dm?.attachments[0]?.data.equals(small)).toBe(true);
		const [note] = privateNotes(handle.token);
		expect(contentOf(note!)).toContain('**Attach Files**');
		expect(contentOf(note!)).toContain(`<#${discord.channelId}>`);
		expect(text.content).toContain('I sent it to you by direct message.');
		expect(text.content).toContain(`${minimax.origin}/download/`);
		expect(text.attachments).toEqual([]);
		expect(await quotaUsed(userId)).toBe(1);
		expect(await until(async () => (await stateOf(handle.id)) === 'done', 'the job done')).toBe(true);
	}, 60_000);

	it('and to a user who refuses DMs, a link in the private note and in the channel', async () => {
		minimax.generationMs = 2_500;
		const userId = nextUser();
		discord.refuseDirectMessages(userId);
		const handle = video(userId, 'a dog catching a frisbee');
		await untilStage(discord, deployment, handle.token, /Generating|Waiting in the provider/);
		discord.setBotPermissions(discord.channelId, { attachFiles: false });

		const text = await until(
			() => discord.original(handle.token)?.content.includes('Attach Files') && discord.original(handle.token),
			'the public message',
		);
		expect(discord.directMessages(userId)).toEqual([]);
		const [note] = privateNotes(handle.token);
		expect(contentOf(note!)).toContain(`${minimax.origin}/download/`);
		expect(text.content).toContain(`${minimax.origin}/download/`);
		expect(await quotaUsed(userId)).toBe(1);
	}, 60_000);
});
