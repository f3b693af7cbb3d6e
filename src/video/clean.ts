/**
 * Text a user types, made safe to forward and to show: nothing invisible, nothing that turns the
 * text's direction, no control characters. Used on the prompt, the camera option, modal fields and
 * sequence titles before they reach a provider, Redis or a message.
 *
 * Removed: every format character (Unicode category Cf: the bidi embeddings, overrides, marks and
 * isolates U+202A–U+202E, U+200E/U+200F, U+061C, U+2066–U+2069; zero-width U+200B, U+2060, U+FEFF;
 * tags U+E0000–U+E007F; …), every control character (C0, DEL, C1), lone surrogates, and characters
 * that draw nothing although they are not Cf (Hangul fillers, the combining grapheme joiner, Khmer
 * inherent vowels, the variation selectors supplement U+E0100–U+E01EF used to smuggle text).
 *
 * Kept, on purpose: the zero-width joiner and non-joiner (U+200D, U+200C) when they stand between
 * two characters that are neither ASCII nor spaces, where they shape something: emoji sequences
 * (👨‍👩‍👧), Persian and Indic words. Anywhere else (beside Latin text, at an edge, doubled) they
 * only hide something, and are removed. Variation selectors U+FE00–U+FE0F (emoji presentation)
 * are kept.
 *
 * Line breaks: CR LF, CR, U+0085, U+2028 and U+2029 become "\n"; tabs and every other space
 * (U+00A0, U+3000, …) become " ". `lines: false` (a title, a camera list) turns line breaks into
 * spaces too.
 */

const LINE_BREAKS = /\r\n?|[\u0085\u2028\u2029]/g;
const SPACES = /[\t\p{Zs}]/gu;
// Cf and Cc except the joiners (judged by their neighbours below), the newline, and the tab (made
// a space below).
const HIDDEN =
	/(?!\u200C|\u200D|\n|\t)[\p{Cf}\p{Cc}\p{Cs}]|\u034F|\u115F|\u1160|\u17B4|\u17B5|\u3164|\uFFA0|[\u{E0100}-\u{E01EF}]/gu;
const JOINER = /^[\u200C\u200D]$/u;
/** A neighbour that a joiner may shape: not ASCII, not a space or line break, not another joiner. */
const SHAPED = /^[^\p{ASCII}\s\u200C\u200D]$/u;

/** Removes joiners that join nothing (see the module's comment). */
function dropStrayJoiners(text: string): string {
	const chars = [...text];
	const kept: string[] = [];
	for (let i = 0; i < chars.length; i += 1) {
		const char = chars[i] ?? '';
		if (JOINER.test(char)) {
			const before = kept.at(-1) ?? '';
			const after = chars[i + 1] ?? '';
			if (!SHAPED.test(before) || !SHAPED.test(after)) continue;
		}
		kept.push(char);
	}
	return kept.join('');
}

export interface CleanOptions {
	/** Keep line breaks (a prompt); otherwise they become spaces (a title, a camera list). */
	readonly lines?: boolean;
}

/**
 * The text without hidden characters, spaces tidied: runs of spaces become one, at most one empty
 * line in a row, nothing at either end.
 */
export function cleanText(raw: string, options: CleanOptions = {}): string {
	let text = raw.replace(LINE_BREAKS, '\n').replace(HIDDEN, '');
	text = dropStrayJoiners(text).replace(SPACES, ' ');
	if (options.lines !== true) text = text.replace(/\n/g, ' ');
	return text
		.replace(/ {2,}/g, ' ')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

/** Characters `cleanText` never leaves (the joiners are judged by their neighbours, so not here). */
export const FORBIDDEN =
	/(?!\u200C|\u200D|\n)[\p{Cf}\p{Cc}\p{Cs}]|\u034F|\u115F|\u1160|\u17B4|\u17B5|\u3164|\uFFA0|[\u{E0100}-\u{E01EF}]/u;
