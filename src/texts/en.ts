import type {
	Asked,
	Change,
	DurationOffer,
	LimitReached,
	RequestProblem,
	BotPermission,
	RequiredPermission,
	SequenceProblem,
	Suggestion,
} from '../errors.js';
import { durationsText, type ModelCapabilities } from '../providers/catalog.js';
import { lengthCount, type Offer } from '../providers/offer.js';
import type { FailureClass } from '../failures.js';
import { CAMERA_MOVES } from '../video/camera.js';
import { MIN_DURATION } from '../video/request.js';
import {
	clock,
	counted,
	listing,
	megabytes as formatMegabytes,
	plural,
	progressBar,
	echo,
	quote,
	relativeTime,
	type Elsewhere,
	type FinishedClip,
	type Progress,
	type RenderedFilm,
	type ShotLine,
	type SkippedShot,
} from './format.js';

/**
 * Every sentence a user reads, in English: the reference language and the fallback. Its shape is
 * the `Sentences` type every other language must fill in full (see `index.ts`).
 */

const duration = (ms: number): string => clock(ms, { minutes: 'm', seconds: 's' });

const megabytes = (bytes: number): string => formatMegabytes(bytes, 'MB', '.');

const inBracket = (bracket: string | undefined) =>
	bracket === undefined ? '' : `In your prompt’s ${echo(bracket, 60)}: `;

/** A number with its noun agreeing (`1 video`, `0 videos`), by English's plural rules. */
const count = (n: number, one: string, other: string): string => counted('en', n, { one, other });

/** Every refusal of a request ends so: nothing was taken from the member's quota. */
const QUOTA_UNTOUCHED = 'This request did not use any of your quota.';

/** Every failed or cancelled job says so: its unit of quota came back. */
const QUOTA_GIVEN_BACK = 'I gave your quota back.';

const ADMINS_TOLD = 'The bot’s admins have been told.';

function asked(item: Asked): string {
	switch (item.kind) {
		case 'model':
			return `the model ${echo(item.model, 60)}`;
		case 'camera-moves':
			return 'camera moves';
		case 'first-frame':
			return 'a first frame';
		case 'last-frame':
			return 'a last frame';
		case 'subject':
			return 'a subject image';
		case 'duration':
			return count(item.seconds, 'second', 'seconds');
		case 'resolution':
			return echo(item.resolution, 20);
		case 'ratio':
			return `a ${item.ratio} ratio`;
		case 'image-type':
			return `a ${item.type} image`;
	}
}

const CHANGES: Readonly<Record<Exclude<Change, 'other-duration'>, string>> = {
	'pick-model': 'let me pick the model',
	'drop-camera': 'drop the camera moves',
	'drop-subject': 'drop the subject image',
	'drop-last-frame': 'drop the last frame',
	'drop-first-frame': 'drop the first frame',
	'add-first-frame': 'add a first frame',
	'drop-resolution': 'leave the resolution out',
	'drop-ratio': 'leave the ratio out',
	'png-or-jpeg': 'send PNG or JPEG images',
};

/** "6 or 10 s", "up to 15 s" (a range from the option's least), "5 to 15 s". */
function lengths(offer: DurationOffer): string {
	if (offer.kind === 'range')
		return offer.min <= MIN_DURATION ? `up to ${offer.max} s` : `${offer.min} to ${offer.max} s`;
	return `${listing(offer.seconds.map(String), 'or')} s`;
}

const suggestion = (item: Suggestion): string =>
	item.change === 'other-duration'
		? `${lengths(item.durations)} on ${item.model}`
		: `${CHANGES[item.change]} (${item.model})`;

