import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMINISTRATOR, MANAGER, answerOf, type Answer } from '../helpers/answers.js';
import {
	clipOf,
	contentOf,
	nextUser,
	originalEdits,
	startDeployment,
	withLogs,
	type Deployment,
	closeAll,
} from '../helpers/deployment.js';
import { colourClip, frameRates, loudness, meanColour, probeMedia, texturePng } from '../helpers/ffmpeg.js';
import { runScript } from '../helpers/processes.js';
import { usedUnits } from '../helpers/quota.js';
import {
	startDiscordStandIn,
	type Actor,
	type DiscordStandIn,
	type InteractionHandle,
	type StoredMessage,
} from '../standins/discord.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';

/**
 * Collaborative channels through the real bot and worker processes and the Discord stand-in:
 * `/sequence` start, shots, move, remove, render and end, the board kept up to date, Add to
 * sequence under clips (two users, a double click), permissions, renders measured with ffprobe,
 * a deleted shot, a worker killed mid-render, a bot restart, and a render with no worker running.
 */

const BOARD_WITHIN_MS = 5_000;
const CHANNELS = ['general', 'lighthouse', 'render', 'deleted', 'crash', 'restart', 'end', 'idle', 'bare', 'sketches'];

let discord: DiscordStandIn;
let minimax: MinimaxStandIn;
let deployment: Deployment;
const channel = (name: string): string => discord.guilds[0]?.channels[name] ?? '';

/** One shot of the stand-in's film: a flat colour at a size and rate of its own, with or without a tone. */
const SHOTS = {
	red: { colour: 'red', width: 640, height: 360, seconds: 2, fps: 30, sound: true },
	green: { colour: 'lime', width: 320, height: 240, seconds: 1.5, fps: 24 },
	blue: { colour: 'blue', width: 360, height: 640, seconds: 2, fps: 25, sound: true },
} as const;
const clips: Partial<Record<keyof typeof SHOTS, Buffer>> = {};

interface Made {
	readonly handle: InteractionHandle;
	readonly message: StoredMessage;
	readonly authorId: string;
}

/** A clip made by `authorId` in a channel, with the stand-in serving `shot` as the provider's file. */
async function made(channelId: string, authorId: string, prompt: string, shot: keyof typeof SHOTS = 'red') {
	minimax.video = clips[shot] ?? Buffer.alloc(0);
	const handle = discord.slashCommand({
		name: 'video',
		userId: authorId,
		channelId,
		options: [{ name: 'prompt', type: 3, value: prompt }],
	});
	const message = await clipOf(discord, deployment, handle.token);
	return { handle, message, authorId } satisfies Made;
}

const sequence = (sub: string, options: unknown[] = [], actor: Actor = {}) =>
	discord.slashCommand({ name: 'sequence', ...actor, options: [{ name: sub, type: 1, options }] });

const answered = (handle: InteractionHandle): Promise<Answer> => answerOf(discord, handle).catch(withLogs(deployment));

const customIds = (message: StoredMessage | undefined): string[] =>
	(message?.components ?? []).flatMap((row) =>
		((row as { components?: { custom_id?: string }[] }).components ?? []).map((c) => c.custom_id ?? ''),
	);

const addClick = (clip: Made, userId: string) =>
	discord.component({ customId: `clap:add:${clip.handle.id}`, messageId: clip.message.id, userId });

interface Entry {
	readonly position: number;
	readonly authorId: string;
	readonly messageId: string;
	readonly line: string;
}

/**
 * A listing's entries as the issue defines them: one line of the content or of an embed's
 * description, or one embed field; its first number (not counting mentions, links and
 * timestamps) is the position.
 */
function entriesOf(message: { content: string; embeds: readonly unknown[] }): Entry[] {
	const embeds = message.embeds as Array<{ description?: string; fields?: Array<{ name: string; value: string }> }>;
	const lines = [
		...message.content.split('\n'),
		...embeds.flatMap((embed) => [
			...(embed.description ?? '').split('\n'),
			...(embed.fields ?? []).map((field) => `${field.name} ${field.value}`),
		]),
	];
	return lines.flatMap((line) => {
		const link = /https:\/\/discord\.com\/channels\/\d+\/\d+\/(\d+)/.exec(line);
		const author = /<@!?(\d+)>/.exec(line);
		if (link === null || author === null) return [];
		const bare = line
			.replace(/<@!?\d+>/g, ' ')
			.replace(/https?:\/\/\S+/g, ' ')
			.replace(/<t:\d+(:\w)?>/g, ' ');
		return [{ position: Number(/\d+/.exec(bare)?.[0]), authorId: author[1] ?? '', messageId: link[1] ?? '', line }];
	});
}

