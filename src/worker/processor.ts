import { DiscordAPIError } from 'discord.js';
import type { AdminAlerts } from '../discord/admin-alerts.js';
import { retryButtons } from '../discord/components.js';
import { discordFailure, ReplyError, type OutgoingMessage, type Replies } from '../discord/replies.js';
import type { DownloadGuard } from '../media/download.js';
import { FAILURE_POLICY, type FailureClass } from '../failures.js';
import { imageKeysOf, type Outcome, type Reopen, type Settle, type Settled } from '../generation/settle.js';
import { isHandOver, jobLogFields, PermanentJobError, type VideoJob, type VideoJobData } from '../jobs/index.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { CATALOG } from '../providers/catalog.js';
import { ProviderError } from '../providers/errors.js';
import { promptSent } from '../providers/plan.js';
import { priceOf, type PriceTable } from '../providers/prices.js';
import type { ModelLists, ProviderName, VideoProvider } from '../providers/types.js';
import type { EtaBook } from '../store/eta.js';
import type { JobRecords } from '../store/job-records.js';
import type { MediaStore } from '../store/media.js';
import type { MessageEdits } from '../store/message-edits.js';
import type { Sequences } from '../store/sequences.js';
import type { Admit } from './admission.js';
import { carriesClip, createDelivery, textsOf } from './deliver.js';
import { CancelledError, createGenerator, type GenerationProgress } from './generate.js';
import { prepareInputs, SourceUnreadableError } from './inputs.js';
import { clipLook, JobMessage } from './job-message.js';

