/**
 * Errors a user caused and can fix. Each carries an identifier and the facts needed to explain it;
 * the words themselves live in `src/texts/`, the one place that talks to people (in their language).
 */

/** One thing a request asks of a model, for a refusal to name. */
export type Asked =
	| { readonly kind: 'model'; readonly model: string }
	| { readonly kind: 'camera-moves' }
	| { readonly kind: 'first-frame' }
	| { readonly kind: 'last-frame' }
	| { readonly kind: 'subject' }
	| { readonly kind: 'duration'; readonly seconds: number }
	| { readonly kind: 'resolution'; readonly resolution: string }
	/** A clip shape, e.g. `9:16`. */
	| { readonly kind: 'ratio'; readonly ratio: string }
	/** An attached image of this type, e.g. `WEBP`. */
	| { readonly kind: 'image-type'; readonly type: string };

/** One change to a refused request that would make it work. */
export type Change =
	| 'pick-model'
	| 'drop-camera'
	| 'drop-subject'
	| 'drop-last-frame'
	| 'drop-first-frame'
	| 'add-first-frame'
	| 'drop-resolution'
	| 'drop-ratio'
	| 'png-or-jpeg'
	/** Another length, the ones `durations` says this model makes. */
	| 'other-duration';

/** Lengths a model makes: fixed choices in seconds, or any whole number from `min` to `max`. */
export type DurationOffer =
	| { readonly kind: 'choices'; readonly seconds: readonly number[] }
	| { readonly kind: 'range'; readonly min: number; readonly max: number };

/** A change and the model it would use; another length comes with the lengths that model makes. */
export type Suggestion =
	| { readonly change: Exclude<Change, 'other-duration'>; readonly model: string }
	| { readonly change: 'other-duration'; readonly model: string; readonly durations: DurationOffer };

/** Where a bracket of the prompt does not pair up, and how to fix it. */
export interface BracketSlip {
	readonly position: number;
	readonly excerpt: string;
	readonly fix: string;
}

export type RequestProblem =
	| { readonly kind: 'prompt-empty' }
	| { readonly kind: 'prompt-too-long'; readonly length: number; readonly max: number }
	/** `bracket` is the prompt's bracket as written; absent for the `camera` option. */
	| { readonly kind: 'camera-unknown'; readonly item: string; readonly suggestion?: string; readonly bracket?: string }
	| { readonly kind: 'camera-too-many'; readonly count: number; readonly max: number; readonly bracket?: string }
	| { readonly kind: 'camera-duplicate'; readonly item: string; readonly bracket?: string }
	| { readonly kind: 'camera-contradiction'; readonly a: string; readonly b: string; readonly bracket?: string }
	/**
	 * A "[" never closed, a "]" that closes nothing, or a "[" inside a bracket. `position` is the
	 * bracket's place in the prompt, counted in characters from 1; `excerpt` the prompt around it as
	 * written and `fix` the same with the fix applied.
	 */
	| ({ readonly kind: 'bracket-unclosed' } & BracketSlip)
	| ({ readonly kind: 'bracket-stray' } & BracketSlip)
	| ({ readonly kind: 'bracket-nested' } & BracketSlip)
	| {
			readonly kind: 'unservable';
			readonly provider: string;
			readonly asked: readonly Asked[];
			readonly suggestions: readonly Suggestion[];
			/** The models offered (the allow-list, or the provider's catalog), when the user named another. */
			readonly models?: readonly string[];
	  }
	| { readonly kind: 'image-not-image'; readonly option: string }
	| { readonly kind: 'image-too-large'; readonly option: string; readonly bytes: number; readonly max: number }
	| { readonly kind: 'image-unreadable'; readonly option: string }
	/** The shorter side is `min` px or less; MiniMax needs more than `min`. */
	| {
			readonly kind: 'image-too-small';
			readonly option: string;
			readonly width: number;
			readonly height: number;
			readonly min: number;
	  }
	/** The longer side is 2.5 times the shorter or more: outside MiniMax's 2:5…5:2, both ends excluded. */
	| { readonly kind: 'image-aspect'; readonly option: string; readonly width: number; readonly height: number }
	/** More than `max` pixels by the header alone (a decompression bomb, or a photo too large to decode safely). */
	| {
			readonly kind: 'image-too-many-pixels';
			readonly option: string;
			readonly width: number;
			readonly height: number;
			readonly max: number;
	  }
	/** Retry or Remix of a clip whose stored images have expired. */
	| { readonly kind: 'image-gone' }
	| { readonly kind: 'not-in-server' }
	/** An attachment whose link is not on Discord's attachment hosts (or redirects off them): never fetched. */
	| { readonly kind: 'attachment-host'; readonly option: string }
	/** An attachment option whose id Discord did not resolve: refused rather than made without it. */
	| { readonly kind: 'attachment-unresolved'; readonly option: string }
	/** A command from where the bot does not serve (a DM, or a server that has not added it). */
	| { readonly kind: 'not-served'; readonly where: Unserved }
	/** `/admin quota` needs exactly one of `user` and `role`. */
	| { readonly kind: 'quota-target' }
	/** `/admin quota limit:` is neither a whole number from 0 nor `default`. */
	| { readonly kind: 'quota-limit'; readonly value: string }
	/** `/admin budget` or `/admin channels` got `clear:true` beside another change. */
	| { readonly kind: 'one-change' };

export class InvalidRequestError extends Error {
	public override readonly name = 'InvalidRequestError';

	public constructor(
		public readonly problem: RequestProblem,
		options?: ErrorOptions,
	) {
		super(`invalid request: ${problem.kind}`, options);
	}
}

export class QuotaExceededError extends Error {
	public override readonly name = 'QuotaExceededError';