function problemWords(problem: RequestProblem): string {
	switch (problem.kind) {
		case 'prompt-empty':
			return 'Your prompt is empty. Describe the scene you want, for example `a lighthouse in a storm at dusk`.';
		case 'prompt-too-long':
			return `Your prompt is ${count(problem.length, 'character', 'characters')} with its camera moves; the limit is ${problem.max}. Please shorten it.`;
		case 'camera-unknown':
			return `${inBracket(problem.bracket)}“${echo(problem.item, 60)}” is not a camera move I know. ${
				problem.suggestion === undefined
					? `Pick from: ${CAMERA_MOVES.join(', ')}.`
					: `Did you mean ${problem.suggestion}?`
			}`;
		case 'camera-too-many':
			return `${inBracket(problem.bracket)}That is ${count(problem.count, 'camera move', 'camera moves')}; at most ${problem.max} can run together. Put later moves in another bracket further on in the prompt: it becomes the next shot.`;
		case 'camera-duplicate':
			return `${inBracket(problem.bracket)}“${echo(problem.item, 60)}” appears twice. Each move can be used once per bracket.`;
		case 'camera-contradiction': {
			const [still, other] = problem.a === 'Static shot' ? [problem.a, problem.b] : [problem.b, problem.a];
			return still === 'Static shot'
				? `${inBracket(problem.bracket)}Static shot holds the camera still, so it can’t run with ${other}.`
				: `${inBracket(problem.bracket)}${problem.a} and ${problem.b} pull the camera opposite ways, so they can’t run in one bracket. Put one in a later bracket to make it the next shot.`;
		}
		case 'bracket-unclosed':
			return `The “[” at character ${problem.position} of your prompt is never closed: “${echo(problem.excerpt, 120)}”. Try: “${echo(problem.fix, 120)}”.`;
		case 'bracket-stray':
			return `The “]” at character ${problem.position} of your prompt closes no bracket: “${echo(problem.excerpt, 120)}”. Try: “${echo(problem.fix, 120)}”.`;
		case 'bracket-nested':
			return `The “[” at character ${problem.position} of your prompt opens a bracket inside another: “${echo(problem.excerpt, 120)}”. A bracket cannot hold another; close the first before opening the next, for example: “${echo(problem.fix, 120)}”.`;
		case 'unservable': {
			const what = problem.asked.length > 0 ? ` with ${listing(problem.asked.map(asked), 'and')}` : '';
			const fixes =
				problem.suggestions.length > 0
					? ` What would work: ${listing(problem.suggestions.map(suggestion), 'or')}.`
					: problem.models !== undefined
						? ` The models offered here are: ${problem.models.join(', ')}.`
						: '';
			return `${problem.provider} has no model that makes a clip${what}.${fixes}`;
		}
		case 'image-not-image':
			return `The \`${problem.option}\` attachment must be a PNG, JPEG or WebP image.`;
		case 'image-too-large':
			return `The \`${problem.option}\` image is ${megabytes(problem.bytes)}; the limit is ${megabytes(problem.max)}.`;
		case 'image-unreadable':
			return `I could not read the \`${problem.option}\` attachment. Please upload it again.`;
		case 'image-too-small':
			return `The \`${problem.option}\` image is ${problem.width}×${problem.height} px; its shorter side must be more than ${problem.min} px. Please upload a larger image.`;
		case 'image-aspect': {
			const shape = problem.width > problem.height ? 'wide' : 'tall';
			return `The \`${problem.option}\` image is ${problem.width}×${problem.height} px, which is too ${shape}: its longer side must be less than 2.5 times its shorter side (a shape between 2:5 and 5:2). Please crop it and upload it again.`;
		}
		case 'image-too-many-pixels':
			return `The \`${problem.option}\` image is ${problem.width}×${problem.height} px, more than the ${problem.max / 1_000_000} megapixel limit. Please scale it down and upload it again.`;
		case 'image-gone':
			return 'The images of that clip are no longer kept (they are stored for a day). Start a new `/video` with them attached.';
		case 'not-in-server':
			return 'Videos can only be made in a server channel.';
		case 'attachment-host':
			return `The \`${problem.option}\` attachment does not come from Discord’s attachment servers, so I did not download it. Please attach the file to the command itself.`;
		case 'attachment-unresolved':
			return `Discord did not pass me the \`${problem.option}\` attachment, so I made nothing rather than a clip without it. Please attach the file again and resend the command.`;
		case 'not-served':
			return problem.where === 'server-without-bot'
				? 'This server has not added me, so I can’t work here (you are using me from your own apps). A server admin can add me to the server; until then, use me in a server that has.'
				: 'I only work in the channels of a server that has added me, not in direct messages. Please use this command in such a server.';
		case 'quota-target':
			return 'Name either a member (`user`) or a role (`role`), one of them. Nothing was changed.';
		case 'quota-limit':
			return `\`limit\` must be a whole number from 0, or \`default\` to remove the setting; “${echo(problem.value, 40)}” is neither. Nothing was changed.`;
		case 'one-change':
			return '`clear:true` cannot be combined with another change: send them as two commands. Nothing was changed.';
	}
}

/** `/admin` refusals say "Nothing was changed" instead: no member's quota is at stake. */
const ADMIN_PROBLEMS: ReadonlySet<RequestProblem['kind']> = new Set(['quota-target', 'quota-limit', 'one-change']);

/** Why a request was refused; a refused video request says it used none of the quota. */
const requestProblem = (problem: RequestProblem): string =>
	ADMIN_PROBLEMS.has(problem.kind) ? problemWords(problem) : `${problemWords(problem)} ${QUOTA_UNTOUCHED}`;

const videos = (n: number) => plural('en', n, { one: 'video', other: 'videos' });

/** US dollars, to the cent: `$0.43`. */
const money = (usd: number): string => `$${usd.toFixed(2)}`;

const freesUp = (at: number | null, words: string) => (at === null ? '' : ` ${words} ${relativeTime(at)}.`);

