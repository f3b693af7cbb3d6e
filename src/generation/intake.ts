import { InvalidRequestError, LimitReachedError, QueueUnavailableError, QuotaExceededError } from '../errors.js';
import { jobLogFields, type VideoJobData, type VideoJobs } from '../jobs/index.js';
import type { Logger } from '../log.js';
import { UnsafeUrlError, type DownloadGuard } from '../media/download.js';
import { chooseModel, needOf } from '../providers/plan.js';
import { priceOf, type PriceTable } from '../providers/prices.js';
import type { ModelLists, ProviderName } from '../providers/types.js';
import type { GuildSettingsSnapshot } from '../store/guild-settings.js';
import type { IntakeLog } from '../store/intake.js';
import type { JobRecords } from '../store/job-records.js';
import type { MediaStore } from '../store/media.js';
import { MICROS_PER_USD, toMicros, type Limits, type Quota, type Refusal } from '../store/quota.js';
import { checkAttachmentInfo, fetchAttachmentImage, type AttachmentInfo } from '../video/images.js';
import {
	CLIP_FRAME_TYPE,
	composePrompt,
	IMAGE_TYPES,
	type ClipFrame,
	type ImageRef,
	type Ratio,
	type VideoRequest,
} from '../video/request.js';
import { budgetMicros, budgetOf, effectiveLimit } from './policy.js';
import type { Settle } from './settle.js';

/**
 * Where an input image comes from: a fresh Discord attachment, an image an earlier clip stored
 * (Retry, Remix), or the last frame of a clip, which the worker takes (Extend).
 */
export type ImageSource =
	| { readonly kind: 'attachment'; readonly info: AttachmentInfo }
	| { readonly kind: 'stored'; readonly ref: ImageRef }
	| { readonly kind: 'clip-frame'; readonly clip: ClipFrame };

export const attachment = (info: AttachmentInfo | undefined): ImageSource | undefined =>
	info === undefined ? undefined : { kind: 'attachment', info };

function declaredType(source: ImageSource): string | undefined {
	if (source.kind === 'stored') return source.ref.contentType;
	if (source.kind === 'clip-frame') return CLIP_FRAME_TYPE;
	const type = source.info.contentType;
	return type != null && (IMAGE_TYPES as readonly string[]).includes(type) ? type : undefined;
}

const declared = (source: ImageSource | undefined) =>
	source === undefined ? undefined : { contentType: declaredType(source) };

