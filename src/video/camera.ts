/**
 * The camera-move language: the one place that reads, checks and spells camera moves, whether they
 * come from the `camera` option or from brackets in the prompt. Nothing here throws; every check
 * returns a typed result, and the caller decides what the user is told.
 */

/**
 * The camera moves MiniMax's Director models understand, exactly as the provider documents spell
 * them. Moves go in square brackets inside the prompt; up to three in one bracket run together.
 */
export const CAMERA_MOVES = [
	'Truck left',
	'Truck right',
	'Pan left',
	'Pan right',
	'Push in',
	'Pull out',
	'Pedestal up',
	'Pedestal down',
	'Tilt up',
	'Tilt down',
	'Zoom in',
	'Zoom out',
	'Shake',
	'Tracking shot',
	'Static shot',
] as const;

export type CameraMove = (typeof CAMERA_MOVES)[number];

export const MAX_MOVES_PER_BRACKET = 3;

/**
 * Film words people use for each move. They are read like the moves themselves (any case, any
 * spacing, hyphens or none), and always sent under the move's documented name. Words that name two
 * moves at once (a bare "dolly", "crane" or "pan") are left out on purpose: the parser suggests the
 * nearest move for them and the autocomplete offers both.
 */
export const CAMERA_SYNONYMS: { readonly [M in CameraMove]: readonly string[] } = {
	'Truck left': ['track left', 'crab left', 'slide left', 'strafe left', 'move left'],
	'Truck right': ['track right', 'crab right', 'slide right', 'strafe right', 'move right'],
	'Pan left': ['pan to the left', 'pan leftward', 'pan leftwards', 'swing left', 'turn left', 'yaw left'],
	'Pan right': ['pan to the right', 'pan rightward', 'pan rightwards', 'swing right', 'turn right', 'yaw right'],
	'Push in': [
		'push',
		'push forward',
		'dolly in',
		'dolly forward',
		'track in',
		'track forward',
		'move in',
		'move closer',
	],
	'Pull out': [
		'pull',
		'pull back',
		'pull away',
		'dolly out',
		'dolly back',
		'dolly backward',
		'track out',
		'track back',
		'move out',
		'move back',
		'move away',
	],
	'Pedestal up': ['ped up', 'crane up', 'boom up', 'jib up', 'rise up', 'move up', 'elevate'],
	'Pedestal down': ['ped down', 'crane down', 'boom down', 'jib down', 'sink down', 'move down', 'descend'],
	'Tilt up': ['tilt upward', 'tilt upwards', 'look up', 'pitch up'],
	'Tilt down': ['tilt downward', 'tilt downwards', 'look down', 'pitch down'],
	'Zoom in': ['zoom', 'zoom closer', 'zoom forward', 'punch in', 'crash zoom', 'magnify'],
	'Zoom out': ['zoom back', 'zoom away', 'zoom wide', 'zoom wider', 'widen', 'unzoom'],
	'Shake': ['handheld', 'shaky', 'shaky cam', 'camera shake', 'shaking', 'jitter', 'wobble'],
	'Tracking shot': [
		'tracking',
		'track',
		'tracking cam',
		'follow',
		'follow shot',
		'following',
		'following shot',
		'follow cam',
		'chase cam',
		'steadicam',
	],
	'Static shot': [
		'static',
		'static camera',
		'still',
		'still shot',
		'locked off',
		'locked off shot',
		'lock off',
		'locked',
		'fixed shot',
		'tripod shot',
		'stationary',
		'no movement',
		'no camera movement',
	],
};

/** Moves that cannot run together in one bracket. Static shot also contradicts every other move. */
export const OPPOSITE_MOVES: readonly (readonly [CameraMove, CameraMove])[] = [
	['Truck left', 'Truck right'],
	['Pan left', 'Pan right'],
	['Push in', 'Pull out'],
	['Pedestal up', 'Pedestal down'],
	['Tilt up', 'Tilt down'],
	['Zoom in', 'Zoom out'],
];