function limitReached(limit: LimitReached): string {
	switch (limit.kind) {
		case 'waiting':
			return `You already have ${limit.max} ${videos(limit.max)} waiting to start, the most allowed. Try again once one has started. ${QUOTA_UNTOUCHED}`;
		case 'guild-clips':
			return `This server’s daily budget of ${limit.max} ${videos(limit.max)} is used up.${freesUp(limit.nextFreeAt, 'Another frees up')} ${QUOTA_UNTOUCHED}`;
		case 'guild-dollars':
			return `This server’s daily budget of ${money(limit.maxUsd)} is used up.${freesUp(limit.nextFreeAt, 'Room frees up')} ${QUOTA_UNTOUCHED}`;
		case 'global':
			return `The bot has reached its daily limit of videos for everyone.${freesUp(limit.nextFreeAt, 'More can be made')} ${QUOTA_UNTOUCHED}`;
		case 'paused':
			return `Video generation is paused in this server by its admins. ${QUOTA_UNTOUCHED}`;
		case 'channel':
			return `Videos can only be made in ${listing(
				limit.allowed.map((id) => `<#${id}>`),
				'or',
			)}. ${QUOTA_UNTOUCHED}`;
	}
}

const PERMISSIONS: Readonly<Record<RequiredPermission, string>> = { ManageGuild: 'Manage Server' };

const missingPermission = (permission: RequiredPermission): string =>
	`You need the **${PERMISSIONS[permission]}** permission to use this command. Nothing was changed.`;

const BOT_PERMISSIONS: Readonly<Record<BotPermission, string>> = {
	ViewChannel: 'View Channel',
	SendMessages: 'Send Messages',
	SendMessagesInThreads: 'Send Messages in Threads',
	AttachFiles: 'Attach Files',
	ReadMessageHistory: 'Read Message History',
};

const missingBotPermissions = (channelId: string, missing: readonly BotPermission[]): string =>
	`I can’t deliver clips in <#${channelId}>: I need ${listing(
		missing.map((permission) => `**${BOT_PERMISSIONS[permission]}**`),
		'and',
	)} there. A server admin can grant ${missing.length === 1 ? 'it' : 'them'} in the channel’s settings (Permissions). ${QUOTA_UNTOUCHED}`;

/** Who an `/admin quota` concerns. */
export interface QuotaTarget {
	readonly kind: 'user' | 'role';
	readonly id: string;
}

/** A server's budget and what it used, for `/admin budget`. */
export interface BudgetView {
	readonly clips: number | null;
	readonly dollars: number | null;
	/** The clip budget is GUILD_DAILY_BUDGET, not the server's own. */
	readonly fromDefault: boolean;
	readonly usedClips: number;
	readonly usedUsd: number;
}

/** One line of `/queue`: a place in line (null while it is being made), a prompt, maybe its author. */
export interface QueueLine {
	readonly position: number | null;
	readonly prompt: string;
	readonly userId?: string | undefined;
}

const shortPrompt = (prompt: string): string => echo(prompt.replace(/\s+/g, ' '), 60);

const admin = {
	quotaSet: (target: QuotaTarget, limit: number): string =>
		target.kind === 'user'
			? `<@${target.id}> can now make **${limit}** ${videos(limit)} per rolling 24 hours in this server, whatever their roles.`
			: `Members with <@&${target.id}> can now make **${limit}** ${videos(limit)} per rolling 24 hours, unless another of their roles allows more or they have a setting of their own.`,
	quotaCleared: (target: QuotaTarget, fallback: number): string =>
		target.kind === 'user'
			? `<@${target.id}> no longer has a setting of their own: their roles decide, else the default of ${fallback} ${videos(fallback)}.`
			: `<@&${target.id}> no longer sets a limit.`,
	budget(view: BudgetView, changed: boolean): string {
		const parts = [
			view.clips === null
				? undefined
				: `**${view.clips} ${videos(view.clips)}**${view.fromDefault ? ' (the bot’s default)' : ''}`,
			view.dollars === null ? undefined : `**${money(view.dollars)}**`,
		].filter((part) => part !== undefined);
		const used = `${view.usedClips} ${videos(view.usedClips)} and ${money(view.usedUsd)} (videos not finished yet count at their expected price)`;
		const head = changed ? 'Saved. ' : '';
		return parts.length === 0
			? `${head}This server has no budget: only each member’s quota limits it. Used in the last 24 hours: ${used}.`
			: `${head}This server’s budget per rolling 24 hours: ${listing(parts, 'and')}. Used so far: ${used}.`;
	},
	paused:
		'⏸️ Video generation is paused in this server. Videos already at the provider finish and are delivered; waiting ones stay in the queue until `/admin resume`.',
	resumed: '▶️ Video generation is back on in this server; waiting videos start again.',
	channels: (ids: readonly string[]): string =>
		ids.length === 0
			? 'Videos can be made in every channel of this server.'
			: `Videos can be made only in ${listing(
					ids.map((id) => `<#${id}>`),
					'and',
				)}.`,
	reportTitle: (days: number): string => `Usage over the last ${count(days, 'day', 'days')}`,
	reportGenerations: 'Generations',
	reportCost: 'Cost',
	reportCostValue: (usd: number, unpriced: number): string =>
		unpriced === 0 ? money(usd) : `${money(usd)} (+ ${unpriced} ${videos(unpriced)} without a known price)`,
	reportTopUsers: 'Top users',
	reportTopUser: (userId: string, clips: number, usd: number): string =>
		`<@${userId}>: ${clips} ${videos(clips)}, ${money(usd)}`,
	reportNone: 'No videos were delivered in this period.',
	reportFile: 'One row per member per day (UTC); costs in US dollars.',
	auditTitle: 'Latest changes made with /admin in this server, newest first',
	auditNone: 'No change has been made with /admin in this server yet.',
};

const queue = {
	title: (everyone: boolean): string =>
		everyone ? 'Every video waiting or being made in this server:' : 'Your videos waiting or being made:',
	none: (everyone: boolean): string =>
		everyone ? 'No videos are waiting or being made in this server.' : 'You have no videos waiting or being made.',
	line: (line: QueueLine): string =>
		`${line.position === null ? '**generating**' : `**#${line.position}** in line`} · “${shortPrompt(line.prompt)}”${
			line.userId === undefined ? '' : ` by <@${line.userId}>`
		}`,
	more: (count: number): string => `…and ${count} more.`,
};

const shots = (n: number) => plural('en', n, { one: 'shot', other: 'shots' });

function sequenceProblem(problem: SequenceProblem): string {
	switch (problem.kind) {
		case 'none-active':
			return 'There is no sequence in this channel. Start one with `/sequence start title:…`.';
		case 'already-active':
			return `This channel already has a sequence, **${echo(problem.title)}**. It has to end (\`/sequence end\`) before another starts here. Nothing was posted.`;
		case 'not-allowed': {
			const who = `the sequence’s owner (<@${problem.ownerId}>) or a member with **Manage Server**`;
			if (problem.action === 'remove')
				return `Only ${who}, or the shot’s own author, can remove a shot. Nothing was changed.`;
			return `Only ${who} can ${problem.action === 'move' ? 'move shots' : 'end the sequence'}. Nothing was changed.`;
		}
		case 'no-shot':
			return problem.count === 0
				? `There is no shot ${problem.shot}: the sequence has no shots yet. Nothing was changed.`
				: `There is no shot ${problem.shot}: the shots are numbered 1 to ${problem.count} (see \`/sequence shots\`). Nothing was changed.`;
		case 'empty':
			return `**${echo(problem.title)}** has no shots yet, so there is nothing to render. Add clips with their **Add to sequence** button first.`;
		case 'full':
			return `**${echo(problem.title)}** already holds ${problem.max} ${shots(problem.max)}, the most a sequence can. Remove one first. Nothing was added.`;
		case 'already-in':
			return `This clip is already shot ${problem.position} of **${echo(problem.title)}**. Nothing was changed.`;
		case 'board-refused':
			return 'I could not post the sequence’s board in this channel: I need **View Channel** and **Send Messages** here. Nothing was started.';
		case 'title-empty':
			return 'The title is empty. Give the sequence a name, for example `title: The lighthouse`.';
		case 'no-image':
			return `That message has no PNG, JPEG or WebP image to animate. ${QUOTA_UNTOUCHED}`;
		case 'message-gone':
			return `I can no longer read that message (it may have been deleted), so there is no image to animate. ${QUOTA_UNTOUCHED}`;
	}
}

