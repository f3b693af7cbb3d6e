import {
	CAMERA_MOVES,
	CAMERA_TERMS,
	MAX_MOVES_PER_BRACKET,
	cameraKey,
	cameraWords,
	canAddMove,
	checkMoves,
	correctMove,
	formatMoves,
	parseCamera,
	resolveMove,
	splitCameraItems,
	typoDistance,
	type CameraMove,
	type CameraTerm,
} from './camera.js';

/**
 * Autocomplete for the `camera` option, answered from memory (Discord gives autocomplete 3 s and no
 * way to defer; this takes well under a millisecond).
 *
 * - Nothing typed: the server's most used combinations (passed in), then the presets, then single
 *   moves, up to Discord's 25 choices.
 * - Typing completes the LAST comma-separated item and keeps the ones before it. Earlier items are
 *   read with small typos forgiven ("pann left" → Pan left); ones that are unknown, repeated or that
 *   contradict an earlier one are dropped, and at most three are kept. The last item matches the
 *   moves' names, their synonyms ("dolly" → Push in, Pull out) and the presets' names ("vertigo"),
 *   with typos forgiven ("zoon" → Zoom in, Zoom out). A move that would be a fourth, a repeat or a
 *   contradiction is never offered.
 * - The last item matches something, but nothing that fits with the moves before it: the moves
 *   before it alone. It matches nothing at all: it is treated as not typed yet, so the answer is
 *   never empty.
 *
 * Every value is a valid, documented move list ("Pan left, Zoom in") that `parseCamera` accepts;
 * names show where a value comes from ("Push in (dolly in)", "Orbit reveal: Truck left, Pan right").
 * Nothing the user typed is echoed back, so odd input cannot produce an odd choice. Never throws.
 */

export interface CameraChoice {
	name: string;
	value: string;
}

/** The one note a camera choice may carry, in the user's language (`src/texts/` fills it). */
export interface AutocompleteWords {
	popularHere(moves: string): string;
}

export interface SuggestCameraOptions {
	/** This server's most used move lists, most used first (e.g. from `PopularCombos.top`). */
	readonly popular?: readonly string[] | undefined;
	/**
	 * The user's language, for the one note a choice carries ("(popular here)"). Moves and presets
	 * keep their film names: they are what the user types and the provider reads.
	 */
	readonly texts: AutocompleteWords;
}

/** Discord's limits for autocomplete answers. */
export const MAX_CHOICES = 25;
export const MAX_CHOICE_LENGTH = 100;
/** Typed text past this length is ignored (Discord caps the option at 100 characters anyway). */
export const MAX_TYPED_LENGTH = 300;
/** Popular lists shown when nothing is typed, before the presets. */
export const MAX_POPULAR_SHOWN = 5;
const MAX_POPULAR_READ = 25;
const MAX_POPULAR_ENTRY_LENGTH = 200;

export interface CameraPreset {
	readonly name: string;
	readonly moves: readonly CameraMove[];
}

/** Named combinations from film grammar, offered when nothing is typed and found by name. */
export const CAMERA_PRESETS: readonly CameraPreset[] = [
	{ name: 'Orbit reveal', moves: ['Truck left', 'Pan right'] },
	{ name: 'Reverse orbit', moves: ['Truck right', 'Pan left'] },
	{ name: 'Vertigo (dolly zoom)', moves: ['Push in', 'Zoom out'] },
	{ name: 'Crane reveal', moves: ['Pedestal up', 'Tilt down'] },
	{ name: 'Crane drop', moves: ['Pedestal down', 'Tilt up'] },
	{ name: 'Handheld follow', moves: ['Tracking shot', 'Shake'] },
	{ name: 'Side tracking', moves: ['Tracking shot', 'Truck right'] },
	{ name: 'Establishing pull-back', moves: ['Pull out', 'Pedestal up'] },
	{ name: 'Hero push-in', moves: ['Push in', 'Tilt up'] },
	{ name: 'Impact zoom', moves: ['Zoom in', 'Shake'] },
];

