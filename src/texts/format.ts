import { cleanText } from '../video/clean.js';

/**
 * Formatting shared by every language: quoting, bars, Discord timestamps, and the number and list
 * shapes each language fills with its own words (units, decimal separator, "and"/"or").
 */

/** What a progress message shows of the job. */
export interface Progress {
	readonly prompt: string;
	readonly model: string;
}

/** What the message carrying a finished clip says of it. */
export interface FinishedClip extends Progress {
	/** The provider's name, e.g. `MiniMax`. */
	readonly provider: string;
	readonly camera: readonly string[];
	/** The clip's length, when known. */
	readonly seconds?: number | undefined;
	/** From the command to the clip. */
	readonly elapsedMs: number;
	/** What the clip cost the server: the provider's figure, else the configured or list price. */
	readonly costUsd?: number | undefined;
}

/** How a clip the channel would not take reached its author anyway. */
export interface Elsewhere {
	/** It was sent to them by direct message. */
	readonly dm: boolean;
	/** A link that plays it, when there is one. */
	readonly link?: string | undefined;
	/** It was sent to them in a message only they see. */
	readonly privately?: boolean;
}

/** One shot as a listing (the board, `/sequence shots`) shows it: one line, position first. */
export interface ShotLine {
	readonly position: number;
	readonly authorId: string;
	/** Already shortened (`shotPrompt`). */
	readonly prompt: string;
	/** The clip's message. */
	readonly link: string;
}

/** A shot the render left out, and why. */
export interface SkippedShot {
	readonly position: number;
	readonly reason: 'deleted' | 'no-clip' | 'download' | 'unreadable';
}

/** What the message carrying a rendered film says of it. */
export interface RenderedFilm {
	readonly title: string;
	/** Shots in the film. */
	readonly shots: number;
	readonly seconds: number;
	readonly transition: 'cut' | 'crossfade';
	/** The authors of the rendered shots, each once, in order of their first shot. */
	readonly authors: readonly string[];
	readonly skipped: readonly SkippedShot[];
}

/** Longest prompt a shot listing shows (never fewer than 30 characters are kept). */
const SHOT_PROMPT = 40;

/** A prompt on one line, shortened and made inert for a shot listing. */
export function shotPrompt(prompt: string): string {
	return echo(prompt.replace(/\s+/g, ' ').trim(), SHOT_PROMPT);
}

/** Discord's limits on what a message (and its parts) may carry, in characters. */
export const DISCORD_LIMITS = {
	content: 2000,
	embedTitle: 256,
	embedDescription: 4096,
	fieldName: 256,
	fieldValue: 1024,
	footer: 2048,
	embedsTotal: 6000,
	modalTitle: 45,
	inputLabel: 45,
	inputPlaceholder: 100,
	inputValue: 4000,
	altText: 1024,
} as const;

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/**
 * `text` cut to at most `max` characters (UTF-16 units, the stricter count), ending in "…" when
 * cut. Never splits a surrogate pair, never leaves a joiner dangling, and never ends on an odd run
 * of backslashes: in Markdown that would escape the ellipsis, or leave half of an escape.
 */
export function cut(text: string, max: number): string {
	if (text.length <= max) return text;
	let end = Math.max(0, max - 1);
	if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
	while (end > 0 && /[\u200C\u200D]/.test(text.charAt(end - 1))) end -= 1;
	let slashes = 0;
	while (slashes < end && text.charAt(end - 1 - slashes) === '\\') slashes += 1;
	if (slashes % 2 === 1) end -= 1;
	return `${text.slice(0, end)}…`;
}

/** The last `count` characters of `text`, without a half surrogate pair at the start. */
function lastChars(text: string, count: number): string {
	const from = Math.max(0, text.length - count);
	return text.slice(isLowSurrogate(text.charCodeAt(from)) ? from + 1 : from);
}