const SKIPPED: Readonly<Record<SkippedShot['reason'], string>> = {
	'deleted': 'its message was deleted',
	'no-clip': 'its message no longer carries the clip',
	'download': 'its clip could not be downloaded',
	'unreadable': 'its clip could not be read',
};

const skipped = (list: readonly SkippedShot[]): string =>
	list.map((shot) => `Skipped shot ${shot.position}: ${SKIPPED[shot.reason]}.`).join('\n');

type Transition = RenderedFilm['transition'];

const TRANSITIONS: Readonly<Record<Transition, string>> = { cut: 'cuts', crossfade: 'crossfades' };

const sequence = {
	started: (title: string, board: string): string =>
		`🎬 **${echo(title)}** has started in this channel. Its board: ${board}. Anyone can add a clip made here with its **Add to sequence** button.`,
	added: (title: string, position: number): string => `➕ Added as shot ${position} of **${echo(title)}**.`,
	moved: (title: string, from: number, to: number): string =>
		`↕️ Shot ${from} of **${echo(title)}** is now shot ${to}; the others kept their order.`,
	removed: (title: string, position: number): string =>
		`➖ Shot ${position} left **${echo(title)}**; the shots after it moved up one.`,
	ended: (title: string, count: number): string =>
		`🏁 **${echo(title)}** has ended with ${count} ${shots(count)}. Its board stays; \`/sequence start\` can begin another sequence here.`,
	listingHead: (title: string, count: number): string => `🎬 **${echo(title)}**: ${count} ${shots(count)}, in order.`,
	noShots: 'No shots yet. Add a clip made in this channel with its **Add to sequence** button.',
	shotLine: (line: ShotLine): string => `**${line.position}.** <@${line.authorId}> “${line.prompt}” ${line.link}`,
	boardHead: (title: string, ownerId: string): string =>
		`🎬 **${echo(title)}**, a sequence by <@${ownerId}>. Add a clip made here with its **Add to sequence** button; \`/sequence render\` stitches the shots into one film.`,
	boardEnded: (title: string, ownerId: string): string =>
		`🏁 **${echo(title)}**, a sequence by <@${ownerId}>, has ended. Its final list of shots:`,
	boardCount: (count: number): string => `${count} ${shots(count)}`,
	renderQueued: (title: string, count: number, transition: Transition, workerRunning: boolean): string =>
		`🎞️ Render of **${echo(title)}** queued: ${count} ${shots(count)}, joined by ${TRANSITIONS[transition]}.${
			workerRunning ? '' : ' No worker is running right now: it will be rendered as soon as one starts.'
		}`,
	renderReading: (title: string, shot: number, count: number): string =>
		`🎞️ Rendering **${echo(title)}**: reading shot ${shot} of ${count}…`,
	renderStitching: (title: string, fraction: number): string =>
		`🎞️ Rendering **${echo(title)}**: stitching the shots… ${progressBar(fraction)}`,
	renderUploading: (title: string): string => `📤 Uploading **${echo(title)}**…`,
	renderDone: (film: RenderedFilm): string =>
		[
			`🎬 **${echo(film.title)}**: ${film.shots} ${shots(film.shots)}, ${Math.round(film.seconds)} s, joined by ${TRANSITIONS[film.transition]}.`,
			`Shots by ${listing(
				film.authors.map((id) => `<@${id}>`),
				'and',
			)}.`,
			...(film.skipped.length === 0 ? [] : [skipped(film.skipped)]),
		].join('\n'),
	renderNothing: (title: string, list: readonly SkippedShot[]): string =>
		`❌ Nothing left to render of **${echo(title)}**, so nothing was posted.\n${skipped(list)}`,
	renderFailed: (title: string, failure: 'too-large' | 'undeliverable' | 'internal'): string =>
		`❌ The render of **${echo(title)}** failed: ${
			{
				'too-large': 'the film cannot fit this server’s upload limit at a watchable quality.',
				'undeliverable': 'Discord refused to post the film here.',
				'internal': 'something went wrong on my side. Please try again in a moment.',
			}[failure]
		}`,
	renderMoved: (title: string, jump: string): string =>
		`⏩ The render of **${echo(title)}** carries on in a new message: ${jump}`,
};

