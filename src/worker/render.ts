import { DiscordAPIError } from 'discord.js';
import { discordFailure, type Replies, type SeenMessage } from '../discord/replies.js';
import {
	isHandOver,
	jobLogFields,
	PermanentJobError,
	type RenderJob,
	type RenderJobData,
	type RenderShot,
} from '../jobs/index.js';
import type { Logger } from '../log.js';
import { DownloadError, fetchCapped, UnsafeUrlError, type DownloadGuard } from '../media/download.js';
import { fitForDiscord } from '../media/fit.js';
import { probeVideo, UnreadableVideoError } from '../media/probe.js';
import { FilmTooLargeError, stitchShots, type ShotFile } from '../media/stitch.js';
import type { JobRecords } from '../store/job-records.js';
import type { MessageEdits } from '../store/message-edits.js';
import { textsFor, type SkippedShot, type Texts } from '../texts/index.js';
import { clipFileName } from '../video/file-name.js';
import { uploadOnce } from './deliver.js';
import { JobMessage, type MessageLook } from './job-message.js';

/** Largest clip read back for a render: far above any upload limit Discord has. */
const MAX_SHOT_BYTES = 500 * 1024 * 1024;

export interface RenderDeps {
	readonly replies: Replies;
	/** Where shots may be downloaded from (Discord's attachment hosts). */
	readonly attachmentGuard: DownloadGuard;
	readonly edits: MessageEdits;
	readonly records: Pick<JobRecords, 'settlement'>;
	readonly logger: Logger;
	readonly progressIntervalMs: number;
	readonly now?: () => number;
}

type RenderFailure = 'too-large' | 'undeliverable' | 'internal';

/** What a render's failure means: only our own trouble (an outage, a crash) is worth another attempt. */
function classify(error: unknown): RenderFailure {
	if (error instanceof FilmTooLargeError) return 'too-large';
	const failure = discordFailure(error);
	if (failure === 'too-large') return 'too-large';
	// Discord refused for good (a 4xx); an unknown outcome, an outage or our own trouble is tried again.
	return failure === 'outcome-unknown' ? 'internal' : 'undeliverable';
}

const look = (data: RenderJobData, texts: Texts): MessageLook => ({
	moved: (jump) => texts.sequence.renderMoved(data.title, jump),
	components: [],
});

/**
 * A film's message: the render's own file name, on the render's reply, on the message it moved
 * to, or on one posted anew for it (replying to the reply, or a follow-up of its interaction).
 */
const carriesFilm =
	(data: RenderJobData, fileName: string) =>
	(seen: SeenMessage): boolean =>
		seen.attachments.some((file) => file.filename === fileName) &&
		(seen.id === data.interaction.messageId ||
			seen.id === data.reply?.movedTo ||
			seen.message_reference?.message_id === data.interaction.messageId ||
			seen.interaction_metadata?.id === data.interaction.id);

/** Each rendered shot's author, once, in order of their first shot. */
const authorsOf = (shots: readonly RenderShot[]): string[] => [...new Set(shots.map((shot) => shot.authorId))];

/**
 * A sequence's render, on the same queue and the same delivery path as clips: each shot read again
 * from its clip's message (links expire; a deleted one is skipped and named), stitched
 * (`media/stitch.ts`), made to fit the render interaction's upload limit (`media/fit.ts`) and
 * posted once on the reply, or anew once its token is past use. No provider and no quota take part.
 * A worker that dies mid-render leaves the job to another, which looks for a film already posted
 * before making it again.
 */
