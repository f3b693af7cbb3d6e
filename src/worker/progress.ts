import { setTimeout as sleep } from 'node:timers/promises';
import type { EditPace } from '../discord/replies.js';
import type { ClaimOptions, MessageEdits } from '../store/message-edits.js';

/**
 * One job's share of the edit budget every process keeps in Redis (`store/message-edits.ts`):
 * an edit of a message starts only `intervalMs` after the previous one ended, whoever made it (the
 * bot's queue positions, this worker, another worker after a crash). Discord rate-limits edits per
 * message, and nobody reads a message that changes more often than that.
 */
export class EditBudget {
	public constructor(
		private readonly edits: MessageEdits,
		private readonly options: ClaimOptions,
	) {}

	/** Waits until an edit of the message could start, without claiming it. */
	public async ready(messageId: string, signal?: AbortSignal): Promise<void> {
		for (;;) {
			signal?.throwIfAborted();
			const wait = await this.edits.waitBeforeEdit(messageId, this.options);
			if (wait <= 0) return;
			await sleep(wait, undefined, signal === undefined ? {} : { signal });
		}
	}

	/** Runs an edit in its turn: claims it (waiting what is left of the interval), then says it ended. */
	public readonly pace: EditPace = async (messageId, edit, signal) => {
		for (;;) {
			signal?.throwIfAborted();
			const wait = await this.edits.claim(messageId, this.options);
			if (wait <= 0) break;
			await sleep(wait, undefined, signal === undefined ? {} : { signal });
		}
		try {
			return await edit();
		} finally {
			await this.edits.completed(messageId, this.options.holder);
		}
	};
}

/**
 * Shows a job's passing states (submitted, generating, re-encoding…) on its message, the latest
 * one only and in its turn: a state replaced before its turn came is never shown. `supersede`
 * ends it when the final word is due, which then waits only what is left of the interval.
 */
export class ProgressPacer {
	private pending: string | undefined;
	private lastShown: string | undefined;
	private loop: Promise<void> | undefined;
	private readonly stop = new AbortController();

	public constructor(
		/** Sends one state (within the budget). */
		private readonly send: (content: string, signal: AbortSignal) => Promise<void>,
		/** Resolves when an edit could start. */
		private readonly ready: (signal: AbortSignal) => Promise<void>,
		/** A passing state that could not be shown: never the job's failure. */
		private readonly failed: (error: unknown) => void,
	) {}

	/** The newest state: shown at the next turn unless a newer one (or the final word) comes first. */
	public show(content: string): void {
		if (this.stop.signal.aborted) return;
		this.pending = content === this.lastShown ? undefined : content;
		if (this.pending !== undefined) this.loop ??= this.run().finally(() => (this.loop = undefined));
	}

	private async run(): Promise<void> {
		const { signal } = this.stop;
		try {
			while (this.pending !== undefined && !signal.aborted) {
				await this.ready(signal);
				const content = this.pending;
				if (content === undefined || signal.aborted) return;
				this.pending = undefined;
				this.lastShown = content;
				await this.send(content, signal);
			}
		} catch (error) {
			if (!signal.aborted) this.failed(error);
		}
	}

	/** No more passing states: drops the waiting one and lets an edit under way end. */
	public async supersede(): Promise<void> {
		this.pending = undefined;
		this.stop.abort(new Error('superseded'));
		await this.loop?.catch(() => undefined);
	}
}