function quotaExceeded(error: { readonly limit: number; readonly nextFreeAt: number | null }): string {
	if (error.limit === 0)
		return `Video generation is off for you here: your limit is 0 videos per rolling 24 hours. ${QUOTA_UNTOUCHED}`;
	const next = error.nextFreeAt === null ? '' : ` Your next one frees up ${relativeTime(error.nextFreeAt)}.`;
	return `You have used ${count(error.limit, 'video', 'videos')}, your whole limit for the last 24 hours.${next} ${QUOTA_UNTOUCHED}`;
}

function quotaStatus(status: { remaining: number; limit: number; nextFreeAt: number | null }): string {
	const left = `You have **${status.remaining} of ${status.limit}** ${videos(status.limit)} left in the rolling 24 hours.`;
	if (status.nextFreeAt === null) return left;
	return `${left} The next one frees up ${relativeTime(status.nextFreeAt)}.`;
}

function queued(progress: Progress, position: number): string {
	const where = position <= 1 ? 'Next in line.' : `Position **#${position}** in the queue.`;
	return `🎬 Queued. ${where}\n${quote(progress.prompt)}`;
}

function submitted(progress: Progress): string {
	return `🎬 Submitted to **${progress.model}**. Waiting for the provider…\n${quote(progress.prompt)}`;
}

function generating(progress: Progress, elapsedMs: number, phase: 'queued' | 'generating', etaMs?: number): string {
	const what = phase === 'queued' ? 'Waiting in the provider’s queue' : 'Generating';
	const head = `🎬 ${what} on **${progress.model}**… ${duration(elapsedMs)} elapsed`;
	if (etaMs === undefined) return `${head}.\n${quote(progress.prompt)}`;
	const left = etaMs - elapsedMs;
	const remaining = left > 0 ? `about ${duration(left)} left` : 'any moment now';
	return `${head}, ${remaining}.\n${progressBar(elapsedMs / etaMs)}\n${quote(progress.prompt)}`;
}

function uploading(progress: Progress): string {
	return `📤 Uploading the clip…\n${quote(progress.prompt)}`;
}

function fitting(progress: Progress, limit: number): string {
	return `🎞️ Re-encoding the clip to fit this server’s ${megabytes(limit)} upload limit…\n${quote(progress.prompt)}`;
}

