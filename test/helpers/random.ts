/** Seeded randomness, so a failing input can be reproduced from the seed in the test's message. */
export type Random = () => number;

/** mulberry32: small, fast and good enough to spread test inputs. */
export function seeded(seed: number): Random {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

/** Letters, separators, brackets, odd Unicode (combining marks, bidi, lone surrogates), controls, camera words. */
const CHAOS = [
	...'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789',
	...[',', ',', ',', '[', ']', '[', ']', ' ', ' ', '-', '_', ';', '+', '&', '.', '\n', '\t', '\r'],
	...['é', 'ß', 'İ', '中', '文', 'ﬁ', 'Ｐ', '\u3000', '🎥', '👍🏽', '\u0301', '\u200b', '\u202e', '\uFEFF'],
	...['\u0000', '\u0007', '\u001f', '\u007f', '\ud83c', '\udfa5'],
	...['pan', 'left', 'right', 'zoom', 'in', 'out', 'dolly', 'shake', 'and', 'static', 'up', 'down', 'tilt', 'push'],
];

/** Mostly short, sometimes hundreds or thousands of characters, from a mixed alphabet. */
export function randomText(random: Random): string {
	const roll = random();
	const length = Math.floor(random() * (roll < 0.05 ? 6000 : roll < 0.3 ? 300 : 60));
	let text = '';
	while (text.length < length) text += pick(random, CHAOS);
	return text;
}