/** The shots as a listing should show them: positions from 1, each clip's author and message. */
const expected = (shots: readonly Made[]) =>
	shots.map((shot, index) => ({ position: index + 1, authorId: shot.authorId, messageId: shot.message.id }));

const summary = (entries: readonly Entry[]) =>
	entries.map(({ position, authorId, messageId }) => ({ position, authorId, messageId }));

/** Starts a sequence and returns its board message. */
async function started(channelId: string, title: string, ownerId: string): Promise<StoredMessage> {
	const answer = await answered(
		sequence('start', [{ name: 'title', type: 3, value: title }], { userId: ownerId, channelId }),
	);
	expect(answer.ephemeral).toBe(true);
	const boardId = /https:\/\/discord\.com\/channels\/\d+\/\d+\/(\d+)/.exec(answer.content)?.[1] ?? '';
	const board = discord.message(boardId);
	if (board === undefined) throw new Error(`no board in ${answer.content}`);
	return board;
}

/** Waits until the board lists exactly `shots`, within five seconds of the change that made it so. */
async function boardShows(board: StoredMessage, shots: readonly Made[], since = Date.now()): Promise<StoredMessage> {
	const want = JSON.stringify(expected(shots));
	const shown = await discord
		.waitFor(
			() => {
				const now = discord.message(board.id);
				return now !== undefined && JSON.stringify(summary(entriesOf(now))) === want ? now : undefined;
			},
			BOARD_WITHIN_MS + 2_000,
			`the board listing ${shots.length} shots`,
		)
		.catch(withLogs(deployment));
	expect((shown.editedAt ?? shown.createdAt) - since).toBeLessThan(BOARD_WITHIN_MS);
	return shown;
}

async function added(clip: Made, userId: string): Promise<Answer> {
	const answer = await answered(addClick(clip, userId));
	expect(answer.ephemeral).toBe(true);
	return answer;
}

/** The film on a render's reply, or on a message posted anew for it. */
async function filmOf(handle: InteractionHandle, timeoutMs = 60_000): Promise<StoredMessage> {
	return discord
		.waitFor(
			() => {
				const reply = discord.original(handle.token);
				const all = [reply, ...discord.channelMessages(reply?.channelId)];
				return all.find((message) => message?.attachments.some((file) => file.filename.endsWith('.mp4')) === true);
			},
			timeoutMs,
			'the film',
		)
		.catch(withLogs(deployment));
}

const filmBytes = (message: StoredMessage): Buffer =>
	message.attachments.find((file) => file.filename.endsWith('.mp4'))?.data ?? Buffer.alloc(0);

/** Which of red, green and blue dominates a frame (the padding is black). */
function dominant(rgb: readonly number[]): 'red' | 'green' | 'blue' {
	const [r = 0, g = 0, b = 0] = rgb;
	if (r > g && r > b) return 'red';
	return g > b ? 'green' : 'blue';
}

