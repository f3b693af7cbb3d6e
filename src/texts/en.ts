import type { Asked, Change, RequestProblem, Suggestion } from '../errors.js';
import type { ModelCapabilities } from '../providers/catalog.js';
import type { FailureClass } from '../failures.js';
import { CAMERA_MOVES } from '../video/camera.js';
import {
	clock,
	listing,
	megabytes as formatMegabytes,
	progressBar,
	quote,
	relativeTime,
	type Elsewhere,
	type FinishedClip,
	type Progress,
} from './format.js';

/**
 * Every sentence a user reads, in English: the reference language and the fallback. Its shape is
 * the `Sentences` type every other language must fill in full (see `index.ts`).
 */

const duration = (ms: number): string => clock(ms, { minutes: 'm', seconds: 's' });

const megabytes = (bytes: number): string => formatMegabytes(bytes, 'MB', '.');

const inBracket = (bracket: string | undefined) => (bracket === undefined ? '' : `In your prompt’s ${bracket}: `);

function asked(item: Asked): string {
	switch (item.kind) {
		case 'model':
			return `the model ${item.model}`;
		case 'camera-moves':
			return 'camera moves';
		case 'first-frame':
			return 'a first frame';
		case 'last-frame':
			return 'a last frame';
		case 'subject':
			return 'a subject image';
		case 'duration':
			return `${item.seconds} seconds`;
		case 'resolution':
			return item.resolution;
		case 'image-type':
			return `a ${item.type} image`;
	}
}

const CHANGES: Readonly<Record<Change, string>> = {
	'pick-model': 'let me pick the model',
	'drop-camera': 'drop the camera moves',
	'drop-subject': 'drop the subject image',
	'drop-last-frame': 'drop the last frame',
	'drop-first-frame': 'drop the first frame',
	'add-first-frame': 'add a first frame',
	'drop-duration': 'leave the duration out',
	'drop-resolution': 'leave the resolution out',
	'png-or-jpeg': 'send PNG or JPEG images',
};

const suggestion = (item: Suggestion): string => `${CHANGES[item.change]} (${item.model})`;

