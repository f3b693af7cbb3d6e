import type { Redis } from 'ioredis';
import type { ClipStore } from './clips.js';
import { progressButtons } from './discord/components.js';
import type { Replies } from './discord/replies.js';
import type { VideoJobs } from './jobs/index.js';
import type { Logger } from './log.js';
import { textsFor } from './texts/index.js';

/** Queued messages further back than this keep the position they were given. */
const WATCHED = 25;

export interface QueueWatchOptions {
	readonly jobs: VideoJobs;
	readonly clips: ClipStore;
	readonly replies: Replies;
	readonly redis: Redis;
	readonly prefix: string;
	readonly intervalMs: number;
	readonly logger: Logger;
}

/**
 * Keeps "Position #n in the queue" true while jobs wait: every interval, the queued messages whose
 * position changed are edited. One bot process does it per tick (a Redis lock), so several shards
 * never edit the same message twice, and each message is edited at most once per interval.
 */
export function watchQueue(options: QueueWatchOptions): { stop(): void } {
	const { jobs, clips, replies, redis, prefix, logger } = options;
	const shown = `${prefix}:queue:shown`;

	async function tick(): Promise<void> {
		const lock = await redis.set(`${prefix}:lock:queue-watch`, String(process.pid), 'PX', options.intervalMs, 'NX');
		if (lock === null) return;
		const waiting = await jobs.nextWaiting(WATCHED);
		for (const [index, data] of waiting.entries()) {
			const id = data.interaction.id;
			const position = index + 1;
			if (Number(await redis.hget(shown, id)) === position) continue;
			const progress = { prompt: data.request.prompt, model: data.model };
			const target = { ...data.interaction, messageId: data.interaction.messageId };
			const texts = textsFor(data.interaction.locale);
			await replies.edit(target, texts.queued(progress, position), progressButtons(id, texts));
			await redis.hset(shown, id, position);
			await clips.markEdited(id);
		}
		// Forget jobs that left the wait list, so the hash stays as small as the queue.
		const remembered = await redis.hkeys(shown);
		const still = new Set(waiting.map((data) => data.interaction.id));
		const gone = remembered.filter((id) => !still.has(id));
		if (gone.length > 0) await redis.hdel(shown, ...gone);
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
