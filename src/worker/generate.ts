import { setTimeout as sleep } from 'node:timers/promises';
import type { AdminAlerts } from '../discord/admin-alerts.js';
import { FAILURE_POLICY } from '../failures.js';
import type { VideoJob, VideoJobData } from '../jobs/index.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { CATALOG } from '../providers/catalog.js';
import { ProviderError } from '../providers/errors.js';
import type { ModelLists, ProviderImage, ProviderName, VideoProvider } from '../providers/types.js';
import type { EtaBook } from '../store/eta.js';
import type { JobRecords } from '../store/job-records.js';
import type { MediaStore } from '../store/media.js';
import { modelsFor, needOf, promptSent } from '../providers/plan.js';
import type { ImageRef } from '../video/request.js';
import { ProviderBusyError } from './limits.js';

/**
 * Malformed status answers in a row that end a job. Polling is free and a task already paid for
 * would still finish: one garbled answer (a gateway's HTML page, a cut-off body, a status word we
 * do not know yet) says nothing about it. Five in a row, with the wait doubling from the poll
 * interval, is a provider that no longer speaks its protocol.
 */
export const MALFORMED_POLLS_MAX = 5;
/** …or a run of malformed answers lasting this long, whatever their count (a long poll interval). */
export const MALFORMED_RUN_MAX_MS = 2 * 60_000;
/** The longest wait between two polls after a malformed answer. */
const MALFORMED_WAIT_MAX_MS = 30_000;
/** The longest wait a provider's Retry-After imposes on polling (the job's time-out bounds the rest). */
export const POLL_WAIT_MAX_MS = 5 * 60_000;
/** Tries to read a fresh link of a finished task: the answer can be garbled or refused once, too. */
const REFRESH_TRIES = 3;

/**
 * The clip a provider made: a link to download, or the bytes themselves (blocking and local
 * providers). A link comes with `refresh`, which asks the same task again for a fresh link (links
 * expire); it never creates anything.
 */
export type GeneratedVideo =
	| {
			readonly kind: 'url';
			readonly url: string;
			readonly costUsd?: number | undefined;
			readonly refresh?: (() => Promise<string>) | undefined;
	  }
	| { readonly kind: 'bytes'; readonly data: Buffer; readonly costUsd?: number | undefined };

/** The user (or an admin) cancelled the job; `byUserId` clicked the button. */
export class CancelledError extends Error {
	public override readonly name = 'CancelledError';

	public constructor(public readonly byUserId: string) {
		super('cancelled');
	}
}

/**
 * What the user sees while a provider works; the processor decides the words and the pace. Both
 * are passing states: shown in their turn unless something newer comes first, never waited for.
 */
export interface GenerationProgress {
	/** The task was handed to the provider. */
	submitted(): void;
	generating(elapsedMs: number, phase: 'queued' | 'generating', etaMs: number | undefined): void;
}

export interface GenerateDeps {
	/** The providers of the chain, in failover order. */
	readonly providers: ReadonlyMap<ProviderName, VideoProvider>;
	/** The operator's allow-lists: failover picks only listed models. */
	readonly models?: ModelLists | undefined;
	readonly media: MediaStore;
	readonly records: JobRecords;
	readonly eta: EtaBook;
	readonly alerts: AdminAlerts;
	readonly pollIntervalMs: number;
	readonly generationTimeoutMs: number;
	readonly now: () => number;
	/** Counts each error a provider answers (`clapper_provider_errors_total`). */
	readonly metrics: Pick<Metrics, 'providerErrors'>;
}

/**
 * Makes the clip of a job as a resumable sequence: submit once per provider (the task id is saved
 * the moment it exists), then poll until done. Any step can be re-entered by another worker after
 * a crash or a shutdown without paying twice. Before a task exists, a provider whose failure the
 * policy hands on gives the job to the next one in the chain.
 */
