import { progressButtons } from '../discord/components.js';
import type { Replies } from '../discord/replies.js';
import type { VideoJobs } from '../jobs/index.js';
import type { Logger } from '../log.js';
import { promptSent } from '../providers/plan.js';
import type { MessageEdits } from '../store/message-edits.js';
import type { ShownPositions } from '../store/positions.js';
import { textsFor } from '../texts/index.js';

/** Queued messages further back than this keep the position they were given. */
const WATCHED = 25;

export interface QueueWatchOptions {
	readonly jobs: VideoJobs;
	readonly edits: MessageEdits;
	readonly shown: ShownPositions;
	readonly replies: Replies;
	readonly intervalMs: number;
	readonly logger: Logger;
}

/**
 * Keeps "Position #n in the queue" true while jobs wait: every interval, the queued messages whose
 * position changed are edited. One bot process does it per tick (a Redis lock), so several shards
 * never edit the same message twice, and each message is edited at most once per interval.
 */
export function watchQueue(options: QueueWatchOptions): { stop(): void } {
	const { jobs, edits, shown, replies, logger } = options;

	async function tick(): Promise<void> {
		if (!(await shown.takeTick(String(process.pid), options.intervalMs))) return;
		const waiting = await jobs.waitingInOrder(WATCHED);
		for (const { data, position } of waiting) {
			const id = data.interaction.id;
			if ((await shown.get(id)) === position) continue;
			const progress = { prompt: promptSent(data.provider, data.model, data.request.prompt), model: data.model };
			const target = { ...data.interaction, messageId: data.interaction.messageId };
			const texts = textsFor(data.interaction.locale);
			await replies.edit(target, texts.queued(progress, position), progressButtons(id, texts));
			await shown.set(id, position);
			await edits.markEdited(id);
		}
		await shown.keepOnly(new Set(waiting.map(({ data }) => data.interaction.id)));
	}

	let running = false;
	const timer = setInterval(() => {
		if (running) return;
		running = true;
		tick()
			.catch((error: unknown) => logger.warn({ err: error }, 'queue watch failed'))
			.finally(() => (running = false));
	}, options.intervalMs);
	timer.unref();
	return { stop: () => clearInterval(timer) };
}
