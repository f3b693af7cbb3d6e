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

const normalise = (text: string) => text.toLowerCase().replace(/[\s_-]+/g, ' ').trim();

const byKey = new Map<string, CameraMove>(CAMERA_MOVES.map((move) => [normalise(move), move]));

export type CameraParse =
	| { readonly ok: true; readonly moves: readonly CameraMove[] }
	| { readonly ok: false; readonly reason: 'unknown'; readonly item: string }
	| { readonly ok: false; readonly reason: 'too-many'; readonly count: number }
	| { readonly ok: false; readonly reason: 'duplicate'; readonly item: CameraMove };

/** Parses a comma-separated list such as "pan LEFT, zoom in" (optionally in brackets). */
export function parseCamera(input: string): CameraParse {
	const items = input
		.replace(/^\s*\[|\]\s*$/g, '')
		.split(',')
		.map((item) => item.trim())
		.filter((item) => item !== '');
	const moves: CameraMove[] = [];
	for (const item of items) {
		const move = byKey.get(normalise(item));
		if (move === undefined) return { ok: false, reason: 'unknown', item };
		if (moves.includes(move)) return { ok: false, reason: 'duplicate', item: move };
		moves.push(move);
	}
	if (moves.length > MAX_MOVES_PER_BRACKET) return { ok: false, reason: 'too-many', count: moves.length };
	return { ok: true, moves };
}

export const formatBracket = (moves: readonly CameraMove[]): string => `[${moves.join(', ')}]`;

/** True when the prompt already directs the camera with a bracket of known moves. */
export function promptHasCameraMoves(prompt: string): boolean {
	for (const match of prompt.matchAll(/\[([^\]]*)\]/g)) {
		const parsed = parseCamera(match[1] ?? '');
		if (parsed.ok && parsed.moves.length > 0) return true;
	}
	return false;
}

/**
 * Autocomplete for the `camera` option: completes the last comma-separated item from the 15 moves
 * and keeps the ones typed before it. A fuller directing vocabulary comes later; this stays cheap
 * and in memory because Discord gives autocomplete 3 s and no way to defer.
 */
export function suggestCamera(typed: string): { name: string; value: string }[] {
	const parts = typed.split(',');
	const last = normalise(parts.pop() ?? '');
	const kept = parts.map((part) => byKey.get(normalise(part))).filter((move) => move !== undefined);
	if (kept.length >= MAX_MOVES_PER_BRACKET) {
		const value = kept.slice(0, MAX_MOVES_PER_BRACKET).join(', ');
		return [{ name: value, value }];
	}
	const prefix = kept.length > 0 ? `${kept.join(', ')}, ` : '';
	return CAMERA_MOVES.filter((move) => !kept.includes(move) && normalise(move).includes(last))
		.sort((a, b) => Number(!normalise(a).startsWith(last)) - Number(!normalise(b).startsWith(last)))
		.slice(0, 25)
		.map((move) => {
			const value = `${prefix}${move}`;
			return { name: value, value };
		});
}