/** The provider, the model, the length: one line under the mention. */
function facts(clip: FinishedClip): string {
	const length = clip.seconds === undefined ? [] : [`${Math.round(clip.seconds)} s`];
	const cost = clip.costUsd === undefined ? [] : [money(clip.costUsd)];
	return [`**${clip.provider}**`, `**${clip.model}**`, ...length, ...cost].join(' · ');
}

const cameraLine = (clip: FinishedClip): string => (clip.camera.length > 0 ? `\n🎥 ${clip.camera.join(', ')}` : '');

function done(clip: FinishedClip, userId: string): string {
	return `✅ <@${userId}>, your clip is ready: ${facts(clip)}, made in ${duration(clip.elapsedMs)}.${cameraLine(clip)}\n${quote(clip.prompt)}`;
}

function tooLargeToUpload(clip: FinishedClip, userId: string, url: string, limit: number): string {
	return (
		`✅ <@${userId}>, your clip is ready: ${facts(clip)}. It cannot fit this server’s ${megabytes(limit)} upload limit at a watchable quality, ` +
		`so here is the video service’s link (it expires within hours): ${url}${cameraLine(clip)}\n${quote(clip.prompt)}`
	);
}

/** The reply, once the job carries on in a message of its own (a long job, or a dead token). */
function moved(progress: Progress, jump: string): string {
	return `⏩ This clip carries on in a new message: ${jump}\n${quote(progress.prompt)}`;
}

const reached = (how: Elsewhere): string =>
	[
		how.dm ? 'I sent it to you by direct message.' : '',
		how.privately === true ? 'I sent it to you in a message only you can see.' : '',
		how.link === undefined ? '' : `Watch it here: ${how.link}`,
	]
		.filter((part) => part !== '')
		.join(' ');

/** Private, to the requester, when the channel refused the upload. */
function cannotAttach(channelId: string, how: Elsewhere): string {
	const next = how.dm || how.link !== undefined ? reached(how) : 'Here it is, only for you.';
	return `I may not attach files in <#${channelId}>, so I could not post your clip there. A server admin can give me the **Attach Files** permission in that channel. ${next}`;
}

/** In the channel, when it refused the upload: the clip reached its author anyway. */
function doneElsewhere(clip: FinishedClip, userId: string, how: Elsewhere): string {
	return `✅ <@${userId}>, your clip is ready: ${facts(clip)}. I may not attach files in this channel (a server admin can grant **Attach Files**). ${reached(how)}${cameraLine(clip)}\n${quote(clip.prompt)}`;
}

/** The direct message carrying a clip the channel refused. */
function directClip(clip: FinishedClip, jump: string): string {
	return `🎬 Your clip from ${jump}: ${facts(clip)}.${cameraLine(clip)}\n${quote(clip.prompt)}`;
}

/** Why a job failed, one sentence per failure class (`src/failures.ts`). */
const failures: Readonly<Record<FailureClass, string>> = {
	'rejected': 'The video service refused the request as invalid.',
	'safety-input': 'The video service’s safety filter refused the prompt or the image.',
	'safety-output': 'The video service’s safety filter refused the generated video.',
	'auth': 'The video service did not accept this bot’s key. The bot’s admins need to check it.',
	'credits': 'The bot’s account with the video service is empty. The bot’s admins need to top it up.',
	'rate-limited': 'The video service is too busy right now.',
	'unavailable': 'The video service is having trouble right now.',
	'network': 'The video service could not be reached.',
	'malformed': 'The video service gave an answer I could not understand.',
	'generation-failed': 'The video service could not make this clip.',
	'task-cancelled': 'The video service cancelled this clip before it was finished.',
	'task-expired': 'The video service let this clip expire before making it.',
	'link-expired':
		'The clip was made, but its download link had expired and the video service did not give a working one in time.',
	'timed-out': 'The video service took too long to make this clip.',
	'too-large': 'The clip came out larger than this server’s upload limit.',
	'outcome-unknown':
		'The request to the video service was cut off, or answered in a way I could not read, so I cannot tell whether it was received. So as not to make it twice, I did not send it again.',
	'source-unreadable': 'I could not read the clip this one continues from, so I could not take its last frame.',
	'undeliverable': 'Discord refused to post the clip here.',
	'internal': 'Something went wrong while making your clip.',
};

/**
 * The final word on a failed job, given its reason. The quota is always given back before this is
 * shown; the admins are said to be told only when an admin channel is configured and was alerted.
 */
function failedBecause(reason: string, progress: Progress, adminsTold = false): string {
	return `❌ ${reason}${adminsTold ? ` ${ADMINS_TOLD}` : ''} ${QUOTA_GIVEN_BACK}\n${quote(progress.prompt)}`;
}

const buttonLabels = {
	cancel: 'Cancel',
	retry: 'Retry',
	extend: 'Extend',
	remix: 'Remix',
	delete: 'Delete',
	add: 'Add to sequence',
};