export function contradicts(a: CameraMove, b: CameraMove): boolean {
	if (a === b) return false;
	if (a === 'Static shot' || b === 'Static shot') return true;
	return OPPOSITE_MOVES.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
}

/** Why a list of moves was refused. `item` is what the user wrote; moves are in documented spelling. */
export type CameraError =
	| { readonly reason: 'unknown'; readonly item: string; readonly suggestion?: CameraMove }
	| { readonly reason: 'too-many'; readonly count: number }
	| { readonly reason: 'duplicate'; readonly item: CameraMove }
	| { readonly reason: 'contradiction'; readonly a: CameraMove; readonly b: CameraMove };

export type CameraParse =
	{ readonly ok: true; readonly moves: readonly CameraMove[] } | ({ readonly ok: false } & CameraError);

// ---------------------------------------------------------------------------------------------
// Spelling

const COMBINING_MARKS = /[\u0300-\u036f]/g;
const NOT_WORD = /[^a-z0-9]+/g;

/** Lower case, accents and compatibility forms folded ("Ｐán" → "pan"), anything else a single space. */
export function cameraWords(text: string): string {
	return text.normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase().replace(NOT_WORD, ' ').trim();
}

/** The spelling moves are compared by: `cameraWords` without spaces, so "pan-left" and "panLeft" agree. */
export function cameraKey(text: string): string {
	return cameraWords(text).replaceAll(' ', '');
}

/** Items of one bracket or of the `camera` option: separated by commas, and also by ; + & or "and". */
export function splitCameraItems(text: string): string[] {
	return text.split(/[,;+&]|\band\b/i);
}

export const formatMoves = (moves: readonly CameraMove[]): string => moves.join(', ');

export const formatBracket = (moves: readonly CameraMove[]): string => `[${formatMoves(moves)}]`;

// ---------------------------------------------------------------------------------------------
// Typo distance

/** Queries longer than this are never compared letter by letter (no move or synonym is half as long). */
export const MAX_FUZZY_LENGTH = 40;

const BUFFER = MAX_FUZZY_LENGTH + 2;
const row0 = new Int32Array(BUFFER);
const row1 = new Int32Array(BUFFER);
const row2 = new Int32Array(BUFFER);

/**
 * Optimal-string-alignment distance (insertions, deletions, substitutions and swaps of neighbours)
 * between `query` and `term` (`full`), and between `query` and the closest prefix of `term`
 * (`prefix`, for completing a half-typed word). Stops early: a result above `max` is `max + 1`.
 */
export function typoDistance(query: string, term: string, max: number): { full: number; prefix: number } {
	const over = { full: max + 1, prefix: max + 1 };
	const n = query.length;
	const m = term.length;
	if (n > MAX_FUZZY_LENGTH || m > MAX_FUZZY_LENGTH) return over;
	if (n === 0) return { full: Math.min(m, max + 1), prefix: 0 };
	if (n - m > max) return over;
	let before = row0; // row i - 2
	let previous = row1; // row i - 1
	let current = row2; // row i
	for (let j = 0; j <= m; j += 1) previous[j] = j;
	for (let i = 1; i <= n; i += 1) {
		current[0] = i;
		let rowMin = i;
		const qi = query.charCodeAt(i - 1);
		for (let j = 1; j <= m; j += 1) {
			const tj = term.charCodeAt(j - 1);
			const substitute = (previous[j - 1] ?? 0) + (qi === tj ? 0 : 1);
			let value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitute);
			if (i > 1 && j > 1 && qi === term.charCodeAt(j - 2) && query.charCodeAt(i - 2) === tj) {
				value = Math.min(value, (before[j - 2] ?? 0) + 1);
			}
			current[j] = value;
			if (value < rowMin) rowMin = value;
		}
		if (rowMin > max) return over;
		[before, previous, current] = [previous, current, before];
	}
	let prefix = max + 1;
	for (let j = 0; j <= m; j += 1) prefix = Math.min(prefix, previous[j] ?? prefix);
	return { full: Math.min(previous[m] ?? max + 1, max + 1), prefix };
}