export function createGenerator(deps: GenerateDeps) {
	const { now } = deps;

	async function checkCancelled(data: VideoJobData): Promise<void> {
		const by = await deps.records.cancelledBy(data.interaction.id);
		if (by !== undefined) throw new CancelledError(by);
	}

	async function loadImage(provider: ProviderName, ref: ImageRef | undefined): Promise<ProviderImage | undefined> {
		if (ref === undefined) return undefined;
		const data = await deps.media.get(ref.key);
		// The copy is kept for days; losing it means the job waited far too long or Redis lost data.
		if (data === null) throw new ProviderError(provider, 'rejected', `input image ${ref.key} is gone`);
		return { data, contentType: ref.contentType };
	}

	/** Submits on the job's current provider, once; returns the task id or the finished clip. */
	async function submit(
		job: VideoJob,
		provider: VideoProvider,
		logger: Logger,
	): Promise<{ taskId: string } | GeneratedVideo> {
		const existing = job.data.task?.id;
		if (existing !== undefined) {
			logger.info({ taskId: existing }, 'resuming a submitted task');
			return { taskId: existing };
		}
		// A free provider may simply run again; a paid one whose create call was cut off may have
		// made (and billed) a task we cannot see.
		if (job.data.submittingAt != null && provider.name !== 'preview') {
			throw new ProviderError(provider.name, 'outcome-unknown', 'a create call was interrupted');
		}
		await checkCancelled(job.data);
		const { request } = job.data;
		const input = {
			model: job.data.model,
			// Camera brackets as the model reads them: prose for H3 (what every message quotes).
			request: { ...request, prompt: promptSent(provider.name, job.data.model, request.prompt) },
			firstFrame: await loadImage(provider.name, request.firstFrame),
			lastFrame: await loadImage(provider.name, request.lastFrame),
			subject: await loadImage(provider.name, request.subject),
		};
		await job.save({ submittingAt: now() });
		let submission;
		try {
			// Deliberately not tied to the shutdown signal: an abandoned create call could bill a
			// task nobody knows about. A shutdown waits for it to return.
			submission = await provider.submit(input);
		} catch (error) {
			if (error instanceof ProviderError && error.failure === 'malformed') {
				// The create call was answered, but not in words we can read: a task may exist and be
				// billed, with an id we never learnt. Like a call cut off, it is never sent again.
				await job.save({ submittingAt: null });
				throw new ProviderError(
					provider.name,
					'outcome-unknown',
					'the create call got an answer that could not be read',
					{
						...error.details,
						cause: error,
					},
				);
			}
			// The provider answered (or could not be reached, or was never called), so no task exists to lose.
			await job.save({ submittingAt: null });
			if (error instanceof ProviderBusyError) {
				// Over the provider's rate or tasks at once: the job waits its turn; it does not fail.
				logger.info({ retryAfterMs: error.retryAfterMs }, 'provider at its limit; the job waits');
				return await job.postpone(error.retryAfterMs);
			}
			throw error;
		}
		if (submission.kind === 'video') {
			logger.info({ model: job.data.model, costUsd: submission.costUsd }, 'clip made in the create call');
			return { kind: 'bytes', data: submission.data, costUsd: submission.costUsd };
		}
		await job.save({ task: { id: submission.taskId, submittedAt: now() }, submittingAt: null });
		logger.info({ taskId: submission.taskId, model: job.data.model }, 'task submitted');
		return { taskId: submission.taskId };
	}

	async function poll(
		job: VideoJob,
		provider: VideoProvider,
		taskId: string,
		progress: GenerationProgress,
		shutdown: AbortSignal,
		logger: Logger,
	): Promise<GeneratedVideo> {
		progress.submitted();
		const submittedAt = job.data.task?.submittedAt ?? now();
		const eta = await deps.eta.estimate(provider.name, job.data.model).catch(() => undefined);
		// The current run of malformed answers: how many, since when. A good answer ends it.
		let malformed = { count: 0, since: 0 };
		for (;;) {
			const elapsed = now() - submittedAt;
			if (elapsed > deps.generationTimeoutMs) {
				// Polling ends here: the task no longer counts against the provider's limits.
				await provider.release?.(taskId).catch(() => undefined);
				throw new ProviderError(provider.name, 'timed-out', `no result after ${Math.round(elapsed / 1000)} s`);
			}
			await checkCancelled(job.data);
			let status;
			let waitMs = deps.pollIntervalMs;
			try {
				status = await provider.poll(taskId, shutdown);
				malformed = { count: 0, since: 0 };
			} catch (error) {
				if (!(error instanceof ProviderError)) throw error;
				if (error.failure === 'malformed') {
					// Not final on its own: only a run of them, bounded in count and time, ends the job.
					const since = malformed.count === 0 ? now() : malformed.since;
					malformed = { count: malformed.count + 1, since };
					if (malformed.count >= MALFORMED_POLLS_MAX || now() - since >= MALFORMED_RUN_MAX_MS) {
						await provider.release?.(taskId).catch(() => undefined);
						throw error;
					}
					waitMs = Math.min(MALFORMED_WAIT_MAX_MS, deps.pollIntervalMs * 2 ** (malformed.count - 1));
				} else if (error.retryable) {
					// Polling is free and safe to repeat: a passing outage only delays the next look,
					// and never by less than the provider asked for (Retry-After).
					waitMs = Math.max(waitMs, Math.min(POLL_WAIT_MAX_MS, error.details.retryAfterMs ?? 0));
				} else throw error;
				deps.metrics.providerErrors.inc({ provider: provider.name, class: error.failure });
				logger.warn({ err: error, taskId, waitMs, malformedRun: malformed.count }, 'poll failed; trying again');
				status = undefined;
			}
			if (status?.state === 'succeeded') {
				if (status.costUsd !== undefined)
					logger.info({ taskId, costUsd: status.costUsd }, 'provider reported the cost');
				await deps.eta.record(provider.name, job.data.model, now() - submittedAt).catch(() => undefined);
				return {
					kind: 'url',
					url: status.videoUrl,
					costUsd: status.costUsd,
					refresh: () => freshLink(provider, taskId, shutdown),
				};
			}
			if (status?.state === 'failed') throw status.error;
			if (status?.state === 'pending') progress.generating(elapsed, status.phase, eta);
			await sleep(waitMs, undefined, { signal: shutdown });
		}
	}

	/**
	 * Queries a finished task again for a new link to its clip (the old one was refused). A garbled
	 * or passing answer is asked again (never sooner than Retry-After); a task that now reads as
	 * failed or unfinished has no working link to give.
	 */
	async function freshLink(provider: VideoProvider, taskId: string, signal: AbortSignal): Promise<string> {
		for (let tries = 1; ; tries++) {
			let status;
			try {
				status = await provider.poll(taskId, signal);
			} catch (error) {
				const garbled = error instanceof ProviderError && error.failure === 'malformed';
				const again = garbled || (error instanceof ProviderError && error.retryable);
				if (!again) throw error;
				if (tries >= REFRESH_TRIES) {
					// The clip is made and paid for: the job's next attempt asks the task again.
					if (!garbled) throw error;
					throw new ProviderError(provider.name, 'link-expired', 'no readable answer with a fresh link', {
						cause: error,
					});
				}
				const backoff = deps.pollIntervalMs * 2 ** (tries - 1);
				await sleep(Math.max(backoff, Math.min(POLL_WAIT_MAX_MS, error.details.retryAfterMs ?? 0)), undefined, {
					signal,
				});
				continue;
			}
			if (status.state === 'succeeded') return status.videoUrl;
			if (status.state === 'failed' && status.error.failure !== 'generation-failed') throw status.error;
			const said = status.state === 'failed' ? `reads as failed (${status.error.message})` : 'reads as unfinished';
			throw new ProviderError(provider.name, 'link-expired', `the finished task ${said}; no fresh link`);
		}
	}

	/** The next provider of the chain, not yet tried, that can serve this request. */
	function nextProvider(data: VideoJobData): { name: ProviderName; model: string } | undefined {
		const tried = new Set([data.provider, ...data.failedOver.map((entry) => entry.provider)]);
		for (const name of deps.providers.keys()) {
			if (tried.has(name)) continue;
			const [model] = modelsFor(name, needOf(data.request), deps.models);
			if (model !== undefined) return { name, model: model.id };
		}
		return undefined;
	}

	async function generate(
		job: VideoJob,
		progress: GenerationProgress,
		shutdown: AbortSignal,
		baseLogger: Logger,
	): Promise<GeneratedVideo> {
		for (;;) {
			const name = job.data.provider;
			const logger = baseLogger.child({ provider: name });
			try {
				const provider = deps.providers.get(name);
				if (provider === undefined)
					throw new ProviderError(name, 'auth', 'this provider is not configured on this worker');
				const submitted = await submit(job, provider, logger);
				if (!('taskId' in submitted)) return submitted;
				return await poll(job, provider, submitted.taskId, progress, shutdown, logger);
			} catch (error) {
				if (error instanceof ProviderError) deps.metrics.providerErrors.inc({ provider: name, class: error.failure });
				// Only before a task exists: a submitted task is paid for and is followed to its end.
				if (!(error instanceof ProviderError) || !FAILURE_POLICY[error.failure].failOver || job.data.task != null)
					throw error;
				const alert = FAILURE_POLICY[error.failure].alert;
				if (alert?.scope === 'provider') {
					await deps.alerts.once(`${error.failure}:${name}`, alert.says(CATALOG[name].label, job.data.interaction.id));
				}
				const next = nextProvider(job.data);
				if (next === undefined) throw error;
				logger.warn({ err: error, next: next.name }, 'provider unavailable; failing over');
				await job.save({
					provider: next.name,
					model: next.model,
					failedOver: [...job.data.failedOver, { provider: name, failure: error.failure }],
					task: null,
					submittingAt: null,
				});
			}
		}
	}

	/**
	 * Stops the job's task at its provider, where the provider's API allows it, and stops counting
	 * it against the provider's limits. Never throws.
	 */
	async function cancelAtProvider(data: VideoJobData, logger: Logger): Promise<void> {
		const taskId = data.task?.id;
		const provider = deps.providers.get(data.provider);
		if (taskId === undefined || provider === undefined) return;
		if (provider.cancel !== undefined)
			await provider
				.cancel(taskId)
				.catch((error: unknown) => logger.warn({ err: error, taskId }, 'provider cancel failed'));
		// Nobody polls it any more, whether or not the provider could stop it.
		await provider.release?.(taskId).catch(() => undefined);
	}

	return { generate, cancelAtProvider };
}
