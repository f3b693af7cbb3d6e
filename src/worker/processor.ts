import { DiscordAPIError } from 'discord.js';
import type { AdminAlerts } from '../discord/admin-alerts.js';
import { progressButtons, retryButtons } from '../discord/components.js';
import type { Replies } from '../discord/replies.js';
import { FAILURE_POLICY, type FailureClass } from '../failures.js';
import { imageKeysOf, type Reopen, type Settle, type Settled } from '../generation/settle.js';
import { isHandOver, PermanentJobError, type VideoJob, type VideoJobData } from '../jobs/index.js';
import type { Logger } from '../log.js';
import { CATALOG } from '../providers/catalog.js';
import { ProviderError } from '../providers/errors.js';
import { promptSent } from '../providers/plan.js';
import { priceOf, type PriceTable } from '../providers/prices.js';
import type { ModelLists, ProviderName, VideoProvider } from '../providers/types.js';
import type { EtaBook } from '../store/eta.js';
import type { JobRecords } from '../store/job-records.js';
import type { MediaStore } from '../store/media.js';
import type { MessageEdits } from '../store/message-edits.js';
import type { Admit } from './admission.js';
import { createDelivery, replyTargetOf, textsOf } from './deliver.js';
import { CancelledError, createGenerator, type GenerationProgress } from './generate.js';
import { prepareInputs, SourceUnreadableError } from './inputs.js';
import { ProgressThrottle } from './progress.js';

export interface ProcessorDeps {
	/** The providers of the chain, in failover order. */
	readonly providers: ReadonlyMap<ProviderName, VideoProvider>;
	/** The operator's allow-lists (`<PROVIDER>_MODELS`); failover stays within them. */
	readonly models?: ModelLists | undefined;
	readonly replies: Replies;
	readonly media: MediaStore;
	readonly settle: Settle;
	readonly reopen: Reopen;
	/** Whether a job not yet at its provider may start now (paused server, user's running jobs). */
	readonly admit: Admit;
	/** What a clip costs when its provider does not say. */
	readonly prices: PriceTable;
	readonly alerts: AdminAlerts;
	readonly records: JobRecords;
	readonly edits: MessageEdits;
	readonly eta: EtaBook;
	readonly logger: Logger;
	readonly pollIntervalMs: number;
	readonly progressIntervalMs: number;
	readonly generationTimeoutMs: number;
	readonly now?: () => number;
}

/** The failure class of anything a job can throw. */
export function classify(error: unknown): FailureClass {
	if (error instanceof ProviderError) return error.failure;
	if (error instanceof SourceUnreadableError) return 'source-unreadable';
	if (error instanceof DiscordAPIError && error.status >= 400 && error.status < 500) return 'undeliverable';
	return 'internal';
}

/** What a job's messages show: the prompt exactly as its model receives it, and the model. */
const shownOf = (data: VideoJobData) => ({
	prompt: promptSent(data.provider, data.model, data.request.prompt),
	model: data.model,
});

const settledOf = (data: VideoJobData): Settled => ({
	jobId: data.interaction.id,
	userId: data.interaction.userId,
	guildId: data.interaction.guildId,
	imageKeys: imageKeysOf(data.request),
});

/**
 * One job from start to end, as a sequence: prepare its inputs (`inputs.ts`), generate
 * (`generate.ts`), deliver (`deliver.ts`), settle (`settle`), or hand the job back when the
 * worker shuts down. How each failure ends is
 * the failure policy's decision (`src/failures.ts`).
 */
