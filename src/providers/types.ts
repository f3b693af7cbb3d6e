import type { ProviderName } from '../config.js';
import type { VideoRequest } from '../video/request.js';
import type { ProviderError } from './errors.js';

export interface ProviderImage {
	readonly data: Buffer;
	readonly contentType: string;
}

export interface SubmitInput {
	readonly model: string;
	readonly request: VideoRequest;
	readonly firstFrame?: ProviderImage | undefined;
	readonly subject?: ProviderImage | undefined;
}

export type TaskStatus =
	| { readonly state: 'pending'; readonly phase: 'queued' | 'generating' }
	| { readonly state: 'succeeded'; readonly videoUrl: string }
	| { readonly state: 'failed'; readonly error: ProviderError };

/**
 * One video host behind one interface. `submit` costs money: the caller stores the returned task id
 * before anything else and never calls `submit` again for the same job.
 */
export interface VideoProvider {
	readonly name: ProviderName;
	/** Creates the task and returns the provider's task id. Throws `ProviderError`. */
	submit(input: SubmitInput, signal?: AbortSignal): Promise<string>;
	/** Reads the task's state; a finished task comes with a URL to download the clip from. */
	poll(taskId: string, signal?: AbortSignal): Promise<TaskStatus>;
}
