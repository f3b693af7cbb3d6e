import type { RedisConnection } from '../redis.js';
import { PopularCombos } from '../video/autocomplete.js';

/** How many uses of one combination are replayed into memory when a guild is first asked about. */
const LOAD_CAP = 50;

/**
 * The camera combinations a server uses most, for autocomplete on empty input. Autocomplete must
 * answer from memory (Discord allows 3 s and no deferring), so reads come from this process's
 * memory; Redis keeps the counts for every bot process and restart, and is read once per guild
 * in the background.
 */
export class PopularStore {
	private readonly memory = new PopularCombos();
	private readonly loaded = new Set<string>();

	public constructor(
		private readonly redis: RedisConnection,
		private readonly prefix: string,
	) {}

	private key(guildId: string): string {
		return `${this.prefix}:popular:${guildId}`;
	}

	/** Counts one use of a normalised move list. */
	public async record(guildId: string, moves: readonly string[]): Promise<void> {
		if (moves.length === 0 || !this.memory.record(guildId, moves)) return;
		await this.redis.zincrby(this.key(guildId), 1, moves.join(', '));
	}

	/** Most used first, from memory; the first call for a guild also starts loading Redis's counts. */
	public top(guildId: string | null, n = 5): string[] {
		if (guildId === null) return [];
		if (!this.loaded.has(guildId)) {
			this.loaded.add(guildId);
			this.load(guildId).catch(() => this.loaded.delete(guildId));
		}
		return this.memory.top(guildId, n);
	}

	private async load(guildId: string): Promise<void> {
		const entries = await this.redis.zrevrange(this.key(guildId), 0, 19, 'WITHSCORES');
		for (let i = entries.length - 2; i >= 0; i -= 2) {
			const moves = (entries[i] ?? '').split(', ');
			const uses = Math.min(LOAD_CAP, Number(entries[i + 1]));
			for (let use = 0; use < uses; use++) this.memory.record(guildId, moves);
		}
	}
}
