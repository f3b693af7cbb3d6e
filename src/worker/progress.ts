import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Keeps edits of one progress message at least `intervalMs` apart. Discord rate-limits edits per
 * message, and nobody reads a message that changes more often than that.
 */
export class ProgressThrottle {
	private lastContent: string | undefined;

	public constructor(
		private readonly send: (content: string) => Promise<void>,
		private readonly intervalMs: number,
		private readonly now: () => number = Date.now,
		/** When the message was last edited, possibly by another process. */
		private lastSentAt = Number.NEGATIVE_INFINITY,
	) {}

	/** Sends now if the interval has passed; otherwise drops it, as a newer state will follow. */
	public async offer(content: string): Promise<void> {
		if (content === this.lastContent || this.now() - this.lastSentAt < this.intervalMs) return;
		await this.sendNow(content);
	}

	/** A state the user must see (a new stage): waits out the interval, then sends. */
	public async show(content: string, signal?: AbortSignal): Promise<void> {
		if (content === this.lastContent) return;
		await this.waitTurn(signal);
		await this.sendNow(content);
	}

	/** Any other edit of the same message (the final delivery): waits its turn like the rest. */
	public async edit<T>(edit: () => Promise<T>): Promise<T> {
		await this.waitTurn();
		this.lastSentAt = this.now();
		return edit();
	}

	private async waitTurn(signal?: AbortSignal): Promise<void> {
		const wait = this.lastSentAt + this.intervalMs - this.now();
		if (wait > 0) await sleep(wait, undefined, signal ? { signal } : {});
	}

	private async sendNow(content: string): Promise<void> {
		this.lastSentAt = this.now();
		this.lastContent = content;
		await this.send(content);
	}
}
