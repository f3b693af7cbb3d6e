import type { VideoRequest } from '../video/request.js';
import type { ProviderError } from './errors.js';

export const PROVIDER_NAMES = ['minimax', 'segmind', 'runware', 'atlascloud', 'replicate', 'fal', 'preview'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/**
 * The operator's ordered allow-list of model ids per provider (`<PROVIDER>_MODELS`): the planner,
 * the `model` autocomplete and `/help` offer only these, in this order. Unset: the whole catalog.
 */
export type ModelLists = Readonly<Partial<Record<ProviderName, readonly string[]>>>;

/** A remote provider's key and API base, from the configuration. */
export interface ProviderSettings {
	readonly apiKey: string | undefined;
	readonly baseUrl: string;
}

/** What building the providers needs of the configuration. */
export interface ProvidersConfig {
	/** The providers jobs may use, in failover order. */
	readonly providers: readonly ProviderName[];
	readonly remote: Readonly<Record<Exclude<ProviderName, 'preview'>, ProviderSettings>>;
	readonly segmindMode: 'async' | 'blocking';
	/** Prices per second of video in US dollars by provider and model id, overriding the catalog's. */
	readonly pricesPerSecond?: Readonly<Partial<Record<ProviderName, Readonly<Record<string, number>>>>>;
}

export interface ProviderImage {
	readonly data: Buffer;
	readonly contentType: 'image/png' | 'image/jpeg' | 'image/webp';
}

export interface SubmitInput {
	/** The provider's own model id, from the catalog (`catalog.ts`). */
	readonly model: string;
	/** `prompt` is final (camera brackets included); duration/resolution are set only when asked for. */
	readonly request: VideoRequest;
	readonly firstFrame?: ProviderImage | undefined;
	readonly lastFrame?: ProviderImage | undefined;
	readonly subject?: ProviderImage | undefined;
}

/**
 * What a create call gave back: usually a task to poll; a blocking or local provider hands back
 * the finished clip itself.
 */
export type Submission =
	| { readonly kind: 'task'; readonly taskId: string }
	| { readonly kind: 'video'; readonly data: Buffer; readonly costUsd?: number | undefined };

export type TaskStatus =
	| { readonly state: 'pending'; readonly phase: 'queued' | 'generating' }
	| { readonly state: 'succeeded'; readonly videoUrl: string; readonly costUsd?: number | undefined }
	| { readonly state: 'failed'; readonly error: ProviderError };

/**
 * One video host behind one interface. `submit` costs money: the caller stores the returned task
 * id before anything else and never calls `submit` again for the same job on the same provider.
 * Every method throws `ProviderError` for anything but success.
 */
export interface VideoProvider {
	readonly name: ProviderName;
	submit(input: SubmitInput, signal?: AbortSignal): Promise<Submission>;
	/** Reads the task's state; a finished task comes with a URL to download the clip from. */
	poll(taskId: string, signal?: AbortSignal): Promise<TaskStatus>;
	/** Cancels a task at the provider, where its API allows it. */
	cancel?(taskId: string): Promise<void>;
	/**
	 * The caller stopped following a task before the provider said it ended (a time-out, a
	 * cancel): a limiter frees the slot the task held. Hosts themselves have nothing to do.
	 */
	release?(taskId: string): Promise<void>;
}