export interface VideoOptions {
	readonly prompt: string;
	readonly camera?: string | undefined;
	readonly promptOptimizer?: boolean | undefined;
	readonly model?: string | undefined;
	readonly duration?: number | undefined;
	readonly resolution?: string | undefined;
	readonly ratio?: Ratio | undefined;
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
export function checkVideoOptions(provider: ProviderName, options: VideoOptions, lists?: ModelLists): Checked {
	const composed = composePrompt({ prompt: options.prompt, camera: options.camera });
	for (const image of [options.firstFrame, options.lastFrame, options.subject]) {
		if (image?.kind === 'attachment') checkAttachmentInfo(image.info);
	}
	const need = needOf({
		directed: composed.directed,
		duration: options.duration,
		resolution: options.resolution,
		ratio: options.ratio,
		model: options.model,
		firstFrame: declared(options.firstFrame),
		lastFrame: declared(options.lastFrame),
		subject: declared(options.subject),
	});
	return { options, ...composed, model: chooseModel(provider, need, lists).id };
}

/**
 * Refuses, before anything is reserved or shown, an attachment whose link is not on the hosts the
 * guard allows. Redirects and the addresses a name resolves to are checked again as it is fetched.
 */
export async function checkAttachmentLinks(checked: Checked, guard: DownloadGuard): Promise<void> {
	const { firstFrame, lastFrame, subject } = checked.options;
	for (const source of [firstFrame, lastFrame, subject]) {
		if (source?.kind !== 'attachment') continue;
		const { option, url } = source.info;
		const refused = (cause: unknown) => new InvalidRequestError({ kind: 'attachment-host', option }, { cause });
		let parsed: URL;
		try {
			parsed = new URL(url);
		} catch (error) {
			throw refused(error);
		}
		await guard.check(parsed).catch((error: unknown) => {
			throw error instanceof UnsafeUrlError ? refused(error) : error;
		});
	}
}

/** The interaction a job answers, as the intake needs it. */
export interface InteractionFacts {
	readonly id: string;
	readonly applicationId: string;
	readonly token: string;
	readonly channelId: string;
	readonly guildId: string | null;
	readonly userId: string;
	/** The member's roles in the server, which may set their limit. */
	readonly roleIds: readonly string[];
	readonly locale: string;
	readonly createdAt: number;
	readonly attachmentSizeLimit: number;
}

/** The deployment's limits (the configuration); a server's own settings come with each request. */
export interface LimitSettings {
	readonly userDailyQuota: number;
	readonly userMaxQueued: number;
	readonly guildDailyBudget: number | undefined;
	readonly globalDailyCap: number | undefined;
	readonly prices: PriceTable;
}

/** What the intake uses, and nothing more. */
export interface IntakeDeps {
	/** The provider jobs start on; requests are planned against its models. */
	readonly provider: ProviderName;
	/** The operator's allow-lists: the planner picks only from them. */
	readonly models?: ModelLists | undefined;
	readonly limits: LimitSettings;
	readonly quota: Quota;
	readonly intakes: IntakeLog;
	/** This bot process, as named in the reservations it leaves until their jobs are enqueued. */
	readonly owner: string;
	readonly media: MediaStore;
	/** Where attachments may be downloaded from: Discord's attachment hosts only. */
	readonly attachmentGuard: DownloadGuard;
	readonly records: JobRecords;
	readonly jobs: Pick<VideoJobs, 'enqueue' | 'positionForNew'>;
	readonly settle: Settle;
	readonly logger: Logger;
	readonly now?: () => number;
}

/** Every limit that applies to a member of a server, in the form the quota reserves against. */
export function limitsFor(settings: LimitSettings, guild: GuildSettingsSnapshot, facts: InteractionFacts): Limits {
	const budget = budgetOf(guild, settings.guildDailyBudget);
	return {
		user: effectiveLimit(guild, facts, settings.userDailyQuota).limit,
		waiting: settings.userMaxQueued,
		guildClips: budget.clips,
		guildMicros: budgetMicros(budget.dollars),
		global: settings.globalDailyCap ?? null,
	};
}

/** The typed error a refused reservation becomes; the words are in `src/texts/`. */
function refusalError(refusal: Refusal): Error {
	switch (refusal.limit) {
		case 'user':
			return new QuotaExceededError(refusal.max, refusal.nextFreeAt);
		case 'waiting':
			return new LimitReachedError({ kind: 'waiting', max: refusal.max });
		case 'guild-clips':
			return new LimitReachedError({ kind: 'guild-clips', max: refusal.max, nextFreeAt: refusal.nextFreeAt });
		case 'guild-dollars':
			return new LimitReachedError({
				kind: 'guild-dollars',
				maxUsd: refusal.maxMicros / MICROS_PER_USD,
				nextFreeAt: refusal.nextFreeAt,
			});
		case 'global':
			return new LimitReachedError({ kind: 'global', nextFreeAt: refusal.nextFreeAt });
	}
}

/**
 * Takes a unit of the user's quota, the server's budget and the deployment's cap in one step,
 * copies the images, and enqueues the job; a later step that fails rolls the first ones back
 * (through `settle`), so a refused or failed request costs nothing. The reservation is noted as
 * pending until the job is in the queue, so one whose bot died in between is given back. `enqueuedAt`
 * is taken after the queued message is shown, which lets the worker keep its own edits of the same
 * message at least PROGRESS_INTERVAL_MS after it.
 */
export async function enqueueVideo(
	deps: IntakeDeps,
	checked: Checked,
	facts: InteractionFacts,
	/** The server's settings, read when the command arrived. */
	guild: GuildSettingsSnapshot,
	/**
	 * Shows the queued state and returns the reply's message id. It runs before enqueueing, so every
	 * later edit of the message is the worker's.
	 */
	announce: (request: VideoRequest, model: string, position: number) => Promise<string>,
): Promise<{ jobId: string; request: VideoRequest }> {
	const { quota, media, jobs, logger } = deps;
	const now = deps.now ?? Date.now;
	const jobId = facts.id;
	const ids = jobLogFields({ id: facts.id, userId: facts.userId, guildId: facts.guildId });

	const holder = { jobId, userId: facts.userId, guildId: facts.guildId };
	const price = priceOf(deps.limits.prices, deps.provider, checked.model);
	const pending = {
		userId: facts.userId,
		guildId: facts.guildId,
		owner: deps.owner,
		at: now(),
		reply: {
			applicationId: facts.applicationId,
			token: facts.token,
			channelId: facts.channelId,
			locale: facts.locale,
			createdAt: facts.createdAt,
		},
	};
	const reservation = await quota
		.reserve(holder, limitsFor(deps.limits, guild, facts), price === undefined ? 0 : toMicros(price), pending)
		.catch((error: unknown) => {
			throw new QueueUnavailableError({ cause: error });
		});
	if (!reservation.granted) throw refusalError(reservation.refusal);

	const stored: string[] = [];
	try {
		const load = async (source: Exclude<ImageSource, { kind: 'clip-frame' }>) => {
			if (source.kind === 'attachment') return fetchAttachmentImage(source.info, deps.attachmentGuard);
			const data = await media.get(source.ref.key);
			if (data === null) throw new InvalidRequestError({ kind: 'image-gone' });
			return { data, contentType: source.ref.contentType };
		};
		const copy = async (
			slot: 'first_frame' | 'last_frame' | 'subject',
			source: ImageSource | undefined,
		): Promise<ImageRef | undefined> => {
			if (source === undefined || source.kind === 'clip-frame') return undefined;
			const key = media.key(jobId, slot);
			const image = await load(source);
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
			...(options.ratio === undefined ? {} : { ratio: options.ratio }),
			...(firstFrame === undefined ? {} : { firstFrame }),
			...(options.firstFrame?.kind === 'clip-frame' ? { extendsFrom: options.firstFrame.clip } : {}),
			...(lastFrame === undefined ? {} : { lastFrame }),
			...(subject === undefined ? {} : { subject }),
		};
		// The images' real types are known now; a model that refuses one is caught before enqueueing.
		const model = chooseModel(deps.provider, needOf(request), deps.models).id;
		const position = await jobs.positionForNew(facts.userId).catch((error: unknown) => {
			throw new QueueUnavailableError({ cause: error });
		});
		const messageId = await announce(request, model, position);
		await deps.records.save({
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
			interaction: { ...facts, messageId },
			request,
			provider: deps.provider,
			model,
			failedOver: [],
			enqueuedAt: now(),
		};
		await jobs.enqueue(data).catch((error: unknown) => {
			throw new QueueUnavailableError({ cause: error });
		});
		// If this fails, the bot's reaper finds the job in the queue and keeps its unit.
		await deps.intakes
			.enqueued(jobId)
			.catch((error: unknown) => logger.warn({ err: error, ...ids }, 'could not clear a pending intake'));
		logger.info({ ...ids, model }, 'video job enqueued');
		return { jobId, request };
	} catch (error) {
		await deps
			.settle({ jobId, userId: facts.userId, guildId: facts.guildId, imageKeys: stored }, { kind: 'rolled-back' })
			.catch((cause: unknown) => logger.warn({ err: cause, ...ids }, 'could not roll back a refused job'));
		throw error;
	}
}