// Tables built on first use, not at import: camera.ts re-exports this module for now, and this
// module must not read camera.ts's values before camera.ts has run.
interface IndexedTerm {
	readonly term: CameraTerm;
	readonly wordList: readonly string[];
}
interface IndexedPreset {
	readonly preset: CameraPreset;
	readonly key: string;
	readonly wordList: readonly string[];
	readonly order: number;
}
let termIndex: readonly IndexedTerm[] | undefined;
let presetIndex: readonly IndexedPreset[] | undefined;

function terms(): readonly IndexedTerm[] {
	termIndex ??= CAMERA_TERMS.map((term) => ({ term, wordList: term.words.split(' ') }));
	return termIndex;
}

function presets(): readonly IndexedPreset[] {
	presetIndex ??= CAMERA_PRESETS.map((preset, order) => ({
		preset,
		key: cameraKey(preset.name),
		wordList: cameraWords(preset.name).split(' '),
		order,
	}));
	return presetIndex;
}

const clip = (text: string) => (text.length > MAX_CHOICE_LENGTH ? `${text.slice(0, MAX_CHOICE_LENGTH - 1)}…` : text);

const choice = (name: string, value: string): CameraChoice => ({ name: clip(name), value });

const plain = (moves: readonly CameraMove[]): CameraChoice => choice(formatMoves(moves), formatMoves(moves));

/** "Orbit reveal: Truck left, Pan right", or after kept moves "Shake + Orbit reveal: Truck left, Pan right". */
const presetChoice = (kept: readonly CameraMove[], preset: CameraPreset): CameraChoice => {
	const named = `${preset.name}: ${formatMoves(preset.moves)}`;
	return choice(kept.length === 0 ? named : `${formatMoves(kept)} + ${named}`, formatMoves([...kept, ...preset.moves]));
};

const popularChoice =
	(texts: AutocompleteWords) =>
	(moves: readonly CameraMove[]): CameraChoice =>
		choice(texts.popularHere(formatMoves(moves)), formatMoves(moves));

/** The caller's popular lists, each re-checked: only valid lists of one to three moves, once each. */
function readPopular(popular: readonly string[] | undefined): CameraMove[][] {
	if (popular === undefined) return [];
	const lists: CameraMove[][] = [];
	const seen = new Set<string>();
	for (const entry of popular.slice(0, MAX_POPULAR_READ)) {
		if (typeof entry !== 'string' || entry.length > MAX_POPULAR_ENTRY_LENGTH) continue;
		const parsed = parseCamera(entry);
		if (!parsed.ok || parsed.moves.length === 0) continue;
		const value = formatMoves(parsed.moves);
		if (seen.has(value)) continue;
		seen.add(value);
		lists.push([...parsed.moves]);
	}
	return lists;
}

/** The moves typed before the last item that can stand together (see the module comment). */
function keptMoves(items: readonly string[]): CameraMove[] {
	const kept: CameraMove[] = [];
	for (const item of items) {
		if (kept.length === MAX_MOVES_PER_BRACKET) break;
		const move = correctMove(item);
		if (move !== undefined && canAddMove(kept, move)) kept.push(move);
	}
	return kept;
}

const finish = (choices: readonly CameraChoice[]): CameraChoice[] => {
	const seen = new Set<string>();
	const out: CameraChoice[] = [];
	for (const entry of choices) {
		if (seen.has(entry.value)) continue;
		seen.add(entry.value);
		out.push(entry);
		if (out.length === MAX_CHOICES) break;
	}
	return out;
};

/** Choices when the last item is empty (or unreadable): what can follow the moves kept so far. */
function continuations(
	kept: readonly CameraMove[],
	popular: readonly (readonly CameraMove[])[],
	texts: AutocompleteWords,
): CameraChoice[] {
	if (kept.length === 0) {
		return finish([
			...popular.slice(0, MAX_POPULAR_SHOWN).map(popularChoice(texts)),
			...CAMERA_PRESETS.map((preset) => presetChoice([], preset)),
			...CAMERA_MOVES.map((move) => plain([move])),
		]);
	}
	if (kept.length >= MAX_MOVES_PER_BRACKET) return [plain(kept)];
	const continuesKept = (list: readonly CameraMove[]) =>
		list.length > kept.length && kept.every((move, index) => list[index] === move);
	return finish([
		plain(kept),
		...popular.filter(continuesKept).map(popularChoice(texts)),
		...CAMERA_MOVES.filter((move) => canAddMove(kept, move)).map((move) => plain([...kept, move])),
		...CAMERA_PRESETS.filter((preset) => checkMoves([...kept, ...preset.moves]).ok).map((preset) =>
			presetChoice(kept, preset),
		),
	]);
}

