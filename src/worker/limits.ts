import { randomUUID } from 'node:crypto';
import type { ProviderName, VideoProvider } from '../providers/types.js';
import type { ProviderLimitSettings, ProviderLimits } from '../store/limits.js';

/** A provider is at its limit (rate or tasks at once): the job waits `retryAfterMs` and tries again. */
export class ProviderBusyError extends Error {
	public override readonly name = 'ProviderBusyError';

	public constructor(
		public readonly provider: ProviderName,
		public readonly retryAfterMs: number,
	) {
		super(`${provider} is at its limit; retry in ${retryAfterMs} ms`);
	}
}

export interface LimitOptions {
	readonly limits: ProviderLimits;
	readonly settings: ProviderLimitSettings;
	/** How long to wait when only a task ending can free a slot. */
	readonly busyRetryMs: number;
}

/**
 * A provider that keeps `<PROVIDER>_RPM` and `<PROVIDER>_CONCURRENCY` across every worker: a create
 * call first takes a task slot and a place in the rate window (in one step, in Redis), or the
 * submit throws `ProviderBusyError` without calling the provider, and the job waits instead of
 * failing. The slot follows the task from the create call to the end of its polling (a final
 * status, or `release` after a time-out or a cancel); one a crash leaves behind expires after
 * `leaseMs`.
 */
export function limitProvider(provider: VideoProvider, options: LimitOptions): VideoProvider {
	const { limits, settings } = options;
	const { name } = provider;
	// Giving a slot back is best effort: one not given back expires.
	const release = async (holder: string) => limits.release(name, holder).catch(() => undefined);

	const limited: VideoProvider = {
		name,
		async submit(input, signal) {
			const lease = `lease-${randomUUID()}`;
			const acquired = await limits.acquire(name, lease, settings);
			if (!acquired.granted) throw new ProviderBusyError(name, acquired.retryAfterMs ?? options.busyRetryMs);
			let submission;
			try {
				submission = await provider.submit(input, signal);
			} catch (error) {
				// The call counts against the rate (it was made), but no task holds a slot.
				await release(lease);
				throw error;
			}
			if (submission.kind === 'task') {
				await limits.rename(name, lease, submission.taskId, settings.leaseMs).catch(() => undefined);
			} else {
				await release(lease);
			}
			return submission;
		},
		async poll(taskId, signal) {
			const status = await provider.poll(taskId, signal);
			if (status.state !== 'pending') await release(taskId);
			return status;
		},
		release,
	};
	const cancel = provider.cancel?.bind(provider);
	return cancel === undefined ? limited : { ...limited, cancel };
}