/** How many typos a word of this length may carry and still be read as a move: none under 5 letters. */
export function typoTolerance(length: number): number {
	if (length < 5) return 0;
	return length < 8 ? 1 : 2;
}

// ---------------------------------------------------------------------------------------------
// The vocabulary

/** One way of writing a move: its documented name or a synonym. */
export interface CameraTerm {
	readonly move: CameraMove;
	/** As shown to people ("dolly in"). */
	readonly text: string;
	/** `cameraWords(text)`. */
	readonly words: string;
	/** `cameraKey(text)`. */
	readonly key: string;
	readonly canonical: boolean;
}

export const CAMERA_TERMS: readonly CameraTerm[] = CAMERA_MOVES.flatMap((move) => [
	{ move, text: move, words: cameraWords(move), key: cameraKey(move), canonical: true },
	...CAMERA_SYNONYMS[move].map((text) => ({
		move,
		text,
		words: cameraWords(text),
		key: cameraKey(text),
		canonical: false,
	})),
]);

const byKey = new Map<string, CameraMove>(CAMERA_TERMS.map((term) => [term.key, term.move]));

export function isCameraMove(text: string): text is CameraMove {
	return (CAMERA_MOVES as readonly string[]).includes(text);
}

/** The move an item names exactly (any case and spacing, or a synonym), else undefined. */
export function resolveMove(item: string): CameraMove | undefined {
	return byKey.get(cameraKey(item));
}

/** The moves nearest to `key` within `max` typos, and their distance. */
function nearest(key: string, max: number): { moves: CameraMove[]; distance: number } {
	let best = max + 1;
	let moves: CameraMove[] = [];
	for (const term of CAMERA_TERMS) {
		const { full } = typoDistance(key, term.key, best);
		if (full < best) {
			best = full;
			moves = [term.move];
		} else if (full === best && full <= max && !moves.includes(term.move)) {
			moves.push(term.move);
		}
	}
	return { moves: best <= max ? moves : [], distance: best };
}

/**
 * The move an item names exactly or with a small typo ("pann left", "zoom ot"), when only one move
 * is that close; else undefined. Words under five letters must be exact.
 */
export function correctMove(item: string): CameraMove | undefined {
	const key = cameraKey(item);
	const exact = byKey.get(key);
	if (exact !== undefined || key.length > MAX_FUZZY_LENGTH) return exact;
	const tolerance = typoTolerance(key.length);
	if (tolerance === 0) return undefined;
	const { moves } = nearest(key, tolerance);
	return moves.length === 1 ? moves[0] : undefined;
}

/**
 * The move to suggest for an item that names none: the nearest one within roughly 40% of its
 * letters ("zoon in" → Zoom in, "dolly" → Push in), else the longest move or synonym written
 * inside it ("slow pan left" → Pan left). Undefined when nothing is reasonably close ("Barrel roll").
 */
export function suggestMove(item: string): CameraMove | undefined {
	const key = cameraKey(item);
	if (key === '') return undefined;
	const exact = byKey.get(key);
	if (exact !== undefined) return exact;
	const { moves } = nearest(key, Math.max(1, Math.ceil(key.length * 0.4)));
	if (moves[0] !== undefined) return moves[0];
	let inside: CameraTerm | undefined;
	for (const term of CAMERA_TERMS) {
		if (term.key.length >= 4 && key.includes(term.key) && term.key.length > (inside?.key.length ?? 0)) inside = term;
	}
	return inside?.move;
}

const MULTI_WORD_MOVES = CAMERA_MOVES.filter((move) => move.includes(' ')).map(cameraWords);

/**
 * True when an item reads as a camera move: exactly, with a small typo (see `correctMove`), or as a
 * short phrase of at most four words around a documented two-word name ("slow pan left").
 */