export interface ProcessorDeps {
	/** The providers of the chain, in failover order. */
	readonly providers: ReadonlyMap<ProviderName, VideoProvider>;
	/** The operator's allow-lists (`<PROVIDER>_MODELS`); failover stays within them. */
	readonly models?: ModelLists | undefined;
	readonly replies: Replies;
	readonly media: MediaStore;
	/** Where the clip Extend continues may be downloaded from (Discord's attachment hosts). */
	readonly attachmentGuard: DownloadGuard;
	readonly settle: Settle;
	readonly reopen: Reopen;
	/** Whether a job not yet at its provider may start now (paused server, user's running jobs). */
	readonly admit: Admit;
	/** What a clip costs when its provider does not say. */
	readonly prices: PriceTable;
	/** This process's metrics: outcomes, times, costs and provider errors of the jobs it runs. */
	readonly metrics: Metrics;
	readonly alerts: AdminAlerts;
	readonly records: JobRecords;
	readonly sequences: Pick<Sequences, 'active'>;
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
	// Discord refused the clip for good; an unknown outcome is looked into by the next attempt.
	if (error instanceof ReplyError) return error.failure === 'outcome-unknown' ? 'internal' : 'undeliverable';
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

/** Counts a settled outcome once: a repeated settle (a retry, a crash) is not a new event. */
function counted(metrics: Metrics, data: VideoJobData, result: { first: boolean; outcome: Outcome }): void {
	if (!result.first) return;
	const { outcome } = result;
	const provider = data.provider;
	if (outcome.kind === 'delivered') {
		metrics.jobs.inc({ state: 'delivered', provider });
		if (outcome.costUsd !== undefined) metrics.costUsd.inc({ provider }, outcome.costUsd);
	} else if (outcome.kind === 'failed') metrics.jobs.inc({ state: 'failed', provider });
	else if (outcome.kind === 'cancelled') metrics.jobs.inc({ state: 'cancelled', provider });
}

/**
 * One job from start to end, as a sequence: admit it (`admission.ts`), prepare its inputs
 * (`inputs.ts`), generate (`generate.ts`), deliver (`deliver.ts`), settle (`settle`), or hand the
 * job back when the worker shuts down. How each failure ends is the failure policy's decision
 * (`src/failures.ts`).
 */
export function createProcessor(deps: ProcessorDeps) {
	const now = deps.now ?? Date.now;
	const { replies, alerts, records, edits, settle } = deps;
	const generator = createGenerator({ ...deps, now });
	const deliver = createDelivery({ records, sequences: deps.sequences, now });
	const messageDeps = { replies, edits, records, progressIntervalMs: deps.progressIntervalMs };

	/** Tells the requester how the job ended, where its message is (or privately when it is gone). */
	async function tell(message: JobMessage, outgoing: OutgoingMessage, logger: Logger): Promise<void> {
		await message.tell(outgoing).catch((error: unknown) => {
			logger.warn({ err: error }, 'could not tell the user how the job ended');
		});
	}

	/**
	 * Settles a failed job, tells the admins when the policy says so, and tells the user. A job
	 * already settled otherwise (its clip landed before a crash) keeps that ending and its words.
	 */
	async function fail(data: VideoJobData, failure: FailureClass, logger: Logger, message: JobMessage): Promise<void> {
		const settled = await settle(settledOf(data), { kind: 'failed', failure });
		counted(deps.metrics, data, settled);
		if (settled.outcome.kind !== 'failed') {
			logger.warn({ failure, settled: settled.outcome.kind }, 'the job had already ended; its ending stands');
			return;
		}
		const alert = FAILURE_POLICY[failure].alert;
		if (alert?.scope === 'job') {
			await alerts.once(
				`${failure}:${data.interaction.id}`,
				alert.says(CATALOG[data.provider].label, data.interaction.id),
			);
		}
		const texts = textsOf(data);
		const content = texts.failed(failure, shownOf(data), alert !== null && alerts.configured);
		await tell(message, { content, components: retryButtons(data.interaction.id, texts) }, logger);
	}

	/** Stops the task at the provider where it can, gives the quota back and says so. */
	async function cancel(data: VideoJobData, byUserId: string, message: JobMessage, logger: Logger): Promise<void> {
		await generator.cancelAtProvider(data, logger);
		counted(deps.metrics, data, await settle(settledOf(data), { kind: 'cancelled', by: byUserId }));
		const texts = textsOf(data);
		const content = texts.cancelled(shownOf(data), byUserId);
		await tell(message, { content, components: retryButtons(data.interaction.id, texts) }, logger);
		logger.info({ byUserId, taskId: data.task?.id }, 'job cancelled');
	}

	/**
	 * A delivery cut off by a crash (the worker died during the upload) may have landed: the clip
	 * is looked for before anything is made or sent again.
	 */
	async function deliveredBefore(job: VideoJob, message: JobMessage, logger: Logger): Promise<boolean> {
		const started = job.data.delivery?.startedAt;
		if (started == null) return false;
		const found = await message.replies.find(message.target, carriesClip(job.data.interaction.id), started);
		if (found === undefined) {
			logger.info('an earlier upload did not land; delivering again');
			return false;
		}
		await records.setMessage(job.data.interaction.id, found.id);
		logger.info({ messageId: found.id }, 'the clip had landed before the crash; not sending it again');
		return true;
	}

	async function process(job: VideoJob, shutdown: AbortSignal): Promise<void> {
		const logger = deps.logger.child(jobLogFields(job.data.interaction));
		const texts = textsOf(job.data);
		const message = await JobMessage.open(job, messageDeps, logger, clipLook(job));
		const shown = () => shownOf(job.data);
		const progress: GenerationProgress = {
			submitted: () => message.show(texts.submitted(shown())),
			generating: (elapsed, phase, eta) => message.show(texts.generating(shown(), elapsed, phase, eta)),
		};

		try {
			if (shutdown.aborted) return await job.handBack();
			// A job that ended runs again only when an operator retried it after a failure (from the
			// dashboard); delivered or cancelled, or ended by a run that lost its lock, it stays so.
			const ended = await deps.reopen(settledOf(job.data));
			if (ended !== undefined && ended.kind !== 'failed') {
				logger.warn({ outcome: ended.kind }, 'the job has already ended; leaving it as it is');
				return;
			}
			if (ended !== undefined) {
				logger.info('a failed job was retried by an operator; running it again');
				await job.save({ task: null, submittingAt: null, failedOver: [], delivery: null });
			}
			const listPrice = () => priceOf(deps.prices, job.data.provider, job.data.model);
			if (await deliveredBefore(job, message, logger)) {
				counted(deps.metrics, job.data, await settle(settledOf(job.data), { kind: 'delivered', costUsd: listPrice() }));
				return;
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
			if (job.data.startedAt == null) {
				// The wait is counted once per job: from enqueue to the first worker that starts it.
				const startedAt = now();
				await job.save({ startedAt });
				deps.metrics.jobWait.observe({ provider: job.data.provider }, (startedAt - job.data.enqueuedAt) / 1000);
			}
			await records.setState(job.data.interaction.id, 'running');
			await prepareInputs(job, deps, shutdown, logger);
			const generating = now();
			const video = await generator.generate(job, progress, shutdown, logger);
			const ready = now();
			const since = job.data.task?.submittedAt ?? generating;
			deps.metrics.generation.observe({ provider: job.data.provider }, (ready - since) / 1000);
			// The provider's own figure first, then the configured or list price.
			const costUsd = video.costUsd ?? listPrice();
			await deliver(job, video, message, shutdown, logger, costUsd);
			deps.metrics.delivery.observe({ provider: job.data.provider }, (now() - ready) / 1000);
			counted(deps.metrics, job.data, await settle(settledOf(job.data), { kind: 'delivered', costUsd }));
		} catch (error) {
			if (isHandOver(error)) throw error;
			if (error instanceof CancelledError) return await cancel(job.data, error.byUserId, message, logger);
			if (shutdown.aborted) {
				logger.info('shutting down; handing the job back to the queue');
				await message.supersede();
				return await job.handBack();
			}
			const failure = classify(error);
			if (FAILURE_POLICY[failure].retry && !job.lastAttempt) {
				logger.warn({ err: error, failure }, 'attempt failed; will retry');
				await message.supersede();
				throw error;
			}
			logger.error({ err: error, failure, discord: discordFailure(error) }, 'job failed');
			await fail(job.data, failure, logger, message);
			throw new PermanentJobError(error);
		} finally {
			await message.supersede();
		}
	}

	/** For jobs that failed without a processor running (they stalled too often). */
	async function abandon(data: VideoJobData, error: Error): Promise<void> {
		const logger = deps.logger.child(jobLogFields(data.interaction));
		logger.error({ err: error }, 'job abandoned after repeated stalls');
		// No job handle: what the message learns is not saved, but the final word still takes its turn.
		let current = data;
		const handle: VideoJob = {
			id: data.interaction.id,
			get data() {
				return current;
			},
			lastAttempt: true,
			round: 0,
			save: async (patch) => {
				current = { ...current, ...patch };
			},
			handBack: () => Promise.reject(new Error('an abandoned job cannot be handed back')),
			postpone: () => Promise.reject(new Error('an abandoned job cannot be postponed')),
		};
		await fail(data, classify(error), logger, await JobMessage.open(handle, messageDeps, logger, clipLook(handle)));
	}

	return { process, abandon };
}
