import { resultButtons, retryButtons } from '../discord/components.js';
import type { Replies, ReplyTarget } from '../discord/replies.js';
import type { VideoJobData } from '../jobs/index.js';
import type { Logger } from '../log.js';
import type { Download } from '../media/download.js';
import { ProviderError } from '../providers/errors.js';
import { downloadCapped } from '../providers/http.js';
import { promptSent } from '../providers/plan.js';
import { textsFor, type Texts } from '../texts/index.js';
import type { GeneratedVideo } from './generate.js';
import type { ProgressThrottle } from './progress.js';

/** Where a job's answers go: its reply, by the interaction token while it lives, then the bot's. */
export const replyTargetOf = (data: VideoJobData): ReplyTarget => ({
	applicationId: data.interaction.applicationId,
	token: data.interaction.token,
	channelId: data.interaction.channelId,
	userId: data.interaction.userId,
	createdAt: data.interaction.createdAt,
	messageId: data.interaction.messageId,
});

/** The job author's language: every message of the job is in it, from "queued" to the clip. */
export const textsOf = (data: VideoJobData): Texts => textsFor(data.interaction.locale);

/** A refused download link is replaced by a fresh one from the same task at most this often per attempt. */
export const MAX_LINK_REFRESHES = 3;

export interface DeliverDeps {
	readonly replies: Replies;
	readonly now: () => number;
}

/**
 * Brings a made clip to the channel: downloads it (capped at the interaction's upload limit),
 * attaches it to the reply with the result buttons, or posts the provider's link when it is too
 * large to attach. A link refused as expired (401/403/404/410) is asked of the same task again, a
 * few times at most: never a second task, and never taken for a key problem. The bytes go to
 * Discord as they came, sound and all.
 */
export function createDelivery(deps: DeliverDeps) {
	const { replies, now } = deps;

	async function download(
		provider: string,
		video: Extract<GeneratedVideo, { kind: 'url' }>,
		limit: number,
		logger: Logger,
	): Promise<{ download: Download; url: string }> {
		let url = video.url;
		for (let refreshes = 0; ; refreshes++) {
			try {
				return { download: await downloadCapped(provider, url, limit), url };
			} catch (error) {
				const expired = error instanceof ProviderError && error.failure === 'link-expired';
				if (!expired || video.refresh === undefined || refreshes >= MAX_LINK_REFRESHES) throw error;
				logger.warn(
					{ status: error.details.status, refresh: refreshes + 1 },
					'clip link refused; asking the task again',
				);
				url = await video.refresh();
			}
		}
	}

	return async function deliver(
		data: VideoJobData,
		video: GeneratedVideo,
		throttle: ProgressThrottle,
		logger: Logger,
		/** What the clip cost, shown on the result; undefined when unknown. */
		costUsd?: number,
	): Promise<void> {
		const progress = { prompt: promptSent(data.provider, data.model, data.request.prompt), model: data.model };
		const reply = replyTargetOf(data);
		const limit = data.interaction.attachmentSizeLimit;
		const texts = textsOf(data);
		await throttle.show(texts.uploading(progress));
		const provider = data.provider;
		const fetched = video.kind === 'bytes' ? undefined : await download(provider, video, limit, logger);
		const bytes = video.kind === 'bytes' ? video.data : fetched?.download.ok ? fetched.download.data : undefined;
		const elapsed = now() - data.enqueuedAt;
		const id = data.interaction.id;
		if (bytes !== undefined && bytes.length <= limit) {
			const file = { name: 'clip.mp4', data: bytes, contentType: 'video/mp4' };
			const content = texts.done(progress, elapsed, data.interaction.userId, costUsd);
			await throttle.edit(() => replies.deliver(reply, content, file, resultButtons(id, texts)));
			logger.info({ bytes: bytes.length, elapsedMs: elapsed, costUsd }, 'clip delivered');
		} else if (fetched !== undefined) {
			const content = texts.tooLargeToUpload(progress, fetched.url, limit);
			await throttle.edit(() => replies.deliver(reply, content, undefined, retryButtons(id, texts)));
			logger.warn({ limit }, 'clip over the upload limit; sent a link');
		} else {
			throw new ProviderError(provider, 'too-large', `the clip is over this server's ${limit} byte upload limit`);
		}
	};
}
