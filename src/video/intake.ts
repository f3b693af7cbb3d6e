import type { CommandContext } from '../discord/command.js';
import { QueueUnavailableError, QuotaExceededError } from '../errors.js';
import type { VideoJobData } from '../jobs/index.js';
import { chooseModel } from '../providers/index.js';
import { InvalidRequestError } from '../errors.js';
import { checkAttachmentInfo, checkImage, fetchAttachmentImage, sniffImageType, type AttachmentInfo } from './images.js';
import { needOf } from './need.js';
import { composePrompt, IMAGE_TYPES, type ImageRef, type VideoRequest } from './request.js';

/**
 * Where an input image comes from: a fresh Discord attachment, an image an earlier clip stored
 * (Retry, Remix), or bytes the bot made (Extend's last frame).
 */
export type ImageSource =
	| { readonly kind: 'attachment'; readonly info: AttachmentInfo }
	| { readonly kind: 'stored'; readonly ref: ImageRef }
	| { readonly kind: 'bytes'; readonly option: string; readonly data: Buffer };

export const attachment = (info: AttachmentInfo | undefined): ImageSource | undefined =>
	info === undefined ? undefined : { kind: 'attachment', info };

function declaredType(source: ImageSource): string | undefined {
	if (source.kind === 'stored') return source.ref.contentType;
	if (source.kind === 'bytes') return sniffImageType(source.data);
	const type = source.info.contentType;
	return type != null && (IMAGE_TYPES as readonly string[]).includes(type) ? type : undefined;
}

export interface VideoOptions {
	readonly prompt: string;
	readonly camera?: string | undefined;
	readonly promptOptimizer?: boolean | undefined;
	readonly model?: string | undefined;
	readonly duration?: number | undefined;
	readonly resolution?: string | undefined;
	readonly firstFrame?: ImageSource | undefined;
	readonly lastFrame?: ImageSource | undefined;
	readonly subject?: ImageSource | undefined;
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
	const images = [options.firstFrame, options.lastFrame, options.subject].filter((image) => image !== undefined);
	for (const image of images) if (image.kind === 'attachment') checkAttachmentInfo(image.info);
	const declared = images.flatMap((image) => declaredType(image) ?? []);
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
	announce: (request: VideoRequest, model: string, position: number) => Promise<string>,
) {
	const { quota, media, jobs, logger } = context;
	const jobId = facts.id;

	const reservation = await quota.reserve(facts.userId, jobId).catch((error: unknown) => {
		throw new QueueUnavailableError({ cause: error });
	});
	if (!reservation.granted) throw new QuotaExceededError(reservation.limit, reservation.nextFreeAt);

	const stored: string[] = [];
	try {
		const copy = async (slot: 'first_frame' | 'last_frame' | 'subject', source: ImageSource | undefined): Promise<ImageRef | undefined> => {
			if (source === undefined) return undefined;
			const key = media.key(jobId, slot);
			const image = await load(source);
			await media.put(key, image.data).catch((error: unknown) => {
				throw new QueueUnavailableError({ cause: error });
			});
			stored.push(key);
			return { key, contentType: image.contentType, bytes: image.data.length, filename: slot };
		};
		const load = async (source: ImageSource) => {
			if (source.kind === 'attachment') return fetchAttachmentImage(source.info);
			if (source.kind === 'bytes') return checkedBytes(source.option, source.data);
			const data = await media.get(source.ref.key);
			if (data === null) throw new InvalidRequestError({ kind: 'image-gone' });
			return { data, contentType: source.ref.contentType };
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
		// The images' real types are known now; a model that refuses one is caught before enqueueing.
		const model = chooseModel(context.config.provider, needOf(request)).id;
		const position = await jobs.positionForNew().catch((error: unknown) => {
			throw new QueueUnavailableError({ cause: error });
		});
		const messageId = await announce(request, model, position);
		await context.records.save({
			interactionId: facts.id,
			userId: facts.userId,
			guildId: facts.guildId,
			channelId: facts.channelId,
			messageId,
			request,
			model,
			state: 'queued',
			locale: facts.locale,
		});
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

/** Images the bot made itself (Extend's last frame) pass the same checks as uploads. */
function checkedBytes(option: string, data: Buffer) {
	return { data, contentType: checkImage(option, data).type };
}