export function createRenderer(deps: RenderDeps) {
	const now = deps.now ?? Date.now;
	const messageDeps = {
		replies: deps.replies,
		edits: deps.edits,
		records: deps.records,
		progressIntervalMs: deps.progressIntervalMs,
	};

	/** The shot's clip, read from its message now; or why it is left out. */
	async function readShot(
		shot: RenderShot,
		lastAttempt: boolean,
		signal: AbortSignal,
		logger: Logger,
	): Promise<ShotFile | SkippedShot['reason']> {
		try {
			const attachments = await deps.replies.attachments(shot.channelId, shot.messageId);
			const clip = attachments.find(
				(file) => file.content_type?.startsWith('video/') ?? /\.(mp4|webm|mov)$/i.test(file.filename),
			);
			if (clip === undefined) return 'no-clip';
			const download = await fetchCapped(clip.url, MAX_SHOT_BYTES, { signal, guard: deps.attachmentGuard });
			if (!download.ok) return 'download';
			return { data: download.data, probe: await probeVideo(download.data, { signal }) };
		} catch (error) {
			if (signal.aborted) throw error;
			if (discordFailure(error) === 'message-gone') return 'deleted';
			if (error instanceof UnreadableVideoError) return 'unreadable';
			if (error instanceof UnsafeUrlError) return 'download';
			const refused =
				(error instanceof DiscordAPIError && error.status < 500) ||
				(error instanceof DownloadError && error.status !== undefined && error.status < 500);
			if (refused) return error instanceof DownloadError ? 'download' : 'unreadable';
			// A passing outage: the next attempt reads it again; the last one goes on without it.
			if (!lastAttempt) throw error;
			logger.warn({ err: error, position: shot.position }, 'could not read a shot on the last attempt; skipping it');
			return 'download';
		}
	}

	/** A film posted before a crash (the upload's answer lost) is never posted again. */
	async function postedBefore(job: RenderJob, message: JobMessage, logger: Logger): Promise<boolean> {
		const delivery = job.data.delivery;
		if (delivery == null) return false;
		const found = await message.replies.find(
			message.target,
			carriesFilm(job.data, delivery.fileName),
			delivery.startedAt,
		);
		if (found !== undefined) logger.info({ messageId: found.id }, 'the film had been posted before the crash');
		return found !== undefined;
	}

	async function render(job: RenderJob, message: JobMessage, texts: Texts, signal: AbortSignal, logger: Logger) {
		const { data } = job;
		const { title, shots } = data;
		const limit = data.interaction.attachmentSizeLimit;
		const files: ShotFile[] = [];
		const rendered: RenderShot[] = [];
		const skipped: SkippedShot[] = [];
		for (const [index, shot] of shots.entries()) {
			message.show(texts.sequence.renderReading(title, index + 1, shots.length));
			const read = await readShot(shot, job.lastAttempt, signal, logger);
			if (typeof read === 'string') {
				logger.info({ position: shot.position, clipId: shot.clipId, reason: read }, 'shot skipped');
				skipped.push({ position: shot.position, reason: read });
			} else {
				files.push(read);
				rendered.push(shot);
			}
		}
		if (files.length === 0) {
			await message.tell({ content: texts.sequence.renderNothing(title, skipped), components: [] });
			logger.info({ skipped: skipped.length }, 'no shot left to render; nothing posted');
			return;
		}

		message.show(texts.sequence.renderStitching(title, 0));
		const film = await stitchShots(files, {
			transition: data.transition,
			limit,
			signal,
			onProgress: (fraction) => message.show(texts.sequence.renderStitching(title, fraction)),
		});
		// Almost always as it is: the stitch aimed at the limit already.
		const fitted = await fitForDiscord(film.data, { limit, signal });
		if (fitted.kind === 'unfittable') throw new FilmTooLargeError(`the film cannot fit ${limit} bytes`);
		const bytes = fitted.kind === 'encoded' ? fitted.data : film.data;
		const probe = fitted.kind === 'encoded' ? fitted.probe : film.probe;
		logger.info(
			{ shots: files.length, skipped: skipped.length, bytes: bytes.length, seconds: probe.durationS, ms: film.ms },
			'film stitched',
		);

		message.show(texts.sequence.renderUploading(title));
		const content = texts.sequence.renderDone({
			title,
			shots: files.length,
			seconds: probe.durationS,
			transition: data.transition,
			authors: authorsOf(rendered),
			skipped,
		});
		const file = { name: clipFileName(title), data: bytes, contentType: 'video/mp4', description: title };
		const delivery = await uploadOnce(
			job,
			message,
			{ content, components: [] },
			file,
			carriesFilm(job.data, file.name),
			now,
			logger,
		);
		if (delivery.kind !== 'delivered') {
			const failure = delivery.kind === 'too-large' ? 'too-large' : 'undeliverable';
			await message.tell({ content: texts.sequence.renderFailed(title, failure), components: [] });
			logger.warn({ delivery: delivery.kind }, 'Discord refused the film');
			return;
		}
		logger.info({ messageId: delivery.messageId, elapsedMs: now() - data.enqueuedAt }, 'film posted');
	}

	async function process(job: RenderJob, shutdown: AbortSignal): Promise<void> {
		const { data } = job;
		const logger = deps.logger.child({ ...jobLogFields(data.interaction, 'render'), sequenceId: data.sequenceId });
		const texts = textsFor(data.interaction.locale);
		const message = await JobMessage.open(job, messageDeps, logger, look(data, texts));
		try {
			if (shutdown.aborted) return await job.handBack();
			if (await postedBefore(job, message, logger)) return;
			await render(job, message, texts, shutdown, logger);
		} catch (error) {
			if (isHandOver(error)) throw error;
			if (shutdown.aborted) {
				logger.info('shutting down; handing the render back to the queue');
				await message.supersede();
				return await job.handBack();
			}
			const failure = classify(error);
			if (failure === 'internal' && !job.lastAttempt) {
				logger.warn({ err: error }, 'render attempt failed; will retry');
				await message.supersede();
				throw error;
			}
			logger.error({ err: error, failure }, 'render failed');
			await message
				.tell({ content: texts.sequence.renderFailed(data.title, failure), components: [] })
				.catch((cause: unknown) => logger.warn({ err: cause }, 'could not say that the render failed'));
			throw new PermanentJobError(error);
		} finally {
			await message.supersede();
		}
	}

	/** For renders that failed without a processor running (they stalled too often). */
	async function abandon(data: RenderJobData, error: Error): Promise<void> {
		const logger = deps.logger.child({ ...jobLogFields(data.interaction, 'render'), sequenceId: data.sequenceId });
		logger.error({ err: error }, 'render abandoned after repeated stalls');
		let current = data;
		const handle: RenderJob = {
			id: data.interaction.id,
			get data() {
				return current;
			},
			lastAttempt: true,
			save: async (patch) => {
				current = { ...current, ...patch };
			},
			handBack: () => Promise.reject(new Error('an abandoned render cannot be handed back')),
			postpone: () => Promise.reject(new Error('an abandoned render cannot be postponed')),
		};
		const texts = textsFor(data.interaction.locale);
		const message = await JobMessage.open(handle, messageDeps, logger, look(data, texts));
		await message.tell({ content: texts.sequence.renderFailed(data.title, 'internal'), components: [] });
	}

	return { process, abandon };
}