export function looksLikeCameraMove(item: string): boolean {
	if (correctMove(item) !== undefined) return true;
	const words = cameraWords(item);
	if (words.split(' ').length > 4) return false;
	const padded = ` ${words} `;
	return MULTI_WORD_MOVES.some((move) => padded.includes(` ${move} `));
}

// ---------------------------------------------------------------------------------------------
// Checking lists of moves

/** Whether `move` may join `moves` in one bracket: not a fourth move, a repeat or a contradiction. */
export function canAddMove(moves: readonly CameraMove[], move: CameraMove): boolean {
	return (
		moves.length < MAX_MOVES_PER_BRACKET && !moves.includes(move) && !moves.some((other) => contradicts(other, move))
	);
}

/** Checks moves that are already known: duplicates, contradictions, then the count. */
export function checkMoves(moves: readonly CameraMove[]): CameraParse {
	const seen: CameraMove[] = [];
	for (const move of moves) {
		if (seen.includes(move)) return { ok: false, reason: 'duplicate', item: move };
		const clash = seen.find((other) => contradicts(other, move));
		if (clash !== undefined) return { ok: false, reason: 'contradiction', a: clash, b: move };
		seen.push(move);
	}
	if (seen.length > MAX_MOVES_PER_BRACKET) return { ok: false, reason: 'too-many', count: seen.length };
	return { ok: true, moves: seen };
}

function parseItems(items: readonly string[]): CameraParse {
	const moves: CameraMove[] = [];
	for (const item of items) {
		const move = resolveMove(item);
		if (move === undefined) {
			const suggestion = suggestMove(item);
			return suggestion === undefined
				? { ok: false, reason: 'unknown', item }
				: { ok: false, reason: 'unknown', item, suggestion };
		}
		moves.push(move);
		const checked = checkMoves(moves);
		// The count is judged once every item is known, so "4 moves" wins over nothing else.
		if (!checked.ok && checked.reason !== 'too-many') return checked;
	}
	return checkMoves(moves);
}

const itemsOf = (text: string): string[] =>
	splitCameraItems(text)
		.map((item) => item.trim())
		.filter((item) => item !== '');

/**
 * Parses a list such as "pan LEFT, dolly in" (optionally in brackets) into documented moves.
 * Refuses an unknown move (with the nearest one as a suggestion when there is one), a repeat, two
 * moves that contradict each other, and more than three moves. An empty list is valid and empty.
 */
export function parseCamera(input: string): CameraParse {
	return parseItems(itemsOf(input.replace(/^\s*\[/, '').replace(/\]\s*$/, '')));
}

// ---------------------------------------------------------------------------------------------
// Brackets in the prompt

/** One bracket of moves in a prompt: a shot. Offsets are in the text that was parsed. */
export interface PromptShot {
	readonly moves: readonly CameraMove[];
	/** Offset of the shot's "[". */
	readonly start: number;
	/** Offset just past its "]". */
	readonly end: number;
}

export type PromptShots =
	| { readonly ok: true; readonly shots: readonly PromptShot[] }
	| ({
			readonly ok: false;
			/** The bracket as written, e.g. "[pan left, pan right]". */
			readonly bracket: string;
			readonly start: number;
	  } & CameraError);

const BRACKET = /\[([^[\]]*)\]/g;

/**
 * The camera brackets of a prompt, in the order the shots play. A bracket is a shot when any item
 * in it reads as a camera move (see `looksLikeCameraMove`: "Pan left", "dolly in", "zoon in", "slow
 * pan left"); then every item must be valid, with the same rules as the `camera` option, so
 * "[zoon in]" and "[pan left, pan right]" are refused. Brackets without camera words ("[red]",
 * "[]", "[a red truck]") are plain text and are left alone.
 */
export function parsePromptShots(prompt: string): PromptShots {
	const shots: PromptShot[] = [];
	for (const match of prompt.matchAll(BRACKET)) {
		const items = itemsOf(match[1] ?? '');
		if (!items.some(looksLikeCameraMove)) continue;
		const parsed = parseItems(items);
		if (!parsed.ok) return { ...parsed, bracket: match[0], start: match.index };
		shots.push({ moves: parsed.moves, start: match.index, end: match.index + match[0].length });
	}
	return { ok: true, shots };
}

