import { setTimeout as sleep } from 'node:timers/promises';
import { carriesClipOf, linkButtons, resultButtons } from '../discord/components.js';
import {
	currentMessageOf,
	customIdsOf,
	discordFailure,
	jumpLink,
	ReplyError,
	type Delivery,
	type OutgoingMessage,
	type ReplyFile,
	type SeenMessage,
} from '../discord/replies.js';
import type { VideoJob, VideoJobData } from '../jobs/index.js';
import type { Logger } from '../log.js';
import { fitForDiscord, type Fitted } from '../media/fit.js';
import { UnreadableVideoError } from '../media/probe.js';
import { CATALOG } from '../providers/catalog.js';
import { ProviderError } from '../providers/errors.js';
import { downloadCapped } from '../providers/http.js';
import { promptSent } from '../providers/plan.js';
import type { JobRecords } from '../store/job-records.js';
import type { Sequences } from '../store/sequences.js';
import { textsFor, type FinishedClip, type Texts } from '../texts/index.js';
import { clipFileName } from '../video/file-name.js';
import type { GeneratedVideo } from './generate.js';
import type { JobMessage } from './job-message.js';

/** Largest clip read from a provider: far above any upload limit. A larger one is only linked. */
const MAX_SOURCE_BYTES = 256 * 1024 * 1024;
/** Uploads tried when Discord's answer is lost (a 5xx, a time-out), each after looking for the clip. */
const UPLOAD_ATTEMPTS = 3;
/** A refused download link is replaced by a fresh one from the same task at most this often per attempt. */
export const MAX_LINK_REFRESHES = 3;
/** Downloads tried when the file host is busy or down (429, 5xx, no answer), per link. */
export const DOWNLOAD_ATTEMPTS = 4;
/** The first wait after a busy file host, doubling; never shorter than its Retry-After. */
const DOWNLOAD_BACKOFF_MS = 1_000;
/** The longest Retry-After a download waits out; past it, the job's next attempt fetches the clip. */
const DOWNLOAD_WAIT_MAX_MS = 60_000;

/** The job author's language: every message of the job is in it, from "queued" to the clip. */
export const textsOf = (data: VideoJobData): Texts => textsFor(data.interaction.locale);

/** True for a message that carries this job's clip or its link (a delivery that already landed). */
export const carriesClip =
	(jobId: string) =>
	(message: SeenMessage): boolean =>
		carriesClipOf(jobId, customIdsOf(message.components));

export interface DeliverDeps {
	readonly records: JobRecords;
	/** Whether the clip's channel has an active sequence: then it carries Add to sequence. */
	readonly sequences: Pick<Sequences, 'active'>;
	readonly now: () => number;
}

/** A job that posts one file: it remembers that an upload began, and under which name. */
export interface UploadingJob {
	readonly data: { readonly delivery?: { startedAt: number; fileName: string } | null | undefined };
	save(patch: { delivery: { startedAt: number; fileName: string } }): Promise<void>;
}

/**
 * Uploads a job's file, once. The job remembers that an upload began, so a worker that resumes it
 * after a crash looks for the file first (`isOurs` recognises it); an upload whose answer is lost
 * here is looked for too.
 */
export async function uploadOnce(
	job: UploadingJob,
	message: JobMessage,
	outgoing: OutgoingMessage,
	file: ReplyFile,
	isOurs: (message: SeenMessage) => boolean,
	now: () => number,
	logger: Logger,
): Promise<Delivery> {
	const startedAt = job.data.delivery?.startedAt ?? now();
	await job.save({ delivery: { startedAt, fileName: file.name } });
	await message.supersede();
	for (let attempt = 1; ; attempt++) {
		try {
			const delivery = await message.replies.deliver(message.target, outgoing, file, message.routing);
			await message.adopt(delivery.target);
			return delivery;
		} catch (error) {
			await message.adoptFrom(error);
			if (discordFailure(error) !== 'outcome-unknown' || attempt >= UPLOAD_ATTEMPTS) throw error;
			logger.warn({ err: error, attempt }, 'no answer to the upload; looking for it before sending it again');
			const found = await message.replies.find(message.target, isOurs, startedAt);
			if (found !== undefined) return { kind: 'delivered', target: message.target, messageId: found.id };
			await sleep(1_000 * 2 ** attempt);
		}
	}
}

/** The container a file that ffprobe cannot read seems to be, from its first bytes. */
function sniffed(data: Buffer): { extension: string; contentType: string } {
	if (data.subarray(4, 8).toString('latin1') === 'ftyp') return { extension: 'mp4', contentType: 'video/mp4' };
	if (data.length >= 4 && data.readUInt32BE(0) === 0x1a45dfa3) return { extension: 'webm', contentType: 'video/webm' };
	return { extension: 'bin', contentType: 'application/octet-stream' };
}

