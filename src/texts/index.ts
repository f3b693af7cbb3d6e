import { Locale, type LocalizationMap } from 'discord.js';
import {
	BotPermissionError,
	InvalidRequestError,
	LimitReachedError,
	MissingPermissionError,
	NoWorkerError,
	QueueUnavailableError,
	QuotaExceededError,
	SequenceError,
	UnrecognisedRequestError,
} from '../errors.js';
import type { FailureClass } from '../failures.js';
import { en, type Sentences } from './en.js';
import { fr } from './fr.js';
import type { Progress } from './format.js';

/**
 * Every sentence a user reads, in one place (`en.ts`, `fr.ts`, …), chosen by the user's Discord
 * locale. Errors become words only here, so no stack trace, key or internal message can reach a
 * channel. Callers pass the locale they have (`interaction.locale`, or the job's) to `textsFor`;
 * nothing here is global.
 *
 * Adding a language: copy `fr.ts` (its type is `Sentences`, so the compiler lists anything
 * missing), add it to `LANGUAGES` and its Discord locale keys to `DISCORD_LOCALES`.
 */

export {
	cut,
	DISCORD_LIMITS,
	echo,
	fitMessage,
	inert,
	quote,
	progressBar,
	shotPrompt,
	type Elsewhere,
	type FinishedClip,
	type Progress,
	type RenderedFilm,
	type ShotLine,
	type SkippedShot,
} from './format.js';
export { en, type BudgetView, type QueueLine, type QuotaTarget, type Sentences } from './en.js';

/** A language's sentences, plus the choices between them that do not depend on the language. */
export interface Texts extends Sentences {
	/** The language code, e.g. `en`. */
	readonly language: Language;
	/**
	 * Words for an error raised while handling an interaction, before a job exists; `ref` is the
	 * id of an unexpected error's log line, shown so an admin can find it.
	 */
	commandError(error: unknown, ref?: string): string;
	/**
	 * The final word on a failed job. The quota is always given back before this is shown;
	 * `adminsTold` only when an admin channel is configured and the failure alerts it.
	 */
	failed(failure: FailureClass, progress: Progress, adminsTold?: boolean): string;
}

function complete(language: Language, sentences: Sentences): Texts {
	return {
		...sentences,
		language,
		commandError(error, ref) {
			if (error instanceof InvalidRequestError) return sentences.requestProblem(error.problem);
			if (error instanceof QuotaExceededError) return sentences.quotaExceeded(error);
			if (error instanceof LimitReachedError) return sentences.limitReached(error.limit);
			if (error instanceof MissingPermissionError) return sentences.missingPermission(error.permission);
			if (error instanceof BotPermissionError) return sentences.missingBotPermissions(error.channelId, error.missing);
			if (error instanceof QueueUnavailableError) return sentences.queueUnavailable;
			if (error instanceof NoWorkerError) return sentences.noWorker(error.adminsTold);
			if (error instanceof SequenceError) return sentences.sequenceProblem(error.problem);
			if (error instanceof UnrecognisedRequestError) return sentences.unrecognised;
			return sentences.unexpected(ref);
		},
		failed(failure, progress, adminsTold = false) {
			return sentences.failedBecause(sentences.failures[failure], progress, adminsTold);
		},
	};
}

const SENTENCES = { en, fr } as const satisfies Record<string, Sentences>;

export type Language = keyof typeof SENTENCES;

export const LANGUAGES = Object.keys(SENTENCES) as readonly Language[];

const TEXTS: ReadonlyMap<string, Texts> = new Map(
	LANGUAGES.map((language) => [language, complete(language, SENTENCES[language])] as const),
);

/** English: the default description of every command, and the fallback of every other locale. */
export const english: Texts = TEXTS.get('en') ?? complete('en', en);

/**
 * The texts for a Discord locale (`en-US`, `fr`, `pt-BR`, …): the exact locale if a language is
 * registered under it, else its language part (`fr-CA` → `fr`), else English.
 */
export function textsFor(locale: string | null | undefined): Texts {
	const wanted = (locale ?? '').trim().toLowerCase();
	return TEXTS.get(wanted) ?? TEXTS.get(wanted.split('-')[0] ?? '') ?? english;
}

/**
 * The Discord locale keys each translation is registered under for command descriptions; English
 * is the default `description` that every other locale sees.
 */
export const DISCORD_LOCALES: { readonly [L in Exclude<Language, 'en'>]: readonly Locale[] } = {
	fr: [Locale.French],
};

/** `description_localizations` / `name_localizations` for one text of every translation. */
export function localizations(pick: (texts: Texts) => string): LocalizationMap {
	const map: LocalizationMap = {};
	for (const language of Object.keys(DISCORD_LOCALES) as Array<keyof typeof DISCORD_LOCALES>) {
		const text = pick(textsFor(language));
		for (const locale of DISCORD_LOCALES[language]) map[locale] = text;
	}
	return map;
}

/** A command's or option's `description` in English with its translations, ready to spread. */
export const described = (pick: (texts: Texts) => string) => ({
	description: pick(english),
	description_localizations: localizations(pick),
});

/** A choice's `name` in English with its translations, ready to spread. */
export const named = (pick: (texts: Texts) => string) => ({
	name: pick(english),
	name_localizations: localizations(pick),
});