export type NormalisedPrompt =
	| { readonly ok: true; readonly prompt: string; readonly shots: readonly PromptShot[] }
	| Extract<PromptShots, { ok: false }>;

/**
 * The prompt with every camera bracket rewritten in documented spelling ("[dolly in, zoom out]" →
 * "[Push in, Zoom out]"), so what the user sees is exactly what the provider gets. The shots'
 * offsets are in the rewritten prompt. Normalising twice changes nothing.
 */
export function normalisePrompt(prompt: string): NormalisedPrompt {
	const parsed = parsePromptShots(prompt);
	if (!parsed.ok) return parsed;
	let out = '';
	let from = 0;
	const shots: PromptShot[] = [];
	for (const shot of parsed.shots) {
		out += prompt.slice(from, shot.start);
		const bracket = formatBracket(shot.moves);
		shots.push({ moves: shot.moves, start: out.length, end: out.length + bracket.length });
		out += bracket;
		from = shot.end;
	}
	return { ok: true, prompt: out + prompt.slice(from), shots };
}

/** True when some bracket of the prompt is a valid list of camera moves. */
export function promptHasCameraMoves(prompt: string): boolean {
	for (const match of prompt.matchAll(BRACKET)) {
		const parsed = parseCamera(match[1] ?? '');
		if (parsed.ok && parsed.moves.length > 0) return true;
	}
	return false;
}

// ---------------------------------------------------------------------------------------------
// Balanced, flat brackets

/**
 * Why the brackets of a prompt do not pair up. `index` is a UTF-16 offset in the text checked;
 * the excerpts are read after doubled brackets of moves were undone.
 */
export interface BracketProblem {
	/** A "[" never closed, a "]" never opened, or a "[" inside a bracket. */
	readonly reason: 'unclosed' | 'stray' | 'nested';
	/** Offset of the offending bracket. */
	readonly index: number;
	/** The prompt around it, as written (shortened with "…"). */
	readonly excerpt: string;
	/** The same excerpt with a concrete fix applied. */
	readonly fix: string;
}

export type BracketCheck =
	| {
			readonly ok: true;
			/** The text, with its unambiguous bracket slips repaired. */
			readonly text: string;
			/** Whether `text` differs from the text checked. */
			readonly repaired: boolean;
	  }
	| ({ readonly ok: false } & BracketProblem);

/** Characters of context kept on each side of a bracket problem. */
const CONTEXT = 24;

/** `text[from, to)`, widened by `CONTEXT` on each side and marked "…" where it was cut. */
function around(text: string, from: number, to: number): { head: string; body: string; tail: string } {
	const start = Math.max(0, from - CONTEXT);
	const end = Math.min(text.length, to + CONTEXT);
	return {
		head: `${start > 0 ? '…' : ''}${text.slice(start, from)}`,
		body: text.slice(from, to),
		tail: `${text.slice(to, end)}${end < text.length ? '…' : ''}`,
	};
}

/** Every item names a move exactly (any spelling or synonym), and there is at least one. */
const allMoves = (text: string): boolean => {
	const items = itemsOf(text);
	return items.length > 0 && items.every((item) => resolveMove(item) !== undefined);
};

/** The longest run of leading (or trailing) words of `text` that names only moves, if any. */
function movesAtEdge(text: string, edge: 'start' | 'end'): string | undefined {
	const words = text.trim().split(/\s+/);
	for (let count = Math.min(words.length, 8); count > 0; count -= 1) {
		const run = (edge === 'start' ? words.slice(0, count) : words.slice(-count)).join(' ');
		if (allMoves(run) && !/^[,;+&]|[,;+&]$/.test(run)) return run;
	}
	return undefined;
}

/** "[[Pan left]]" is one bracket typed twice: read as "[Pan left]" when it holds only moves. */
const DOUBLED = /\[\s*\[([^[\]]*)\]\s*\]/g;