describe('collaborative channels: /sequence and Add to sequence', () => {
	beforeAll(async () => {
		for (const name of Object.keys(SHOTS) as Array<keyof typeof SHOTS>) clips[name] = await colourClip(SHOTS[name]);
		discord = await startDiscordStandIn({ guilds: [{ channels: CHANNELS }] });
		minimax = await startMinimaxStandIn({ generationMs: 200 });
		deployment = await startDeployment(discord, {
			VIDEO_PROVIDER: 'minimax',
			MINIMAX_API_KEY: minimax.apiKey,
			MINIMAX_BASE_URL: minimax.baseUrl,
			USER_DAILY_QUOTA: '20',
			WORKER_CONCURRENCY: '2',
		});
	}, 90_000);
	afterAll(async () => {
		await closeAll(discord, deployment, minimax);
	});

	let lighthouse: { board: StoredMessage; shots: Made[]; ownerId: string };

	it('registers /sequence and Animate with the other commands in one bulk overwrite, for everyone in servers', async () => {
		const before = discord.requests.filter((r) => r.method === 'PUT').length;
		const { code, output } = await runScript('deploy', deployment.env);
		expect(code, output).toBe(0);
		expect(output).toContain('/sequence, Animate (message menu)');
		expect(discord.requests.filter((r) => r.method === 'PUT')).toHaveLength(before + 1);
		const registered = (discord.commands.guild.get(discord.guildId) ?? []) as Array<Record<string, unknown>>;
		const sequenceCommand = registered.find((command) => command.name === 'sequence');
		const animate = registered.find((command) => command.name === 'Animate');
		expect(sequenceCommand).toMatchObject({ type: 1, contexts: [0], default_member_permissions: null });
		expect(animate).toMatchObject({ type: 3, contexts: [0], default_member_permissions: null });
		expect(registered.find((command) => command.name === 'video')).toBeDefined();
		const subcommands = (sequenceCommand?.options as Array<{ name: string }>).map((option) => option.name);
		expect(subcommands).toEqual(['start', 'shots', 'move', 'remove', 'render', 'end']);
	}, 30_000);

	it('starts a sequence with its board, adds clips of two users as their authors’ shots, and lists them', async () => {
		const ownerId = nextUser();
		const channelId = channel('lighthouse');
		const board = await started(channelId, 'The lighthouse', ownerId);
		expect(board.channelId).toBe(channelId);
		expect(board.content).toContain('The lighthouse');
		expect(entriesOf(board)).toEqual([]);
		// Mentions in the board never ping anyone.
		const posted = discord.requests.find(
			(r) => r.method === 'POST' && r.path.endsWith(`/channels/${channelId}/messages`),
		);
		expect(posted?.body).toMatchObject({ allowed_mentions: { parse: [] } });

		// A second start where one is active: refused privately, naming it; nothing is posted.
		const publicly = () => discord.channelMessages(channelId).filter((m) => (m.flags & 64) === 0);
		const before = publicly().length;
		const again = await answered(
			sequence('start', [{ name: 'title', type: 3, value: 'Another' }], { userId: nextUser(), channelId }),
		);
		expect(again.ephemeral).toBe(true);
		expect(again.content).toContain('already has a sequence, **The lighthouse**');
		expect(publicly()).toHaveLength(before);

		const alice = await made(channelId, nextUser(), 'a lighthouse beam sweeps the fog over a cold dark sea at night');
		const bob = await made(channelId, nextUser(), 'waves crash on the rocks');
		for (const clip of [alice, bob]) {
			const addId = `clap:add:${clip.handle.id}`;
			expect(customIds(clip.message)).toEqual(
				['retry', 'extend', 'remix', 'delete', 'add'].map((action) => `clap:${action}:${clip.handle.id}`),
			);
			expect(addId.length).toBeLessThanOrEqual(100);
		}
		// Where no sequence is active, a clip has no Add to sequence.
		const elsewhere = await made(channel('bare'), nextUser(), 'a gull on a post');
		expect(customIds(elsewhere.message)).not.toContain(`clap:add:${elsewhere.handle.id}`);

		// Anyone may add; the shot is the clip's author's, not the clicker's.
		const carol = nextUser();
		let since = Date.now();
		expect((await added(alice, carol)).content).toContain('Added as shot 1 of **The lighthouse**');
		await boardShows(board, [alice], since);
		since = Date.now();
		expect((await added(bob, nextUser())).content).toContain('Added as shot 2');
		await boardShows(board, [alice, bob], since);

		// Two members click the same clip's button at the same moment: it is added once.
		const erin = await made(channelId, nextUser(), 'the keeper climbs the stairs');
		since = Date.now();
		const [first, second] = await Promise.all([added(erin, nextUser()), added(erin, nextUser())]);
		const words = [first.content, second.content];
		expect(words.filter((content) => content.includes('Added as shot 3'))).toHaveLength(1);
		expect(words.filter((content) => content.includes('already shot 3 of **The lighthouse**'))).toHaveLength(1);
		const shown = await boardShows(board, [alice, bob, erin], since);
		// The prompt, shortened but never below 30 characters, is on the author's line.
		expect(entriesOf(shown)[0]?.line).toContain('a lighthouse beam sweeps the fog over');
		// A clip already in is refused with its place, and nothing changes.
		expect((await added(alice, carol)).content).toContain('already shot 1');

		// Anyone can list the shots, privately: the same entries as the board.
		const listing = await answered(sequence('shots', [], { userId: nextUser(), channelId }));
		expect(listing.ephemeral).toBe(true);
		expect(summary(entriesOf(listing))).toEqual(expected([alice, bob, erin]));
		lighthouse = { board: shown, shots: [alice, bob, erin], ownerId };
	}, 90_000);

	it('moves and removes with their permission checks: the owner, Manage Server, a shot’s own author', async () => {
		const channelId = channel('lighthouse');
		const { board, ownerId } = lighthouse;
		const [alice, bob, erin] = lighthouse.shots as [Made, Made, Made];
		const unchanged = async () => {
			const listing = await answered(sequence('shots', [], { channelId }));
			expect(summary(entriesOf(listing))).toEqual(expected([alice, bob, erin]));
			expect(summary(entriesOf(discord.message(board.id) ?? board))).toEqual(expected([alice, bob, erin]));
		};
		const move = (from: number, to: number, actor: Actor) =>
			answered(
				sequence(
					'move',
					[
						{ name: 'from', type: 4, value: from },
						{ name: 'to', type: 4, value: to },
					],
					{ channelId, ...actor },
				),
			);
		const remove = (shot: number, actor: Actor) =>
			answered(sequence('remove', [{ name: 'shot', type: 4, value: shot }], { channelId, ...actor }));

		// Someone else, even a shot's author, may not move: the refusal says who may.
		const refused = await move(1, 3, { userId: alice.authorId });
		expect(refused.ephemeral).toBe(true);
		expect(refused.content).toContain(`Only the sequence’s owner (<@${ownerId}>) or a member with **Manage Server**`);
		expect((await move(4, 1, { userId: ownerId })).content).toContain('There is no shot 4');
		await unchanged();

		// Manage Server moves; the others keep their relative order.
		let since = Date.now();
		expect((await move(1, 3, { userId: nextUser(), memberPermissions: MANAGER })).content).toContain(
			'Shot 1 of **The lighthouse** is now shot 3',
		);
		await boardShows(board, [bob, erin, alice], since);
		// Administrator implies it; the owner may too.
		since = Date.now();
		await move(3, 1, { userId: nextUser(), memberPermissions: ADMINISTRATOR });
		await boardShows(board, [alice, bob, erin], since);

		// A shot's author may remove their own shot, not another's.
		const notTheirs = await remove(1, { userId: erin.authorId });
		expect(notTheirs.content).toContain('or the shot’s own author, can remove a shot');
		since = Date.now();
		expect((await remove(3, { userId: erin.authorId })).content).toContain('Shot 3 left **The lighthouse**');
		await boardShows(board, [alice, bob], since);
		since = Date.now();
		await remove(1, { userId: ownerId });
		await boardShows(board, [bob], since);
		// Later shots moved up; a removed clip may be added again, at the end.
		await added(alice, nextUser());
		await boardShows(board, [bob, alice]);
		lighthouse = { ...lighthouse, shots: [bob, alice] };
	}, 60_000);

	let film: { shots: Made[]; authors: string[] };

	it('renders shots of different sizes and rates with cuts: order, size, constant rate, sound and length measured; no quota, no provider', async () => {
		const channelId = channel('render');
		const ownerId = nextUser();
		const board = await started(channelId, 'Three colours', ownerId);
		const red = await made(channelId, nextUser(), 'red', 'red');
		const green = await made(channelId, nextUser(), 'green', 'green');
		const blue = await made(channelId, red.authorId, 'blue', 'blue');
		for (const clip of [red, green, blue]) await added(clip, nextUser());
		await boardShows(board, [red, green, blue]);
		film = { shots: [red, green, blue], authors: [red.authorId, green.authorId] };

		const requester = nextUser();
		const users = [requester, ownerId, red.authorId, green.authorId];
		const quotasBefore = await Promise.all(users.map((user) => usedUnits(deployment.redis, deployment.prefix, user)));
		const creates = minimax.creates.length;
		// Every link handed out so far expires: the worker must read each clip's message again.
		discord.expireAttachmentLinks();

		const started_ = Date.now();
		const handle = sequence('render', [], { userId: requester, channelId });
		const message = await filmOf(handle);
		const elapsed = Date.now() - started_;
		process.stdout.write(`render of a three-shot sequence (cut), command → film: ${elapsed} ms\n`);
		expect(message.id).toBe(discord.original(handle.token)?.id);
		const states = originalEdits(discord, handle.token).map(contentOf);
		expect(states[0]).toMatch(/^🎞️ Render of \*\*Three colours\*\* queued: 3 shots/);
		expect(states.some((content) => /Rendering \*\*Three colours\*\*/.test(content))).toBe(true);
		// Credits every author by mention, without pinging anyone.
		expect(message.content).toContain(`<@${red.authorId}>`);
		expect(message.content).toContain(`<@${green.authorId}>`);
		const upload = discord.requests.find((r) => r.files.length > 0 && r.path.includes(handle.token));
		expect(upload?.body).toMatchObject({ allowed_mentions: { parse: [] } });

		const bytes = filmBytes(message);
		const media = await probeMedia(bytes);
		expect(media.video).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: 640, height: 360 });
		expect(media.faststart).toBe(true);
		expect(media.audio).toMatchObject({ codec: 'aac', channels: 2 });
		expect(media.duration).toBeCloseTo(5.5, 1);
		expect(await frameRates(bytes)).toEqual({ declared: '30/1', average: '30/1' });
		expect(dominant(await meanColour(bytes, 30))).toBe('red');
		expect(dominant(await meanColour(bytes, 82))).toBe('green');
		expect(dominant(await meanColour(bytes, 135))).toBe('blue');
		expect(await loudness(bytes, 0.2, 1.6)).toBeGreaterThan(0.04);
		expect(await loudness(bytes, 2.2, 1.1)).toBeLessThan(0.003);
		expect(await loudness(bytes, 3.7, 1.6)).toBeGreaterThan(0.04);
		expect(bytes.length).toBeLessThanOrEqual(10 * 1024 * 1024);

		expect(minimax.creates.length).toBe(creates);
		const quotasAfter = await Promise.all(users.map((user) => usedUnits(deployment.redis, deployment.prefix, user)));
		expect(quotasAfter).toEqual(quotasBefore);
	}, 120_000);

	it('renders with crossfades: 0.5 s of picture and sound at each join', async () => {
		const handle = sequence('render', [{ name: 'transition', type: 3, value: 'crossfade' }], {
			channelId: channel('render'),
		});
		const message = await filmOf(handle);
		const bytes = filmBytes(message);
		const media = await probeMedia(bytes);
		expect(media.duration).toBeCloseTo(4.5, 1);
		expect(media.video).toMatchObject({ width: 640, height: 360 });
		expect(dominant(await meanColour(bytes, 15))).toBe('red');
		const [r = 0, g = 0] = await meanColour(bytes, 52);
		expect(r).toBeGreaterThan(60);
		expect(g).toBeGreaterThan(60);
		expect(dominant(await meanColour(bytes, 120))).toBe('blue');
		expect(message.content).toContain('joined by crossfades');
	}, 90_000);

	it('queues a render while no worker runs and says so; a worker that starts later posts it anew once the token is dead', async () => {
		const channelId = channel('render');
		deployment.worker.signal('SIGTERM');
		await deployment.worker.exited();
		const handle = sequence('render', [], { channelId, userId: nextUser() });
		const queued = await discord
			.waitFor(
				() =>
					originalEdits(discord, handle.token)
						.map(contentOf)
						.find((content) => content.includes('queued')),
				10_000,
				'the queued reply',
			)
			.catch(withLogs(deployment));
		expect(queued).toContain('No worker is running right now: it will be rendered as soon as one starts.');
		await new Promise((resolve) => setTimeout(resolve, 2_000));
		expect(discord.original(handle.token)?.attachments).toEqual([]);

		// The reply's token dies before the worker comes: the film goes to a new message replying to it.
		discord.expireInteractionTokens();
		await deployment.restartWorker();
		const replyId = discord.original(handle.token)?.id;
		const posted = await discord
			.waitFor(
				() =>
					discord
						.channelMessages(channelId)
						.find((m) => m.reference === replyId && m.attachments.some((file) => file.filename.endsWith('.mp4'))),
				60_000,
				'the film in a new message',
			)
			.catch(withLogs(deployment));
		expect(posted.content).toContain('**Three colours**');
		for (const authorId of film.authors) expect(posted.content).toContain(`<@${authorId}>`);
	}, 120_000);
	it('skips a shot whose message was deleted and names it; with none left it says so and posts nothing', async () => {
		const channelId = channel('deleted');
		const board = await started(channelId, 'Gaps', nextUser());
		const first = await made(channelId, nextUser(), 'first', 'red');
		const second = await made(channelId, nextUser(), 'second', 'green');
		const third = await made(channelId, nextUser(), 'third', 'blue');
		for (const clip of [first, second, third]) await added(clip, nextUser());
		await boardShows(board, [first, second, third]);
		discord.deleteMessage(second.message.id);

		const message = await filmOf(sequence('render', [], { channelId }));
		expect(message.content).toContain('Skipped shot 2: its message was deleted.');
		expect(message.content).not.toContain(`<@${second.authorId}>`);
		const media = await probeMedia(filmBytes(message));
		expect(media.duration).toBeCloseTo(4, 1);

		discord.deleteMessage(first.message.id);
		discord.deleteMessage(third.message.id);
		const none = sequence('render', [], { channelId });
		const said = await discord
			.waitFor(
				() =>
					originalEdits(discord, none.token)
						.map(contentOf)
						.find((content) => content.startsWith('❌')),
				30_000,
				'the render saying nothing is left',
			)
			.catch(withLogs(deployment));
		expect(said).toContain('Nothing left to render of **Gaps**, so nothing was posted.');
		expect(said).toContain('Skipped shot 1: its message was deleted.');
		expect(said).toContain('Skipped shot 3: its message was deleted.');
		expect(discord.original(none.token)?.attachments).toEqual([]);
	}, 120_000);

	it('refuses privately to render a sequence without shots, and answers where none is active', async () => {
		const channelId = channel('idle');
		await started(channelId, 'Empty', nextUser());
		const empty = await answered(sequence('render', [], { channelId }));
		expect(empty.ephemeral).toBe(true);
		expect(empty.content).toContain('**Empty** has no shots yet');
		for (const sub of ['shots', 'render', 'end']) {
			const none = await answered(sequence(sub, [], { channelId: channel('bare') }));
			expect(none.ephemeral).toBe(true);
			expect(none.content).toContain('There is no sequence in this channel. Start one with `/sequence start');
		}
	}, 30_000);

	it('a worker killed mid-render is replaced and the film posted exactly once', async () => {
		const channelId = channel('crash');
		const board = await started(channelId, 'Crash', nextUser());
		const shots = [await made(channelId, nextUser(), 'one', 'red'), await made(channelId, nextUser(), 'two', 'blue')];
		for (const clip of shots) await added(clip, nextUser());
		await boardShows(board, shots);

		// Killed while reading the first shot's message.
		const read = discord.holdNext(
			{ method: 'GET', path: new RegExp(`/channels/${channelId}/messages/${shots[0]?.message.id}$`) },
			{ apply: false },
		);
		const handle = sequence('render', [], { channelId });
		await read.arrived;
		await deployment.crashWorker();
		const message = await filmOf(handle);
		expect(message.id).toBe(discord.original(handle.token)?.id);
		expect(discord.requests.filter((r) => r.files.length > 0 && r.path.includes(handle.token))).toHaveLength(1);

		// Killed as the upload lands, before the worker hears back: the next one finds it and posts nothing.
		const upload = discord.holdNext({ method: 'PATCH', path: /\/messages\/@original$/, files: true }, { apply: true });
		const again = sequence('render', [], { channelId });
		const landed = await upload.arrived;
		expect(landed.path).toContain(again.token);
		await deployment.crashWorker();
		await filmOf(again);
		// The next worker looks for it and finds it (a read of the reply), and never uploads again.
		await discord
			.waitFor(
				() => discord.requests.some((r) => r.method === 'GET' && r.path.includes(again.token) && r.at > landed.at),
				30_000,
				'the next worker looking for the film',
			)
			.catch(withLogs(deployment));
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		expect(discord.requests.filter((r) => r.files.length > 0 && r.path.includes(again.token))).toHaveLength(1);
		const films = discord
			.channelMessages(channelId)
			.filter((m) => m.attachments.some((file) => file.filename === 'crash.mp4'));
		expect(films).toEqual([]);
	}, 120_000);

	it('keeps the board, the buttons and the listing after a bot restart, even for a change the old bot never showed', async () => {
		const channelId = channel('restart');
		const ownerId = nextUser();
		const board = await started(channelId, 'Restart', ownerId);
		const one = await made(channelId, nextUser(), 'before the restart', 'red');
		const two = await made(channelId, nextUser(), 'during the restart', 'green');
		await added(one, nextUser());
		await boardShows(board, [one]);

		// The bot records the add, then dies before its board edit reaches Discord.
		const edit = discord.holdNext({ method: 'PATCH', path: new RegExp(`/messages/${board.id}$`) }, { apply: false });
		await added(two, nextUser());
		await edit.arrived;
		deployment.bot.signal('SIGKILL');
		await deployment.restartKilledBot();
		const since = Date.now();
		await boardShows(board, [one, two], since);

		const three = await made(channelId, nextUser(), 'after the restart', 'blue');
		expect((await added(three, nextUser())).content).toContain('Added as shot 3');
		await boardShows(board, [one, two, three]);
		const listing = await answered(sequence('shots', [], { channelId }));
		expect(summary(entriesOf(listing))).toEqual(expected([one, two, three]));
		// Still the one board: no other was posted.
		expect(discord.channelMessages(channelId).filter((m) => m.content.includes('**Restart**'))).toHaveLength(1);
	}, 120_000);

	it('ends for the owner: the board stays with its final list, Add adds nothing, a new start is allowed', async () => {
		const channelId = channel('end');
		const ownerId = nextUser();
		const board = await started(channelId, 'The end', ownerId);
		const shot = await made(channelId, nextUser(), 'the last shot', 'red');
		const late = await made(channelId, nextUser(), 'a shot too late', 'green');
		await added(shot, nextUser());
		await boardShows(board, [shot]);

		const refused = await answered(sequence('end', [], { channelId, userId: shot.authorId }));
		expect(refused.content).toContain('can end the sequence');
		const since = Date.now();
		const ended = await answered(sequence('end', [], { channelId, userId: ownerId }));
		expect(ended.content).toContain('**The end** has ended with 1 shot');
		const final = await discord
			.waitFor(
				() => /has ended/.test(discord.message(board.id)?.content ?? '') && discord.message(board.id),
				7_000,
				'the board saying it ended',
			)
			.catch(withLogs(deployment));
		expect((final.editedAt ?? 0) - since).toBeLessThan(BOARD_WITHIN_MS);
		expect(summary(entriesOf(final))).toEqual(expected([shot]));

		const click = await added(late, nextUser());
		expect(click.content).toContain('There is no sequence in this channel');
		const listing = await answered(sequence('shots', [], { channelId }));
		expect(listing.content).toContain('There is no sequence in this channel');
		expect(summary(entriesOf(discord.message(board.id) ?? board))).toEqual(expected([shot]));
		const next = await started(channelId, 'The sequel', ownerId);
		expect(next.id).not.toBe(board.id);
		expect(discord.message(board.id)).toBeDefined();
	}, 60_000);

	it('Animate on a message with images: a modal, then exactly /video with its first image, byte for byte, from the submitter', async () => {
		const channelId = channel('sketches');
		await started(channelId, 'Sketches', nextUser());
		const sketcher = nextUser();
		const first = await texturePng(640, 360);
		const second = await texturePng(800, 450);
		const sketch = discord.memberMessage({
			userId: sketcher,
			channelId,
			content: 'my storyboard sketch',
			attachments: [
				{ filename: 'notes.txt', data: Buffer.from('not an image'), contentType: 'text/plain' },
				{ filename: 'frame-1.png', data: first, contentType: 'image/png', width: 640, height: 360 },
				{ filename: 'frame-2.png', data: second, contentType: 'image/png', width: 800, height: 450 },
			],
		});
		const submitter = nextUser();
		const command = discord.messageCommand({ name: 'Animate', messageId: sketch.id, userId: submitter });
		const modal = await discord
			.waitFor(() => discord.callbacks(command.id)[0], 3_000, 'the modal')
			.catch(withLogs(deployment));
		expect(modal.at - command.dispatchedAt).toBeLessThan(3_000);
		expect(modal.body).toMatchObject({ type: 9, data: { custom_id: `clap:animate:${sketch.id}` } });
		const inputs = (
			(modal.body as { data: { components: Array<{ components: Array<Record<string, unknown>> }> } }).data.components ??
			[]
		).flatMap((row) => row.components);
		expect(inputs.map((input) => [input.custom_id, input.required])).toEqual([
			['prompt', true],
			['camera', false],
		]);

		// The link the command carried expires before the modal comes back: the bot reads the message again.
		discord.expireAttachmentLinks();
		const creates = minimax.creates.length;
		minimax.video = clips.red ?? Buffer.alloc(0);
		const submit = discord.modalSubmit({
			customId: `clap:animate:${sketch.id}`,
			fields: { prompt: 'the sketch comes alive', camera: 'Push in' },
			userId: submitter,
			channelId,
		});
		const clip = await clipOf(discord, deployment, submit.token);
		expect(minimax.creates).toHaveLength(creates + 1);
		const body = minimax.creates.at(-1)?.body as { first_frame_image?: string; prompt?: string };
		expect(body.prompt).toBe('[Push in] the sketch comes alive');
		expect(body.first_frame_image).toBe(`data:image/png;base64,${first.toString('base64')}`);
		expect(clip.content).toContain(`<@${submitter}>`);
		expect(await usedUnits(deployment.redis, deployment.prefix, submitter)).toBe(1);
		expect(await usedUnits(deployment.redis, deployment.prefix, sketcher)).toBe(0);

		// Its clip carries Add to sequence like any other, as the submitter's shot.
		expect(customIds(clip)).toContain(`clap:add:${submit.id}`);
		const listingAfter = await added({ handle: submit, message: clip, authorId: submitter }, nextUser());
		expect(listingAfter.content).toContain('Added as shot 1 of **Sketches**');
		const listing = await answered(sequence('shots', [], { channelId }));
		expect(summary(entriesOf(listing))).toEqual([{ position: 1, authorId: submitter, messageId: clip.id }]);
	}, 60_000);

	it('Animate on a message without an image: a private answer at once, no modal, nothing spent', async () => {
		const channelId = channel('sketches');
		const userId = nextUser();
		const creates = minimax.creates.length;
		for (const attachments of [
			[],
			[{ filename: 'loop.gif', data: Buffer.from('GIF89a'), contentType: 'image/gif', width: 400, height: 400 }],
		]) {
			const message = discord.memberMessage({ userId: nextUser(), channelId, content: 'words only', attachments });
			const command = discord.messageCommand({ name: 'Animate', messageId: message.id, userId });
			const answer = await answered(command);
			expect(answer.ephemeral).toBe(true);
			expect(answer.content).toBe(
				'That message has no PNG, JPEG or WebP image to animate. This request did not use any of your quota.',
			);
			expect(discord.callbacks(command.id).map((callback) => (callback.body as { type: number }).type)).toEqual([4]);
		}
		expect(minimax.creates).toHaveLength(creates);
		expect(await usedUnits(deployment.redis, deployment.prefix, userId)).toBe(0);
	}, 30_000);

	it('Animate submitted after the message was deleted: a private answer, nothing spent', async () => {
		const channelId = channel('sketches');
		const userId = nextUser();
		const png = await texturePng(640, 360);
		const sketch = discord.memberMessage({
			userId: nextUser(),
			channelId,
			attachments: [{ filename: 'gone.png', data: png, contentType: 'image/png', width: 640, height: 360 }],
		});
		const command = discord.messageCommand({ name: 'Animate', messageId: sketch.id, userId });
		await discord.waitFor(() => discord.callbacks(command.id)[0], 3_000, 'the modal');
		discord.deleteMessage(sketch.id);
		const creates = minimax.creates.length;
		const answer = await answered(
			discord.modalSubmit({
				customId: `clap:animate:${sketch.id}`,
				fields: { prompt: 'too late', camera: '' },
				userId,
				channelId,
			}),
		);
		expect(answer.ephemeral).toBe(true);
		expect(answer.content).toContain('I can no longer read that message');
		expect(minimax.creates).toHaveLength(creates);
		expect(await usedUnits(deployment.redis, deployment.prefix, userId)).toBe(0);
	}, 30_000);
});
