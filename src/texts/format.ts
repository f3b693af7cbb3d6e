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

/** A prompt on one line, shortened for a shot listing. */
export function shotPrompt(prompt: string): string {
	const line = prompt.replace(/\s+/g, ' ').trim();
	return line.length > SHOT_PROMPT ? `${line.slice(0, SHOT_PROMPT - 1)}…` : line;
}

const MAX_QUOTE = 300;

/** Quotes a prompt as a Markdown block, shortened so progress messages stay readable. */
export function quote(prompt: string): string {
	const short = prompt.length > MAX_QUOTE ? `${prompt.slice(0, MAX_QUOTE - 1)}…` : prompt;
	return short
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