export function createProcessor(deps: ProcessorDeps) {
	const now = deps.now ?? Date.now;
	const { replies, alerts, records, edits, settle } = deps;
	const generator = createGenerator({ ...deps, now });
	const deliver = createDelivery({ replies, now });

	/** Settles a failed job, tells the admins when the policy says so, and tells the user. */
	async function fail(
		data: VideoJobData,
		failure: FailureClass,
		logger: Logger,
		throttle?: ProgressThrottle,
	): Promise<void> {
		await settle(settledOf(data), { kind: 'failed', failure });
		const alert = FAILURE_POLICY[failure].alert;
		if (alert?.scope === 'job') {
			await alerts.once(
				`${failure}:${data.interaction.id}`,
				alert.says(CATALOG[data.provider].label, data.interaction.id),
			);
		}
		const texts = textsOf(data);
		const content = texts.failed(failure, shownOf(data));
		const tell = () => replies.edit(replyTargetOf(data), content, retryButtons(data.interaction.id, texts));
		await (throttle === undefined ? tell() : throttle.edit(tell)).catch((cause: unknown) => {
			logger.warn({ err: cause }, 'could not tell the user about a failed job');
		});
	}

	/** Stops the task at the provider where it can, gives the quota back and says so. */
	async function cancel(
		data: VideoJobData,
		byUserId: string,
		throttle: ProgressThrottle,
		logger: Logger,
	): Promise<void> {
		await generator.cancelAtProvider(data, logger);
		await settle(settledOf(data), { kind: 'cancelled', by: byUserId });
		const texts = textsOf(data);
		const content = texts.cancelled(shownOf(data), byUserId);
		await throttle
			.edit(() => replies.edit(replyTargetOf(data), content, retryButtons(data.interaction.id, texts)))
			.catch((error: unknown) => logger.warn({ err: error }, 'could not show the cancellation'));
		logger.info({ byUserId, taskId: data.task?.id }, 'job cancelled');
	}

	async function process(job: VideoJob, shutdown: AbortSignal): Promise<void> {
		const logger = deps.logger.child({
			jobId: job.id,
			interactionId: job.data.interaction.id,
			userId: job.data.interaction.userId,
			guildId: job.data.interaction.guildId,
		});
		const texts = textsOf(job.data);
		const reply = replyTargetOf(job.data);
		const buttons = progressButtons(job.data.interaction.id, texts);
		const editProgress = async (content: string) => {
			// A progress edit that fails must never fail the generation behind it.
			await replies.edit(reply, content, buttons).catch((error: unknown) => {
				logger.warn({ err: error }, 'progress edit failed');
			});
		};
		// The bot showed "queued" just before `enqueuedAt`, and its queue watch may have edited since:
		// keep the interval from those edits too.
		const editedElsewhere = Math.max(job.data.enqueuedAt, await edits.lastEdited(job.data.interaction.id));
		const throttle = new ProgressThrottle(editProgress, deps.progressIntervalMs, now, editedElsewhere);
		const shown = () => shownOf(job.data);
		const progress: GenerationProgress = {
			submitted: (signal) => throttle.show(texts.submitted(shown()), signal),
			generating: (elapsed, phase, eta) => throttle.offer(texts.generating(shown(), elapsed, phase, eta)),
		};

		try {
			if (shutdown.aborted) return await job.handBack();
			const ended = await deps.reopen(settledOf(job.data));
			if (ended !== undefined && ended.kind !== 'failed') {
				// It was delivered or cancelled, and a crash kept the queue from hearing: never again.
				logger.warn({ outcome: ended.kind }, 'job already ended; not running it again');
				return;
			}
			if (ended !== undefined) {
				logger.info('a failed job was retried by an operator; running it again');
				await job.save({ task: null, submittingAt: null, failedOver: [] });
			}
			// A job that has not reached its provider waits while its server is paused or its user
			// already has USER_MAX_ACTIVE running; one with a task (resumed) goes on regardless.
			if (job.data.task == null) {
				const admission = await deps.admit(job);
				if (!admission.admitted) {
					logger.info({ reason: admission.reason, retryAfterMs: admission.retryAfterMs }, 'job waits');
					return await job.postpone(admission.retryAfterMs);
				}
			}
			await records.setState(job.data.interaction.id, 'running');
			await prepareInputs(job, deps, shutdown, logger);
			const video = await generator.generate(job, progress, shutdown, logger);
			// The provider's own figure first, then the configured or list price.
			const costUsd = video.costUsd ?? priceOf(deps.prices, job.data.provider, job.data.model);
			await deliver(job.data, video, throttle, logger, costUsd);
			await settle(settledOf(job.data), { kind: 'delivered', costUsd });
		} catch (error) {
			if (isHandOver(error)) throw error;
			if (error instanceof CancelledError) return await cancel(job.data, error.byUserId, throttle, logger);
			if (shutdown.aborted) {
				logger.info('shutting down; handing the job back to the queue');
				return await job.handBack();
			}
			const failure = classify(error);
			if (FAILURE_POLICY[failure].retry && !job.lastAttempt) {
				logger.warn({ err: error, failure }, 'attempt failed; will retry');
				throw error;
			}
			logger.error({ err: error, failure }, 'job failed');
			await fail(job.data, failure, logger, throttle);
			throw new PermanentJobError(error);
		}
	}

	/** For jobs that failed without a processor running (they stalled too often). */
	async function abandon(data: VideoJobData, error: Error): Promise<void> {
		const logger = deps.logger.child({
			jobId: data.interaction.id,
			interactionId: data.interaction.id,
			userId: data.interaction.userId,
		});
		logger.error({ err: error }, 'job abandoned after repeated stalls');
		await fail(data, classify(error), logger);
	}

	return { process, abandon };
}
