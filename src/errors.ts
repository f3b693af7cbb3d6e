/**
 * Errors a user caused and can fix. Each carries an identifier and the facts needed to explain it;
 * the words themselves live in `texts.ts`, the one place that talks to people.
 */
export type RequestProblem =
	| { readonly kind: 'prompt-empty' }
	| { readonly kind: 'prompt-too-long'; readonly length: number; readonly max: number }
	/** `bracket` is the prompt's bracket as written; absent for the `camera` option. */
	| { readonly kind: 'camera-unknown'; readonly item: string; readonly suggestion?: string; readonly bracket?: string }
	| { readonly kind: 'camera-too-many'; readonly count: number; readonly max: number; readonly bracket?: string }
	| { readonly kind: 'camera-duplicate'; readonly item: string; readonly bracket?: string }
	| { readonly kind: 'camera-contradiction'; readonly a: string; readonly b: string; readonly bracket?: string }
	| {
			readonly kind: 'unservable';
			readonly provider: string;
			readonly asked: readonly string[];
			readonly suggestions: readonly string[];
			/** The provider's models, when the user named one it does not have. */
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
	| { readonly kind: 'not-in-server' };

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

/** Redis or the queue could not take the job; nothing was spent. */
export class QueueUnavailableError extends Error {
	public override readonly name = 'QueueUnavailableError';

	public constructor(options?: ErrorOptions) {
		super('the job queue is unavailable', options);
	}
}