/** The `/help` page: what the bot does, the camera language, the models offered, and quotas. Under 2000 characters. */
function help(settings: { quota: number; offer: Offer }): string {
	const { offer } = settings;
	const images = [
		offer.firstFrame ? '`first_frame` starts the clip on your image' : undefined,
		offer.lastFrame ? '`last_frame` ends it on another' : undefined,
		offer.subject ? '`subject` features a character' : undefined,
	].filter((part) => part !== undefined);
	const choices = [
		lengthCount(offer.durations) > 1 ? `\`duration:\` (${lengths(offer.durations)})` : undefined,
		offer.resolutions.length > 1 ? `\`resolution:\` (${listing(offer.resolutions, 'or')})` : undefined,
		offer.ratios.length > 0 ? `\`ratio:\` (${listing(offer.ratios, 'or')})` : undefined,
	].filter((part) => part !== undefined);
	const several = offer.models.length > 1;
	return [
		'**🎬 clapper** makes short AI video clips you direct. `/video prompt:…` queues one; the finished MP4 is posted on the reply.',
		...(offer.camera
			? [
					'',
					'**Camera moves** (up to 3 in one bracket run together):',
					'`Truck left/right` `Pan left/right` `Push in` `Pull out` `Pedestal up/down` `Tilt up/down` `Zoom in/out` `Shake` `Tracking shot` `Static shot`',
					'Film words work too: dolly in → Push in, crane up → Pedestal up, handheld → Shake, follow → Tracking shot.',
					'• `camera:` opens the clip: `camera: Truck left, Pan right, Zoom in`',
					'• Brackets at different places are shots that follow each other: `A bear waves [Pedestal up], then turns away [Zoom out]`',
					'• Opposite moves in one bracket (Pan left with Pan right, Static shot with anything) are refused.',
				]
			: []),
		...(images.length > 0
			? [
					'',
					`**Images:** ${images.join('; ')}. PNG, JPEG or WebP, up to 20 MB, short side over 300 px, between 2:5 and 5:2.`,
				]
			: []),
		'',
		[
			`**${several ? 'Models' : 'Model'}:** ${offer.models.join(', ')}.`,
			several ? ' Without `model:`, the first of these that can do everything you asked is used.' : '',
			choices.length > 0 ? ` ${listing(choices, 'and')} work where a model offers them.` : '',
			offer.cameraProse ? ' Models that read camera moves as prose get them as sentences.' : '',
		].join(''),
		'',
		'**Buttons:** Cancel while it runs; under a clip, Retry (same settings), Extend (the next shot starts on its last frame), Remix (edit prompt and camera), Delete.',
		'',
		`**Quota:** ${count(settings.quota, 'video', 'videos')} per person per rolling 24 hours unless this server sets another limit for you or your roles; \`/quota\` shows yours and what is left, \`/queue\` your place in line. A failed or cancelled job gives its video back. Clips are made by ${offer.provider}.`,
	].join('\n');
}

/** What a model can do, one line, for the `model` option's autocomplete. */
function modelTraits(model: ModelCapabilities): string {
	const frames = {
		none: 'text only',
		optional: 'first frame optional',
		required: 'first frame required',
	}[model.firstFrame];
	const parts = [
		frames,
		model.lastFrame ? 'last frame' : undefined,
		model.subject ? 'subject' : undefined,
		model.camera ? 'camera moves' : undefined,
		`${durationsText(model, '/')} s`,
		model.resolutions.join('/'),
	].filter((part) => part !== undefined);
	return parts.join(', ');
}

