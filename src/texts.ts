import { InvalidRequestError, QueueUnavailableError, QuotaExceededError, type RequestProblem } from './errors.js';
import { ProviderError, type ProviderFailure } from './providers/errors.js';
import { CAMERA_MOVES } from './video/camera.js';

/**
 * Every sentence a user reads, in one place. Errors become words only here, so no stack trace,
 * key or internal message can reach a channel.
 */

const MAX_QUOTE = 300;

/** Quotes a prompt as a Markdown block, shortened so progress messages stay readable. */
export function quote(prompt: string): string {
	const short = prompt.length > MAX_QUOTE ? `${prompt.slice(0, MAX_QUOTE - 1)}…` : prompt;
	return short
		.split('\n')
		.map((line) => `> ${line}`)
		.join('\n');
}

export function duration(ms: number): string {
	const seconds = Math.max(0, Math.round(ms / 1000));
	const minutes = Math.floor(seconds / 60);
	return minutes > 0 ? `${minutes}m ${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

const inBracket = (bracket: string | undefined) => (bracket === undefined ? '' : `In your prompt’s ${bracket}: `);

/** "a, b and c" / "a, b or c". */
function listing(items: readonly string[], last: 'and' | 'or'): string {
	return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1) ?? ''}`;
}

const relativeTime = (at: number) => `<t:${Math.ceil(at / 1000)}:R>`;

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

export function requestProblem(problem: RequestProblem): string {
	switch (problem.kind) {
		case 'prompt-empty':
			return 'Your prompt is empty. Describe the scene you want, for example `a lighthouse in a storm at dusk`.';
		case 'prompt-too-long':
			return `Your prompt is ${problem.length} characters with its camera moves; the limit is ${problem.max}. Please shorten it.`;
		case 'camera-unknown':
			return `${inBracket(problem.bracket)}“${problem.item}” is not a camera move I know. ${
				problem.suggestion === undefined ? `Pick from: ${CAMERA_MOVES.join(', ')}.` : `Did you mean ${problem.suggestion}?`
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
			const asked = problem.asked.length > 0 ? ` with ${listing(problem.asked, 'and')}` : '';
			const fixes =
				problem.suggestions.length > 0
					? ` What would work: ${listing(problem.suggestions, 'or')}.`
					: problem.models !== undefined
						? ` Its models are: ${problem.models.join(', ')}.`
						: '';
			return `${problem.provider} has no model that makes a clip${asked}.${fixes}`;
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

export function quotaExceeded(error: QuotaExceededError): string {
	if (error.limit === 0) return 'Video generation is switched off for users on this bot.';
	const next = error.nextFreeAt === null ? '' : ` Your next one frees up ${relativeTime(error.nextFreeAt)}.`;
	return `You have used all ${error.limit} of your videos for the last 24 hours.${next} Nothing was charged.`;
}

export function quotaStatus(status: { remaining: number; limit: number; nextFreeAt: number | null }): string {
	const left = `You have **${status.remaining} of ${status.limit}** videos left in the rolling 24 hours.`;
	if (status.nextFreeAt === null) return left;
	return `${left} The next one frees up ${relativeTime(status.nextFreeAt)}.`;
}

export const unexpected =
	'Something went wrong on my side and nothing was charged. Please try again in a moment.';

export interface Progress {
	readonly prompt: string;
	readonly model: string;
}

export function queued(progress: Progress, position: number): string {
	const where = position <= 1 ? 'Next in line.' : `Position **#${position}** in the queue.`;
	return `🎬 Queued. ${where}\n${quote(progress.prompt)}`;
}

export function submitted(progress: Progress): string {
	return `🎬 Submitted to **${progress.model}**. Waiting for the provider…\n${quote(progress.prompt)}`;
}

/** `▰▰▰▱▱▱▱▱▱▱ 30%`; capped below 100 % because an estimate is not a promise. */
export function progressBar(fraction: number, width = 10): string {
	const capped = Math.min(0.95, Math.max(0, fraction));
	const filled = Math.round(capped * width);
	return `${'▰'.repeat(filled)}${'▱'.repeat(width - filled)} ${Math.round(capped * 100)}%`;
}

export function generating(progress: Progress, elapsedMs: number, phase: 'queued' | 'generating', etaMs?: number): string {
	const what = phase === 'queued' ? 'Waiting in the provider’s queue' : 'Generating';
	const head = `🎬 ${what} on **${progress.model}**… ${duration(elapsedMs)} elapsed`;
	if (etaMs === undefined) return `${head}.\n${quote(progress.prompt)}`;
	const left = etaMs - elapsedMs;
	const remaining = left > 0 ? `about ${duration(left)} left` : 'any moment now';
	return `${head}, ${remaining}.\n${progressBar(elapsedMs / etaMs)}\n${quote(progress.prompt)}`;
}

export function uploading(progress: Progress): string {
	return `📤 Uploading the clip…\n${quote(progress.prompt)}`;
}

export function done(progress: Progress, elapsedMs: number, userId: string): string {
	return `✅ <@${userId}>, your clip is ready (**${progress.model}**, ${duration(elapsedMs)}).\n${quote(progress.prompt)}`;
}

export function tooLargeToUpload(progress: Progress, url: string, limit: number): string {
	return (
		`✅ Your clip is ready (**${progress.model}**), but it is larger than this server’s ${megabytes(limit)} upload limit. ` +
		`Download it here within the hour: ${url}\n${quote(progress.prompt)}`
	);
}

const PROVIDER_FAILURES: Readonly<Record<ProviderFailure, string>> = {
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
};

/** The final word on a failed job. The quota is always given back before this is shown. */
export function failed(error: unknown, progress: Progress): string {
	const reason = error instanceof ProviderError ? PROVIDER_FAILURES[error.failure] : 'Something went wrong while making your clip.';
	return `❌ ${reason} Your quota was given back.\n${quote(progress.prompt)}`;
}

/** Words for an error raised while handling a command, before a job exists. */
export function commandError(error: unknown): string {
	if (error instanceof InvalidRequestError) return requestProblem(error.problem);
	if (error instanceof QuotaExceededError) return quotaExceeded(error);
	if (error instanceof QueueUnavailableError) {
		return 'The video queue is unavailable right now, so nothing was queued or charged. Please try again in a minute.';
	}
	return unexpected;
}

const BUTTON_LABELS = { cancel: 'Cancel', retry: 'Retry', extend: 'Extend', remix: 'Remix', delete: 'Delete' } as const;

export const buttonLabel = (action: keyof typeof BUTTON_LABELS): string => BUTTON_LABELS[action];

export const modalTitle = (action: 'remix' | 'extend'): string =>
	action === 'remix' ? 'Remix this clip' : 'Extend from the last frame';

export const modalPromptLabel = 'Prompt';
export const modalCameraLabel = 'Camera moves (up to 3)';

export const notYours = (action: string): string =>
	`Only the person who made this clip, or a server admin, can ${action === 'delete' ? 'delete it' : 'cancel it'}. Nothing was changed.`;

export const clipUnknown =
	'I no longer have the details of that clip (they are kept for 7 days), so this button cannot be used any more.';

export const alreadyFinished = 'That job has already finished, so there is nothing to cancel.';

export function cancelled(progress: Progress, byUserId: string): string {
	return `🛑 Cancelled by <@${byUserId}>. Your quota was given back.\n${quote(progress.prompt)}`;
}

export const cancelling = (progress: Progress): string => `🛑 Cancelling…\n${quote(progress.prompt)}`;

/** The `/help` page: what the bot does, the camera language, and quotas. Under 2000 characters. */
export function help(settings: { quota: number; provider: string }): string {
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