	public constructor(
		public readonly limit: number,
		/** When the oldest counted generation leaves the rolling window; null when the limit is 0. */
		public readonly nextFreeAt: number | null,
	) {
		super(`quota of ${limit} reached`);
	}
}

/** A limit other than the user's own quota refused a request; nothing was spent. */
export type LimitReached =
	/** USER_MAX_QUEUED: too many of the user's videos are waiting to start. */
	| { readonly kind: 'waiting'; readonly max: number }
	/** This server's daily budget, in clips. */
	| { readonly kind: 'guild-clips'; readonly max: number; readonly nextFreeAt: number | null }
	/** This server's daily budget, in US dollars. */
	| { readonly kind: 'guild-dollars'; readonly maxUsd: number; readonly nextFreeAt: number | null }
	/** GLOBAL_DAILY_CAP: the bot's limit for everyone. */
	| { readonly kind: 'global'; readonly nextFreeAt: number | null }
	/** `/admin pause` in this server. */
	| { readonly kind: 'paused' }
	/** `/admin channels`: videos are made only in these channels. */
	| { readonly kind: 'channel'; readonly allowed: readonly string[] };

export class LimitReachedError extends Error {
	public override readonly name = 'LimitReachedError';

	public constructor(public readonly limit: LimitReached) {
		super(`refused: ${limit.kind}`);
	}
}

/** Permissions a command can require, by discord.js's flag name. */
export type RequiredPermission = 'ManageGuild';

/** The member lacks a permission a command requires (checked again when it runs). */
export class MissingPermissionError extends Error {
	public override readonly name = 'MissingPermissionError';

	public constructor(public readonly permission: RequiredPermission) {
		super(`missing permission ${permission}`);
	}
}

/** Where an interaction came from that the bot does not serve. */
export type Unserved = 'bot-dm' | 'private-channel' | 'server-without-bot';

/** What the bot needs in a channel to deliver a clip there, by discord.js's flag name. */
export type BotPermission =
	'ViewChannel' | 'SendMessages' | 'SendMessagesInThreads' | 'AttachFiles' | 'ReadMessageHistory';

/** The bot lacks permissions in the channel that delivering a clip needs; refused before anything is spent. */
export class BotPermissionError extends Error {
	public override readonly name = 'BotPermissionError';

	public constructor(
		public readonly channelId: string,
		public readonly missing: readonly BotPermission[],
	) {
		super(`the bot lacks ${missing.join(', ')} in channel ${channelId}`);
	}
}

/** Redis or the queue could not take the job; nothing was spent. */
export class QueueUnavailableError extends Error {
	public override readonly name = 'QueueUnavailableError';

	public constructor(options?: ErrorOptions) {
		super('the job queue is unavailable', options);
	}
}

/**
 * A process cannot start for a reason its operator can fix (Redis down, a refused token, a missing
 * tool). Its message is one plain line that says what to do; it is printed without a stack.
 */
export class StartupError extends Error {
	public override readonly name = 'StartupError';

	public constructor(
		message: string,
		/** 78 (EX_CONFIG) for settings to change, 69 (EX_UNAVAILABLE) for a service or tool to bring up. */
		public readonly exitCode: 69 | 78,
		options?: ErrorOptions,
	) {
		super(message, options);
	}
}

/** No worker has beaten lately: a job would wait with the user's quota reserved, so none is taken. */
export class NoWorkerError extends Error {
	public override readonly name = 'NoWorkerError';

	public constructor(
		/** Whether an admin channel was told (the words say so only then). */
		public readonly adminsTold: boolean,
	) {
		super('no worker is alive');
	}
}

/** Why a `/sequence` command, an Add to sequence click or Animate changed nothing. */
export type SequenceProblem =
	/** No sequence is active in this channel. */
	| { readonly kind: 'none-active' }
	/** `/sequence start` where one is active: its title. */
	| { readonly kind: 'already-active'; readonly title: string }
	/** `move`, `remove` or `end` by someone who may not: the owner (and, for `remove`, the shot's author) may. */
	| { readonly kind: 'not-allowed'; readonly action: 'move' | 'remove' | 'end'; readonly ownerId: string }
	/** A shot number the board does not show. */
	| { readonly kind: 'no-shot'; readonly shot: number; readonly count: number }
	/** `/sequence render` of a sequence without shots. */
	| { readonly kind: 'empty'; readonly title: string }
	/** The sequence holds the most shots it can. */
	| { readonly kind: 'full'; readonly title: string; readonly max: number }
	/** The clip is already in the sequence, at this position. */
	| { readonly kind: 'already-in'; readonly title: string; readonly position: number }
	/** The board could not be posted in the channel (the bot may not send messages there). */
	| { readonly kind: 'board-refused' }
	/** The title has nothing but spaces. */
	| { readonly kind: 'title-empty' }
	/** Animate on a message without a PNG, JPEG or WebP image. */
	| { readonly kind: 'no-image' }
	/** Animate submitted after the message was deleted (or cannot be read). */
	| { readonly kind: 'message-gone' };

export class SequenceError extends Error {
	public override readonly name = 'SequenceError';

	public constructor(public readonly problem: SequenceProblem) {
		super(`sequence: ${problem.kind}`);
	}
}

/**
 * An interaction the bot cannot read as one it sent or registered: an unknown command, an option
 * of the wrong type, a tampered or unknown custom id, a stale select. Crafted or left over from an
 * old registration, never a fault of ours, so it is answered plainly and logged without a stack.
 */
export class UnrecognisedRequestError extends Error {
	public override readonly name = 'UnrecognisedRequestError';

	public constructor(
		/** What was not understood, for the log line (never shown to the user). */
		public readonly what: string,
		options?: ErrorOptions,
	) {
		super(`unrecognised request: ${what}`, options);
	}
}
