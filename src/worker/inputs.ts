import { DiscordAPIError } from 'discord.js';
import type { Replies } from '../discord/replies.js';
import type { VideoJob } from '../jobs/index.js';
import type { Logger } from '../log.js';
import { DownloadError, fetchCapped, UnsafeUrlError, type DownloadGuard } from '../media/download.js';
import { FfmpegError } from '../media/ffmpeg.js';
import { lastFrame } from '../media/frames.js';
import type { MediaStore } from '../store/media.js';
import { InvalidRequestError } from '../errors.js';
import { checkImage } from '../video/images.js';
import { CLIP_FRAME_TYPE } from '../video/request.js';

/** Largest clip read back for its last frame: far above any upload limit Discord has. */
const MAX_CLIP_BYTES = 500 * 1024 * 1024;

/** An input the worker prepares itself could not be read, for good (the job cannot go on). */
export class SourceUnreadableError extends Error {
	public override readonly name = 'SourceUnreadableError';
}

export interface InputDeps {
	readonly replies: Replies;
	readonly media: MediaStore;
	readonly attachmentGuard: DownloadGuard;
}

/**
 * Prepares what a job needs before it is submitted and the bot cannot make: Extend's first frame,
 * the last frame of the clip it continues, read from the clip's message (links expire), taken with
 * ffmpeg, checked like an upload and stored with the job. Done once: the job is saved with it.
 * A message or clip that is gone or unreadable is `SourceUnreadableError`; a passing outage throws
 * as it is, and the job's next attempt tries again.
 */
export async function prepareInputs(
	job: VideoJob,
	deps: InputDeps,
	signal: AbortSignal,
	logger: Logger,
): Promise<void> {
	const { request } = job.data;
	const from = request.extendsFrom;
	if (from === undefined || request.firstFrame !== undefined) return;
	let frame: Buffer;
	try {
		const attachments = await deps.replies.attachments(from.channelId, from.messageId);
		const clip = attachments.find(
			(file) => file.content_type?.startsWith('video/') ?? /\.(mp4|webm|mov)$/i.test(file.filename),
		);
		if (clip === undefined) throw new SourceUnreadableError('the clip message has no video');
		const download = await fetchCapped(clip.url, MAX_CLIP_BYTES, { signal, guard: deps.attachmentGuard });
		if (!download.ok) throw new SourceUnreadableError('the clip is too large to read');
		frame = await lastFrame(download.data);
		checkImage('first_frame', frame);
	} catch (error) {
		const gone =
			(error instanceof DiscordAPIError && error.status >= 400 && error.status < 500) ||
			(error instanceof DownloadError && error.status !== undefined && error.status < 500) ||
			(error instanceof FfmpegError && error.failure === 'failed') ||
			// A link off Discord's attachment hosts is never fetched, now or on a later attempt.
			error instanceof UnsafeUrlError ||
			error instanceof InvalidRequestError;
		if (gone)
			throw new SourceUnreadableError(`could not take the last frame of clip ${from.interactionId}`, { cause: error });
		throw error;
	}
	const key = deps.media.key(job.data.interaction.id, 'first_frame');
	await deps.media.put(key, frame);
	await job.save({
		request: {
			...request,
			firstFrame: { key, contentType: CLIP_FRAME_TYPE, bytes: frame.length, filename: 'first_frame' },
		},
	});
	logger.info(
		{ extendsFrom: from.interactionId, bytes: frame.length },
		'took the first frame from the clip it extends',
	);
}