/** How many typos a half-typed word may carry: none under 3 letters, then one per 4 letters or so. */
const prefixTolerance = (length: number) => (length < 3 ? 0 : length <= 4 ? 1 : length <= 8 ? 2 : 3);

/** True when every query word starts some word of the candidate ("left pan" → "pan left"). */
const wordsStart = (query: readonly string[], words: readonly string[]) =>
	query.every((part) => words.some((word) => word.startsWith(part)));

/**
 * Lower is better: 0 exact, 1 the spelling starts with the query, 2 its words start with the
 * query's words, 3 the documented name contains the query. Synonyms need two letters and match by
 * their start only, so short queries stay focused.
 */
function scoreTerm({ term, wordList }: IndexedTerm, key: string, queryWords: readonly string[]): number | undefined {
	if (!term.canonical && key.length < 2) return undefined;
	if (term.key === key) return 0;
	if (term.key.startsWith(key)) return 1;
	if (key.length >= 2 && wordsStart(queryWords, wordList)) return 2;
	if (key.length >= 2 && term.canonical && term.key.includes(key)) return 3;
	return undefined;
}

function scorePreset(entry: IndexedPreset, key: string, queryWords: readonly string[]): number | undefined {
	if (entry.key.startsWith(key)) return 1;
	if (key.length >= 3 && wordsStart(queryWords, entry.wordList)) return 2;
	return undefined;
}

/** Typo-tolerant prefix match, used only when nothing matches without typos: 4 + typos / 4. */
function fuzzyScore(candidate: string, key: string, minimum: number): number | undefined {
	const tolerance = key.length >= minimum ? prefixTolerance(key.length) : 0;
	if (tolerance === 0) return undefined;
	const { prefix } = typoDistance(key, candidate, tolerance);
	return prefix <= tolerance ? 4 + prefix / 4 : undefined;
}

interface Ranked {
	readonly choice: CameraChoice;
	readonly score: number;
	readonly popularity: number;
	readonly order: number;
}

export function suggestCamera(typed: string, options: SuggestCameraOptions): CameraChoice[] {
	const popular = readPopular(options.popular);
	const { texts } = options;
	const items = splitCameraItems(String(typed).slice(0, MAX_TYPED_LENGTH));
	const last = items.pop() ?? '';
	const kept = keptMoves(items);
	const key = cameraKey(last);
	if (key === '') return continuations(kept, popular, texts);
	if (kept.length >= MAX_MOVES_PER_BRACKET) return [plain(kept)];

	const queryWords = cameraWords(last).split(' ');
	const best = new Map<CameraMove, { score: number; via: string | undefined }>();
	const presetScores = new Map<IndexedPreset, number>();
	for (const fuzzy of [false, true]) {
		for (const entry of terms()) {
			const score = fuzzy ? fuzzyScore(entry.term.key, key, 3) : scoreTerm(entry, key, queryWords);
			if (score === undefined) continue;
			// A synonym counts slightly less than the documented name, and is shown when it is the reason.
			const total = entry.term.canonical ? score : score + 0.1;
			const current = best.get(entry.term.move);
			if (current === undefined || total < current.score) {
				best.set(entry.term.move, { score: total, via: entry.term.canonical ? undefined : entry.term.text });
			}
		}
		for (const entry of presets()) {
			const score = fuzzy ? fuzzyScore(entry.key, key, 4) : scorePreset(entry, key, queryWords);
			if (score !== undefined) presetScores.set(entry, score + 0.5);
		}
		if (best.size > 0 || presetScores.size > 0) break;
	}

	const popularValues = popular.map(formatMoves);
	const popularity = (value: string) => {
		const index = popularValues.indexOf(value);
		return index === -1 ? Number.POSITIVE_INFINITY : index;
	};
	const ranked: Ranked[] = [];
	for (const [move, match] of best) {
		if (!canAddMove(kept, move)) continue;
		const value = formatMoves([...kept, move]);
		const name = match.via === undefined ? value : `${value} (${match.via})`;
		ranked.push({
			choice: choice(name, value),
			score: match.score,
			popularity: popularity(value),
			order: CAMERA_MOVES.indexOf(move),
		});
	}
	for (const [entry, score] of presetScores) {
		if (!checkMoves([...kept, ...entry.preset.moves]).ok) continue;
		const made = presetChoice(kept, entry.preset);
		ranked.push({ choice: made, score, popularity: popularity(made.value), order: CAMERA_MOVES.length + entry.order });
	}

	if (ranked.length === 0) {
		const matched = best.size > 0 || presetScores.size > 0;
		return matched && kept.length > 0 ? [plain(kept)] : continuations(kept, popular, texts);
	}
	ranked.sort((a, b) => a.score - b.score || a.popularity - b.popularity || a.order - b.order);
	return finish(ranked.map((entry) => entry.choice));
}