function requestProblem(problem: RequestProblem): string {
	switch (problem.kind) {
		case 'prompt-empty':
			return 'Your prompt is empty. Describe the scene you want, for example `a lighthouse in a storm at dusk`.';
		case 'prompt-too-long':
			return `Your prompt is ${problem.length} characters with its camera moves; the limit is ${problem.max}. Please shorten it.`;
		case 'camera-unknown':
			return `${inBracket(problem.bracket)}“${problem.item}” is not a camera move I know. ${
				problem.suggestion === undefined
					? `Pick from: ${CAMERA_MOVES.join(', ')}.`
					: `Did you mean ${problem.suggestion}?`
			}`;
		case 'camera-too-many':
			return `${inBracket(problem.bracket)}That is ${problem.count} camera moves; at most ${problem.max} can run together. Put later moves in another bracket further on in the prompt: it becomes the next shot.`;
		case 'camera-duplicate':
			return `${inBracket(problem.bracket)}“${problem.item}” appears twice. Each move can be used once per bracket.`;
		case 'camera-contradiction': {
			const [still, other] = problem.a === 'Static shot' ? [problem.a, problem.b] : [problem.b, problem.a];
			return still === 'Static shot'
				? `${inBracket(problem.bracket)}Static shot holds the camera still, so it can’t run with ${other}.`
				: `${inBracket(problem.bracket)}${problem.a} and ${problem.b} pull the camera opposite ways, so they can’t run in one bracket. Put one in a later bracket to make it the next shot.`;
		}
		case 'unservable': {
			const what = problem.asked.length > 0 ? ` with ${listing(problem.asked.map(asked), 'and')}` : '';
			const fixes =
				problem.suggestions.length > 0
					? ` What would work: ${listing(problem.suggestions.map(suggestion), 'or')}.`
					: problem.models !== undefined
						? ` Its models are: ${problem.models.join(', ')}.`
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
	}
}

function quotaExceeded(error: { readonly limit: number; readonly nextFreeAt: number | null }): string {
	if (error.limit === 0) return 'Video generation is switched off for users on this bot.';
	const next = error.nextFreeAt === null ? '' : ` Your next one frees up ${relativeTime(error.nextFreeAt)}.`;
	return `You have used all ${error.limit} of your videos for the last 24 hours.${next} Nothing was charged.`;
}

function quotaStatus(status: { remaining: number; limit: number; nextFreeAt: number | null }): string {
	const left = `You have **${status.remaining} of ${status.limit}** videos left in the rolling 24 hours.`;
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
	return [`**${clip.provider}**`, `**${clip.model}**`, ...length].join(' · ');
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
	'credits': 'The video service account is out of credits. The bot’s admins need to top it up.',
	'rate-limited': 'The video service is too busy right now.',
	'unavailable': 'The video service is having trouble right now.',
	'network': 'The video service could not be reached.',
	'malformed': 'The video service gave an answer I could not understand.',
	'generation-failed': 'The video service could not make this clip.',
	'timed-out': 'The video service took too long to make this clip.',
	'too-large': 'The clip came out larger than this server’s upload limit.',
	'outcome-unknown':
		'The request to the video service was cut off before it answered, so I cannot tell whether it was received. To avoid paying twice, I did not send it again; the bot’s admins have been told.',
	'source-unreadable': 'I could not read the clip this one continues from, so I could not take its last frame.',
	'undeliverable': 'Discord refused to post the clip here.',
	'internal': 'Something went wrong while making your clip.',
};

/** The final word on a failed job, given its reason. The quota is always given back before this is shown. */
function failedBecause(reason: string, progress: Progress): string {
	return `❌ ${reason} Your quota was given back.\n${quote(progress.prompt)}`;
}

const buttonLabels = { cancel: 'Cancel', retry: 'Retry', extend: 'Extend', remix: 'Remix', delete: 'Delete' };

/** The `/help` page: what the bot does, the camera language, and quotas. Under 2000 characters. */
function help(settings: { quota: number; provider: string }): string {
	return [
		'**🎬 clapper** makes short AI video clips you direct. `/video prompt:…` queues one; the finished MP4 is posted on the reply.',
		'',
		'**Camera moves** (up to 3 in one bracket run together):',
		'`Truck left/right` `Pan left/right` `Push in` `Pull out` `Pedestal up/down` `Tilt up/down` `Zoom in/out` `Shake` `Tracking shot` `Static shot`',
		'Film words work too: dolly in → Push in, crane up → Pedestal up, handheld → Shake, follow → Tracking shot.',
		'• `camera:` opens the clip: `camera: Truck left, Pan right, Zoom in`',
		'• Brackets at different places are shots that follow each other: `A bear waves [Pedestal up], then turns away [Zoom out]`',
		'• Opposite moves in one bracket (Pan left with Pan right, Static shot with anything) are refused.',
		'',
		'**Images:** `first_frame` starts the clip on your image; `last_frame` ends it there (Hailuo-02); `subject` features a character. PNG, JPEG or WebP, up to 20 MB, short side over 300 px, between 2:5 and 5:2.',
		'',
		'**Buttons:** Cancel while it runs; under a clip, Retry (same settings), Extend (the next shot starts on its last frame), Remix (edit prompt and camera), Delete.',
		'',
		`**Quota:** ${settings.quota} videos per person per rolling 24 hours; \`/quota\` shows what is left. Failed and cancelled jobs give theirs back. Clips are made by ${settings.provider}.`,
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
		`${model.durations.join('/')} s`,
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
	queueUnavailable:
		'The video queue is unavailable right now, so nothing was queued or charged. Please try again in a minute.',
	unexpected: 'Something went wrong on my side and nothing was charged. Please try again in a moment.',
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
	modalPromptLabel: 'Prompt',
	modalCameraLabel: 'Camera moves (up to 3)',
	notYours: (action: string): string =>
		`Only the person who made this clip, or a server admin, can ${action === 'delete' ? 'delete it' : 'cancel it'}. Nothing was changed.`,
	clipUnknown:
		'I no longer have the details of that clip (they are kept for 7 days), so this button cannot be used any more.',
	alreadyFinished: 'That job has already finished, so there is nothing to cancel.',
	cancelled: (progress: Progress, byUserId: string): string =>
		`🛑 Cancelled by <@${byUserId}>. Your quota was given back.\n${quote(progress.prompt)}`,
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
				last_frame: 'An image the clip ends on (models that take one, e.g. Hailuo-02)',
				subject: 'A character reference image to feature in the clip',
				model: 'A specific model; by default the bot picks one that fits your options',
				duration: 'Length in seconds (6 unless the model offers more)',
				resolution: 'Output resolution, where the model offers a choice',
				prompt_optimizer: 'Let the model rewrite the prompt for quality (the provider’s default when unset)',
			},
			seconds: (seconds: number): string => `${seconds} seconds`,
		},
		quota: { description: 'How many videos you have left, and when the next one frees up' },
		help: { description: 'What the bot does, a camera-move cheat sheet, and how quotas work' },
	},
};

/** The shape every language fills in full: a missing or extra text is a compile error. */
export type Sentences = typeof en;
