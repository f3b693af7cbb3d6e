import type { REST } from 'discord.js';
import { boardMessage, editBoard } from '../discord/board.js';
import type { BoardKeeper } from '../discord/command.js';
import { discordFailure } from '../discord/replies.js';
import type { Logger } from '../log.js';
import type { MessageEdits } from '../store/message-edits.js';
import type { Sequences } from '../store/sequences.js';
import { textsFor } from '../texts/index.js';

/**
 * A board edit holds its claim this long at most if the bot dies during it, so a restarted bot
 * edits within seconds. An edit slower than this may land after a newer one: the store then
 * marks the board behind again, and the next look shows the latest.
 */
const LEASE_MS = 4_000;
/** How often the keeper looks for boards behind, besides being nudged after each change. */
const LOOK_EVERY_MS = 1_000;
/** A board Discord refuses to edit for now (30046, a lost permission) is tried again after this. */
const REFUSED_BACKOFF_MS = 60_000;

export interface BoardKeeperOptions {
	readonly sequences: Sequences;
	readonly edits: MessageEdits;
	readonly rest: REST;
	/** The least gap between two edits of one board (PROGRESS_INTERVAL_MS, shared with every process). */
	readonly intervalMs: number;
	readonly logger: Logger;
}

/**
 * Keeps every sequence's board showing its sequence: every change marks the board behind in Redis
 * in the same step as the change (`store/sequences.ts`), and the keeper edits boards that are
 * behind, at once when nudged and at each look, so a change made just before a bot died still
 * reaches the board once any bot runs. Each edit takes its turn in the board's edit budget (shared
 * by every bot process), and a burst of changes becomes one edit showing the latest.
 */
export function keepBoards(options: BoardKeeperOptions): BoardKeeper & { start(): void; stop(): void } {
	const { sequences, edits, rest, logger } = options;
	const holder = `boards:${process.pid}`;
	const claim = { intervalMs: options.intervalMs, holder, leaseMs: LEASE_MS };
	const refusedUntil = new Map<string, number>();

	async function update(id: string): Promise<void> {
		if ((refusedUntil.get(id) ?? 0) > Date.now()) return;
		const snapshot = await sequences.snapshot(id);
		if (snapshot === undefined) return sequences.forget(id);
		const { sequence } = snapshot;
		// Still being posted by /sequence start, which shows the sequence as it is then.
		if (sequence.boardMessageId === undefined) return;
		const boardId = sequence.boardMessageId;
		if ((await edits.claim(boardId, claim)) > 0) return;
		try {
			await editBoard(rest, sequence.channelId, boardId, boardMessage(snapshot, textsFor(sequence.locale)));
			await sequences.shown(id, sequence.version);
			refusedUntil.delete(id);
		} catch (error) {
			const failure = discordFailure(error);
			if (failure === 'message-gone') {
				// A moderator deleted the board: it is not posted again.
				logger.warn({ sequenceId: id, boardId }, 'the board was deleted; it is no longer kept');
				await sequences.forget(id);
			} else if (failure === 'outcome-unknown') {
				logger.warn({ err: error, sequenceId: id }, 'board edit failed; will try again');
			} else {
				logger.warn({ err: error, sequenceId: id, failure }, 'Discord refused the board edit; will try again later');
				refusedUntil.set(id, Date.now() + REFUSED_BACKOFF_MS);
			}
		} finally {
			await edits.completed(boardId, holder);
		}
	}

	async function look(): Promise<void> {
		for (const id of await sequences.behind()) {
			await update(id).catch((error: unknown) => logger.warn({ err: error, sequenceId: id }, 'board update failed'));
		}
	}

	let running: Promise<void> | undefined;
	let again = false;
	let timer: NodeJS.Timeout | undefined;
	const run = (): void => {
		if (timer === undefined) return;
		if (running !== undefined) {
			again = true;
			return;
		}
		running = look()
			.catch((error: unknown) => logger.warn({ err: error }, 'board keeper failed'))
			.finally(() => {
				running = undefined;
				if (again) {
					again = false;
					run();
				}
			});
	};
	return {
		nudge: run,
		/** Once the client can talk to Discord: the first look catches up on changes made while no bot ran. */
		start() {
			timer ??= setInterval(run, Math.min(LOOK_EVERY_MS, options.intervalMs));
			timer.unref();
			run();
		},
		stop() {
			clearInterval(timer);
			timer = undefined;
		},
	};
}