function unclosed(text: string, open: number): BracketProblem {
	const rest = text.slice(open + 1);
	const { head, tail } = around(text, open, open + 1);
	const excerpt = `${head}[${tail}`;
	const moves = movesAtEdge(rest, 'start');
	// Without moves to close it on, the "[" is best removed.
	if (moves === undefined) return { reason: 'unclosed', index: open, excerpt, fix: head + tail };
	const after = around(rest.trimStart().slice(moves.length), 0, 0).tail;
	return { reason: 'unclosed', index: open, excerpt, fix: `${head}[${moves}]${after}` };
}

function stray(text: string, close: number): BracketProblem {
	const before = text.slice(text.lastIndexOf(']', close - 1) + 1, close);
	const moves = movesAtEdge(before, 'end');
	const { head, tail } = around(text, close, close + 1);
	const excerpt = `${head}]${tail}`;
	if (moves === undefined) return { reason: 'stray', index: close, excerpt, fix: head + tail };
	const at = text.lastIndexOf(moves, close);
	if (at < 0) return { reason: 'stray', index: close, excerpt, fix: head + tail };
	const fixed = `${text.slice(0, at)}[${moves}]${text.slice(close + 1)}`;
	const shown = around(fixed, at, at + moves.length + 2);
	return { reason: 'stray', index: close, excerpt, fix: shown.head + shown.body + shown.tail };
}

function nested(text: string, open: number, inner: number): BracketProblem {
	const close = text.indexOf(']', inner);
	const first = text.slice(open + 1, inner).trim();
	const end = close < 0 ? text.length : close + 1;
	// The outer bracket's own "]", right after the inner one, goes with the fix.
	const outerClose = /^\s*\]/.exec(text.slice(end));
	const to = end + (outerClose?.[0].length ?? 0);
	const { head, body, tail } = around(text, open, to);
	const second = text.slice(inner, end);
	const fixed = first === '' ? second : `[${first}] ${second}`;
	return { reason: 'nested', index: inner, excerpt: head + body + tail, fix: head + fixed + tail };
}

/**
 * Checks that every "[" of a prompt is closed by a "]" before another "[" opens, and that no "]"
 * closes nothing: the provider reads brackets as camera directions, and a slip there sends text it
 * misreads. Two slips have only one meaning and are repaired: a last bracket left open whose words
 * are all camera moves ("a cat [pan left" → "a cat [pan left]"), and moves in doubled brackets
 * ("[[Pan left]]" → "[Pan left]"). Anything else is refused with where it is and a concrete fix.
 */
export function checkBrackets(prompt: string): BracketCheck {
	// Where doubled brackets were undone, so a slip after them is placed in the prompt as written.
	const undone: { at: number; removed: number }[] = [];
	let removedSoFar = 0;
	const text = prompt.replace(DOUBLED, (whole: string, inside: string, offset: number) => {
		if (!allMoves(inside)) return whole;
		const removed = whole.length - inside.length - 2;
		undone.push({ at: offset - removedSoFar, removed });
		removedSoFar += removed;
		return `[${inside}]`;
	});
	const asWritten = (slip: BracketProblem): BracketProblem => ({
		...slip,
		index: slip.index + undone.filter(({ at }) => at < slip.index).reduce((sum, { removed }) => sum + removed, 0),
	});
	let open = -1;
	for (let i = 0; i < text.length; i += 1) {
		const char = text[i];
		if (char === '[') {
			if (open >= 0) return { ok: false, ...asWritten(nested(text, open, i)) };
			open = i;
		} else if (char === ']') {
			if (open < 0) return { ok: false, ...asWritten(stray(text, i)) };
			open = -1;
		}
	}
	if (open >= 0) {
		if (!allMoves(text.slice(open + 1))) return { ok: false, ...asWritten(unclosed(text, open)) };
		const closed = `${text.trimEnd()}]`;
		return { ok: true, text: closed, repaired: true };
	}
	return { ok: true, text, repaired: text !== prompt };
}