/**
 * Brings a made clip to the channel, once: downloads it, makes it fit and play inline
 * (`media/fit.ts`), and posts it where the job's message is (`discord/replies.ts` picks the
 * route). An upload whose outcome is lost is looked for before it is sent again; a channel that
 * refuses files still gets the clip to its author; a clip nothing can fit is linked.
 */
export function createDelivery(deps: DeliverDeps) {
	const { records, now } = deps;

	function finished(data: VideoJobData, seconds: number | undefined, costUsd: number | undefined): FinishedClip {
		return {
			// The exact text the provider got (H3 reads camera moves as prose).
			prompt: promptSent(data.provider, data.model, data.request.prompt),
			model: data.model,
			provider: CATALOG[data.provider].label,
			camera: data.request.camera,
			seconds,
			elapsedMs: now() - data.enqueuedAt,
			costUsd,
		};
	}

	/**
	 * The clip's bytes (undefined when it is too large to read at all) and the link it came from.
	 * A link refused as expired (401/403/404/410) is asked of the same task again, a few times at
	 * most: never a second task, and never taken for a key problem.
	 */
	async function obtain(
		data: VideoJobData,
		video: GeneratedVideo,
		signal: AbortSignal,
		logger: Logger,
	): Promise<{ bytes: Buffer | undefined; url: string | undefined }> {
		if (video.kind === 'bytes') return { bytes: video.data, url: undefined };
		let url = video.url;
		for (let refreshes = 0, tries = 1; ;) {
			try {
				const download = await downloadCapped(data.provider, url, MAX_SOURCE_BYTES, signal);
				return { bytes: download.ok ? download.data : undefined, url };
			} catch (error) {
				if (!(error instanceof ProviderError)) throw error;
				const asked = error.details.retryAfterMs ?? 0;
				if (error.retryable && error.failure !== 'link-expired' && tries < DOWNLOAD_ATTEMPTS) {
					if (asked > DOWNLOAD_WAIT_MAX_MS) throw error;
					// A busy or failing file host: the same link again, after the wait it asked for.
					const wait = Math.max(asked, DOWNLOAD_BACKOFF_MS * 2 ** (tries - 1));
					logger.warn({ status: error.details.status, try: tries, waitMs: wait }, 'clip download failed; trying again');
					tries++;
					await sleep(wait, undefined, { signal });
					continue;
				}
				const expired = error.failure === 'link-expired';
				if (!expired || video.refresh === undefined || refreshes >= MAX_LINK_REFRESHES) throw error;
				refreshes++;
				tries = 1;
				logger.warn({ status: error.details.status, refresh: refreshes }, 'clip link refused; asking the task again');
				url = await video.refresh();
			}
		}
	}

	/** A text in place of the clip (its link), as final as the clip would be. */
	async function postText(job: VideoJob, message: JobMessage, outgoing: OutgoingMessage): Promise<boolean> {
		const startedAt = job.data.delivery?.startedAt ?? now();
		await job.save({ delivery: { startedAt, fileName: 'link' } });
		return message.say(outgoing);
	}

	/**
	 * The channel refused the upload (its Attach Files permission was taken away mid-job). The clip
	 * still reaches its author: by direct message when they accept them, a note only they see
	 * naming the permission, and a message in the channel with a link that plays it.
	 */
	async function withoutUpload(
		job: VideoJob,
		message: JobMessage,
		clip: FinishedClip,
		file: ReplyFile,
		url: string | undefined,
		logger: Logger,
	): Promise<void> {
		const { data } = job;
		const texts = textsOf(data);
		const target = message.target;
		const where = jumpLink(target, currentMessageOf(target) ?? target.originalId);
		const dmLink = await message.replies.sendDirect(target, { content: texts.directClip(clip, where) }, file);
		const link = url ?? dmLink;
		const onlyPrivately = dmLink === undefined && link === undefined;
		const told = await message.replies.tellPrivately(
			target,
			{ content: texts.cannotAttach(target.channelId, { dm: dmLink !== undefined, link }) },
			onlyPrivately ? file : undefined,
		);
		if (onlyPrivately && !told) {
			throw new ReplyError('forbidden', message.target, { cause: new Error('no way to reach the author') });
		}
		const how = { dm: dmLink !== undefined, link, privately: onlyPrivately };
		const userId = data.interaction.userId;
		const publicly = {
			content: texts.doneElsewhere(clip, userId, how),
			components: linkButtons(data.interaction.id, texts),
		};
		const posted = await postText(job, message, publicly);
		logger.warn(
			{ dm: how.dm, link: link !== undefined, privately: onlyPrivately, posted },
			'the channel refused the upload (Attach Files); the clip reached its author another way',
		);
	}

	return async function deliver(
		job: VideoJob,
		video: GeneratedVideo,
		message: JobMessage,
		shutdown: AbortSignal,
		logger: Logger,
		/** What the clip cost, shown on the result message. */
		costUsd?: number,
	): Promise<void> {
		const { data } = job;
		const texts = textsOf(data);
		const progress = { prompt: promptSent(data.provider, data.model, data.request.prompt), model: data.model };
		const limit = data.interaction.attachmentSizeLimit;
		const id = data.interaction.id;
		const userId = data.interaction.userId;
		message.show(texts.uploading(progress));

		const { bytes, url } = await obtain(data, video, shutdown, logger);
		let fitted: Fitted | undefined;
		let file: ReplyFile | undefined;
		const description = data.request.prompt;
		if (bytes !== undefined) {
			try {
				fitted = await fitForDiscord(bytes, {
					limit,
					signal: shutdown,
					onEncode: () => message.show(texts.fitting(progress, limit)),
				});
			} catch (error) {
				if (!(error instanceof UnreadableVideoError)) throw error;
				// Unreadable here may still play somewhere: a paid clip that fits goes out as it came.
				logger.warn({ err: error, bytes: bytes.length }, 'ffprobe cannot read the clip; sending it as it came');
				if (bytes.length <= limit) {
					const kind = sniffed(bytes);
					const name = clipFileName(data.request.prompt, kind.extension);
					file = { name, data: bytes, contentType: kind.contentType, description };
				}
			}
		}
		if (fitted?.kind === 'as-is' && bytes !== undefined) {
			file = { name: clipFileName(data.request.prompt), data: bytes, contentType: 'video/mp4', description };
		} else if (fitted?.kind === 'encoded') {
			file = { name: clipFileName(data.request.prompt), data: fitted.data, contentType: 'video/mp4', description };
			logger.info(
				{ reason: fitted.reason, from: bytes?.length, to: fitted.data.length, ms: fitted.ms, limit },
				'clip re-encoded for Discord',
			);
		}
		const seconds =
			fitted?.kind === 'encoded'
				? fitted.probe.durationS
				: fitted?.kind === 'as-is'
					? fitted.probe.durationS
					: undefined;
		const clip = finished(data, seconds, costUsd);

		if (file === undefined) {
			// Nothing fits at a watchable quality (or it is too large to read): its link, the unit spent.
			if (url === undefined) {
				throw new ProviderError(data.provider, 'too-large', `the clip cannot fit this server's ${limit} byte limit`);
			}
			const content = texts.tooLargeToUpload(clip, userId, url, limit);
			await postText(job, message, { content, components: linkButtons(id, texts) });
			logger.warn(
				{ limit, bytes: bytes?.length, reason: fitted?.kind === 'unfittable' ? fitted.reason : 'too-large-to-read' },
				'clip cannot fit; sent its link',
			);
			return;
		}

		// Anyone may add it to the channel's sequence, if one is active when it lands.
		const inSequence = await deps.sequences.active(data.interaction.channelId).then(
			(active) => active !== undefined,
			(error: unknown) => {
				logger.warn({ err: error }, 'could not tell whether the channel has a sequence');
				return false;
			},
		);
		const outgoing = { content: texts.done(clip, userId), components: resultButtons(id, texts, inSequence) };
		const delivery = await uploadOnce(job, message, outgoing, file, carriesClip(id), now, logger);
		if (delivery.kind === 'delivered') {
			// Extend reads the clip from its message: it may not be the command's reply.
			await records.setMessage(id, delivery.messageId);
			logger.info(
				{ bytes: file.data.length, elapsedMs: clip.elapsedMs, messageId: delivery.messageId, costUsd },
				'clip delivered',
			);
			return;
		}
		if (delivery.kind === 'forbidden') return withoutUpload(job, message, clip, file, url, logger);
		// Discord holds the file over the limit it gave us: only a link can still reach the channel.
		if (url === undefined) {
			throw new ProviderError(data.provider, 'too-large', `Discord refused ${file.data.length} bytes as too large`);
		}
		await postText(job, message, {
			content: texts.tooLargeToUpload(clip, userId, url, limit),
			components: linkButtons(id, texts),
		});
	};
}