/** Markdown that works anywhere in a line: emphasis, code, spoilers, masked links, headings, quotes, tags. */
const INLINE_MARKDOWN = /[\\*_~`|[\]<>#]/g;
/** Lists at a line's start ("- ", "+ ", "1. "); "-#" subtext too. */
const LIST_START = /^([ \t]*)([-+]|\d+(?=[.)]))/gm;

/**
 * `text` made inert for a message: every Markdown character it could use is escaped, so it reads as
 * typed and cannot style, hide or link anything in the bot's message (a masked link, a heading, a
 * spoiler, a code block, a quote, a list). Raw links lose their scheme's "://" (written "\://"):
 * Discord shows them as text, neither clickable nor embedded, since a link in a message the bot
 * sends would look like the bot's own. Mentions are not escaped here: every message is sent with
 * allowed_mentions that ping nobody, and `<` is escaped, so a typed `<@id>` shows as text.
 */
export function inert(text: string): string {
	return text
		.replace(INLINE_MARKDOWN, '\\$&')
		.replace(LIST_START, (_whole, space: string, mark: string) =>
			/^\d/.test(mark) ? `${space}${mark}\\` : `${space}\\${mark}`,
		)
		.replace(/:\/\//g, '\\://');
}

/**
 * Something the user typed, without hidden characters (see `cleanText`: a refused option may not
 * have been cleaned), shortened to `max` characters and made inert, for quoting in a sentence.
 */
export const echo = (text: string, max = 100): string => inert(cut(cleanText(text, { lines: true }), max));

/** A finished message's content, cut to Discord's 2000 characters: the last guard before sending. */
export const fitMessage = (content: string): string => cut(content, DISCORD_LIMITS.content);

const MAX_QUOTE = 300;
const QUOTE_TAIL = 80;

/**
 * Quotes a prompt as a Markdown block, inert (see `inert`). A long prompt keeps its start and its
 * end, where a repaired or added bracket shows, and loses its middle, so progress messages stay
 * readable and within Discord's limits.
 */
export function quote(prompt: string): string {
	const short =
		prompt.length > MAX_QUOTE ? `${cut(prompt, MAX_QUOTE - QUOTE_TAIL - 2)} ${lastChars(prompt, QUOTE_TAIL)}` : prompt;
	return inert(cleanText(short, { lines: true }))
		.split('\n')
		.map((line) => `> ${line}`)
		.join('\n');
}

/** `▰▰▰▱▱▱▱▱▱▱ 30%`; capped below 100 % because an estimate is not a promise. */
export function progressBar(fraction: number, width = 10): string {
	const capped = Math.min(0.95, Math.max(0, fraction));
	const filled = Math.round(capped * width);
	return `${'▰'.repeat(filled)}${'▱'.repeat(width - filled)} ${Math.round(capped * 100)}%`;
}

/** A Discord timestamp: every reader's app shows it relative to now, in that reader's own language. */
export const relativeTime = (at: number): string => `<t:${Math.ceil(at / 1000)}:R>`;

/** Minutes and seconds with a language's units: `1m 05s` / `42s` in English, `1 min 05 s` in French. */
export function clock(ms: number, units: { readonly minutes: string; readonly seconds: string }): string {
	const seconds = Math.max(0, Math.round(ms / 1000));
	const minutes = Math.floor(seconds / 60);
	return minutes > 0
		? `${minutes}${units.minutes} ${String(seconds % 60).padStart(2, '0')}${units.seconds}`
		: `${seconds}${units.seconds}`;
}

/** Megabytes with one decimal: `1.5 MB`, or `1,5 Mo` with a language's separator and unit. */
export const megabytes = (bytes: number, unit: string, decimalSeparator: string): string =>
	`${(bytes / 1_048_576).toFixed(1).replace('.', decimalSeparator)} ${unit}`;

/** "a, b and c" / "a, b or c", with the language's word for the last join. */
export function listing(items: readonly string[], last: string): string {
	return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1) ?? ''}`;
}

/** A noun's (or verb's) singular and plural, for `plural`. */
export interface Forms {
	readonly one: string;
	readonly other: string;
}

const pluralRules = new Map<string, Intl.PluralRules>();

/**
 * The form that agrees with `count` by the language's own rules (`Intl.PluralRules`): English
 * takes the singular for 1 only, French for 0 and 1 (and 1.5). Languages with more categories
 * ("few", "many") use `other` until their file needs more forms.
 */
export function plural(language: string, count: number, forms: Forms): string {
	let rules = pluralRules.get(language);
	if (rules === undefined) {
		rules = new Intl.PluralRules(language);
		pluralRules.set(language, rules);
	}
	return rules.select(count) === 'one' ? forms.one : forms.other;
}

/** A number and its agreeing noun: `1 video`, `0 videos`, `0 vidéo`. */
export const counted = (language: string, count: number, forms: Forms): string =>
	`${count} ${plural(language, count, forms)}`;