export const en = {
	duration,
	megabytes,
	requestProblem,
	asked,
	suggestion,
	quotaExceeded,
	quotaStatus,
	money,
	limitReached,
	missingPermission,
	missingBotPermissions,
	lostInRestart: `⚠️ This request was lost when the bot restarted, before it reached the queue. ${QUOTA_UNTOUCHED} Please send it again.`,
	admin,
	queue,
	sequenceProblem,
	sequence,
	queueUnavailable: `The video queue is unavailable right now, so nothing was queued. ${QUOTA_UNTOUCHED} Please try again in a minute.`,
	/** `ref` is the short id of the error's log line, for the admins to find it. */
	unexpected: (ref?: string): string =>
		`Something went wrong on my side. ${QUOTA_UNTOUCHED} Please try again in a moment.${
			ref === undefined ? '' : ` If it happens again, give the bot’s admins this reference: \`${ref}\`.`
		}`,
	/** A crafted or stale interaction: an unknown command, a tampered button, options of the wrong type. */
	unrecognised: `I did not understand that request — it may come from an old message. Try \`/help\`. ${QUOTA_UNTOUCHED}`,
	quotaUntouched: QUOTA_UNTOUCHED,
	quotaGivenBack: QUOTA_GIVEN_BACK,
	noWorker: (adminsTold: boolean): string =>
		`No video worker is running right now, so your video was not queued. ${QUOTA_UNTOUCHED}${adminsTold ? ` ${ADMINS_TOLD}` : ''} Please try again later.`,
	queued,
	submitted,
	generating,
	uploading,
	fitting,
	done,
	tooLargeToUpload,
	moved,
	cannotAttach,
	doneElsewhere,
	directClip,
	failures,
	failedBecause,
	buttonLabels,
	modalTitle: (action: 'remix' | 'extend'): string =>
		action === 'remix' ? 'Remix this clip' : 'Extend from the last frame',
	animateModalTitle: 'Animate this image',
	modalPromptLabel: 'Prompt',
	modalCameraLabel: 'Camera moves (up to 3)',
	notYours: (action: string): string =>
		`Only the person who made this clip, or a server admin, can ${action === 'delete' ? 'delete it' : 'cancel it'}. Nothing was changed.`,
	clipUnknown: `I no longer have the details of that clip (they are kept for 7 days), so this button cannot be used any more. ${QUOTA_UNTOUCHED}`,
	alreadyFinished: 'That job has already finished, so there is nothing to cancel.',
	cancelled: (progress: Progress, byUserId: string): string =>
		`🛑 Cancelled by <@${byUserId}>. ${QUOTA_GIVEN_BACK}\n${quote(progress.prompt)}`,
	cancelling: (progress: Progress): string => `🛑 Cancelling…\n${quote(progress.prompt)}`,
	help,
	/** Autocomplete: a camera-move list this server uses often. */
	popularHere: (moves: string): string => `${moves} (popular here)`,
	modelTraits,
	/**
	 * Slash-command descriptions and choice names, registered by `npm run deploy`. Discord allows
	 * 1–100 characters each; command and option names stay English (they are identifiers).
	 */
	commands: {
		video: {
			description: 'Direct a short AI video clip',
			options: {
				prompt: 'What happens in the clip. Brackets like [Pan left] direct the camera at that point.',
				camera: 'Up to 3 camera moves that open the clip, e.g. Truck left, Pan right, Zoom in',
				first_frame: 'An image the clip starts from (PNG, JPEG or WebP)',
				last_frame: 'An image the clip ends on (models that take one)',
				subject: 'A character reference image to feature in the clip',
				model: 'A specific model; by default the bot picks one that fits your options',
				duration: 'Length in seconds; each model makes some of the lengths offered here',
				resolution: 'Output resolution, where the model offers a choice',
				ratio: 'Shape of a clip without a first frame, e.g. 9:16 for phones (models that offer it)',
				prompt_optimizer: 'Let the model rewrite the prompt for quality (the provider’s default when unset)',
			},
		},
		quota: { description: 'How many videos you have left, and when the next one frees up' },
		help: { description: 'What the bot does, a camera-move cheat sheet, and how quotas work' },
		queue: { description: 'Your videos waiting or being made, and their place in line' },
		admin: {
			description: 'Video settings of this server: quotas, budget, pause, channels, usage, changes',
			quota: {
				description: 'Set the daily video limit of a member or of a role',
				user: 'The member whose limit to set',
				role: 'The role whose limit to set (a member gets the largest among their roles)',
				limit: 'Videos per rolling 24 hours (a whole number), or "default" to remove the setting',
			},
			budget: {
				description: 'Show or set this server’s budget per rolling 24 hours',
				generations: 'Videos per rolling 24 hours for the whole server',
				dollars: 'US dollars per rolling 24 hours for the whole server',
				clear: 'Remove the budget (back to the bot’s default)',
			},
			pause: { description: 'Pause video generation in this server' },
			resume: { description: 'Resume video generation in this server' },
			channels: {
				description: 'Show or change the channels where videos may be made',
				allow: 'Allow videos in this channel',
				remove: 'No longer allow videos in this channel',
				clear: 'Allow videos in every channel again',
			},
			report: {
				description: 'Usage and cost of this server: a summary and a CSV file',
				days: 'How many days to cover, today included (1 to 90, 7 by default)',
			},
			audit: { description: 'The latest 25 changes made with /admin in this server' },
		},
		sequence: {
			description: 'Build a film together in this channel: collect, arrange and render shots',
			start: {
				description: 'Make this channel a sequence you own, and post its board',
				title: 'The film’s title',
			},
			shots: { description: 'List the shots of this channel’s sequence, in order' },
			move: {
				description: 'Move a shot to another position (the owner or Manage Server)',
				from: 'The shot’s number on the board',
				to: 'Its new number',
			},
			remove: {
				description: 'Take a shot out (the owner, Manage Server, or the shot’s author)',
				shot: 'The shot’s number on the board',
			},
			render: {
				description: 'Stitch the shots into one film, posted in this channel',
				transition: 'How shots join: a cut (default) or a 0.5 s crossfade',
				cut: 'Cut',
				crossfade: 'Crossfade (0.5 s)',
			},
			end: { description: 'Close this channel’s sequence (the owner or Manage Server)' },
		},
		/** The message command's name as menus show it; interactions carry the English `Animate`. */
		animate: { name: 'Animate' },
	},
};

/** The shape every language fills in full: a missing or extra text is a compile error. */
export type Sentences = typeof en;
