import type { CommandContext } from '../discord/command.js';
import { QueueUnavailableError, QuotaExceededError } from '../errors.js';
import type { VideoJobData } from '../jobs/index.js';
import { chooseModel } from '../providers/index.js';
import { checkAttachmentInfo, fetchAttachmentImage, type AttachmentInfo } from './images.js';
import { needOf } from './need.js';
import { composePrompt, IMAGE_TYPES, type ImageRef, type VideoRequest } from './request.js';

export interface VideoOptions {
	readonly prompt: string;
	readonly camera?: string | undefined;
	readonly promptOptimizer?: boolean | undefined;
	readonly model?: string | undefined;
	readonly duration?: number | undefined;
	readonly resolution?: string | undefined;
	readonly firstFrame?: AttachmentInfo | undefined;
	readonly lastFrame?: AttachmentInfo | undefined;
	readonly subject?: AttachmentInfo | undefined;
}

export interface Checked {
	readonly options: VideoOptions;
	readonly prompt: string;
	readonly camera: string[];
	readonly directed: boolean;
	readonly model: string;
}

/**
 * Everything that can be checked without I/O, so bad input is refused before the reply is
 * deferred, privately, with nothing spent. Throws `InvalidRequestError`.
 */
export function checkVideoOptions(context: CommandContext, options: VideoOptions): Checked {
	const composed = composePrompt({ prompt: options.prompt, camera: options.camera });
	for (const image of [options.firstFrame, options.lastFrame, options.subject]) {
		if (image !== undefined) checkAttachmentInfo(image);
	}
	const declared = [options.firstFrame, options.lastFrame, options.subject].flatMap((image) =>
		image?.contentType != null && (IMAGE_TYPES as readonly string[]).includes(image.contentType) ? [image.contentType] : [],
	);
	const model = chooseModel(context.config.provider, {
		directed: composed.directed,
		firstFrame: options.firstFrame !== undefined,
		lastFrame: options.lastFrame !== undefined,
		subject: options.subject !== undefined,
		duration: options.duration,
		resolution: options.resolution,
		model: options.model,
		imageTypes: declared,
	}).id;
	return { options, ...composed, model };
}

export interface InteractionFacts {
	readonly id: string;
	readonly applicationId: string;
	readonly token: string;
	readonly channelId: string;
	readonly guildId: string | null;
	readonly userId: string;
	readonly locale: string;
	readonly createdAt: number;
	readonly attachmentSizeLimit: number;
}

/**
 * Takes a unit of the user's quota, copies the images, and enqueues the job, undoing the first
 * steps if a later one fails so that a refused or failed request costs nothing. `enqueuedAt` is
 * taken after the queued message is shown, which lets the worker keep its own edits of the same
 * message at least PROGRESS_INTERVAL_MS after it.
 */
export async function enqueueVideo(
	context: CommandContext,
	checked: Checked,
	facts: InteractionFacts,
	/**
	 * Shows the queued state and returns the reply's message id. It runs before enqueueing, so every
	 * later edit of the message is the worker's.
	 */
	announce: (request: VideoRequest, position: number) => Promise<string>,
) {
	const { quota, media, jobs, logger } = context;
	const jobId = facts.id;

	const reservation = await quota.reserve(facts.userId, jobId).catch((error: unknown) => {
		throw new QueueUnavailableError({ cause: error });
	});
	if (!reservation.granted) throw new QuotaExceededError(reservation.limit, reservation.nextFreeAt);

	const stored: string[] = [];
	try {
		const copy = async (slot: 'first_frame' | 'last_frame' | 'subject', info: AttachmentInfo | undefined): Promise<ImageRef | undefined> => {
			if (info === undefined) return undefined;
			const image = await fetchAttachmentImage(info);
			const key = media.key(jobId, slot);
			await media.put(key, image.data).catch((error: unknown) => {
				throw new QueueUnavailableError({ cause: error });
			});
			stored.push(key);
			return { key, contentType: image.contentType, bytes: image.data.length, filename: slot };
		};
		const { options } = checked;
		const firstFrame = await copy('first_frame', options.firstFrame);
		const lastFrame = await copy('last_frame', options.lastFrame);
		const subject = await copy('subject', options.subject);
		const request: VideoRequest = {
			prompt: checked.prompt,
			camera: checked.camera,
			directed: checked.directed,
			...(options.promptOptimizer === undefined ? {} : { promptOptimizer: options.promptOptimizer }),
			...(options.model === undefined ? {} : { model: options.model }),
			...(options.duration === undefined ? {} : { duration: options.duration }),
			...(options.resolution === undefined ? {} : { resolution: options.resolution.toUpperCase() }),
			...(firstFrame === undefined ? {} : { firstFrame }),
			...(lastFrame === undefined ? {} : { lastFrame }),
			...(subject === undefined ? {} : { subject }),
		};
		const waiting = await jobs.waiting().catch((error: unknown) => {
			throw new QueueUnavailableError({ cause: error });
		});
		const messageId = await announce(request, waiting + 1);
		// The images' real types are known now; a model that refuses one is caught before enqueueing.
		const model = chooseModel(context.config.provider, needOf(request)).id;
		const data: VideoJobData = {
			v: 1,
			interaction: {
				id: facts.id,
				applicationId: facts.applicationId,
				token: facts.token,
				channelId: facts.channelId,
				guildId: facts.guildId,
				userId: facts.userId,
				locale: facts.locale,
				createdAt: facts.createdAt,
				attachmentSizeLimit: facts.attachmentSizeLimit,
				messageId,
			},
			request,
			provider: context.config.provider,
			model,
			failedOver: [],
			enqueuedAt: Date.now(),
		};
		await jobs.enqueue(data).catch((error: unknown) => {
			throw new QueueUnavailableError({ cause: error });
		});
		logger.info({ jobId, userId: facts.userId, guildId: facts.guildId, model: checked.model }, 'video job enqueued');
		return { jobId, request };
	} catch (error) {
		await Promise.allSettled([quota.release(facts.userId, jobId), media.remove(...stored)]);
		throw error;
	}
}