export interface PopularCombosOptions {
	/** Distinct lists kept per server; the least used (then the oldest) goes first. Default 100. */
	readonly maxCombosPerGuild?: number;
	/** Servers kept; the one unused the longest goes first. Default 10 000. */
	readonly maxGuilds?: number;
}

/**
 * Counts which move lists each server uses, in memory, bounded. The bot can pass `top(guildId)` to
 * `suggestCamera` as `popular`; a Redis-backed store with the same two methods can replace it.
 */
export class PopularCombos {
	readonly #maxCombos: number;
	readonly #maxGuilds: number;
	readonly #guilds = new Map<string, Map<string, { count: number; last: number }>>();
	#clock = 0;

	public constructor({ maxCombosPerGuild = 100, maxGuilds = 10_000 }: PopularCombosOptions = {}) {
		this.#maxCombos = Math.max(1, maxCombosPerGuild);
		this.#maxGuilds = Math.max(1, maxGuilds);
	}

	/**
	 * Counts one use of a list of moves (documented names or synonyms, in the order used). Returns
	 * false, counting nothing, for an empty or invalid list.
	 */
	public record(guildId: string, moves: readonly string[]): boolean {
		const resolved: CameraMove[] = [];
		for (const text of moves) {
			const move = resolveMove(text);
			if (move === undefined) return false;
			resolved.push(move);
		}
		const checked = checkMoves(resolved);
		if (!checked.ok || resolved.length === 0) return false;
		const value = formatMoves(checked.moves);

		let combos = this.#guilds.get(guildId);
		if (combos === undefined) combos = new Map();
		else this.#guilds.delete(guildId);
		this.#guilds.set(guildId, combos);
		if (this.#guilds.size > this.#maxGuilds) {
			const oldest = this.#guilds.keys().next();
			if (oldest.done !== true) this.#guilds.delete(oldest.value);
		}

		this.#clock += 1;
		const entry = combos.get(value);
		if (entry !== undefined) {
			entry.count += 1;
			entry.last = this.#clock;
			return true;
		}
		if (combos.size >= this.#maxCombos) {
			let victim: [string, { count: number; last: number }] | undefined;
			for (const candidate of combos) {
				if (victim === undefined || candidate[1].count < victim[1].count) victim = candidate;
				else if (candidate[1].count === victim[1].count && candidate[1].last < victim[1].last) victim = candidate;
			}
			if (victim !== undefined) combos.delete(victim[0]);
		}
		combos.set(value, { count: 1, last: this.#clock });
		return true;
	}

	/** The server's `n` most used lists, most used first (the more recently used first on a tie). */
	public top(guildId: string, n = MAX_POPULAR_SHOWN): string[] {
		const combos = this.#guilds.get(guildId);
		if (combos === undefined || n <= 0) return [];
		return [...combos]
			.sort(([, a], [, b]) => b.count - a.count || b.last - a.last)
			.slice(0, n)
			.map(([value]) => value);
	}
}
