import { ProviderError } from './errors.js';
import type { ProviderName, VideoProvider } from './types.js';

/** What a free look at a provider says of its key. */
export type KeyVerdict =
	| { readonly verdict: 'accepted' }
	| { readonly verdict: 'refused' | 'no-credits' | 'unreachable'; readonly detail: string };

/**
 * A task no provider has: looking one up is free everywhere, and the provider checks the key
 * before it finds there is no such task. fal polls the status URL its create call handed back, so
 * its lookup names one on the configured host.
 */
function unknownTask(name: ProviderName, baseUrl: string): string {
	if (name !== 'fal') return 'clapper-key-check-0';
	const base = `${baseUrl}/fal-ai/minimax/video-01/requests/00000000-0000-0000-0000-000000000000`;
	return JSON.stringify({ id: '00000000-0000-0000-0000-000000000000', status: `${base}/status`, response: base });
}

/** Checks a provider's key without spending anything (for `npm run doctor`). */
export async function checkKey(provider: VideoProvider, baseUrl: string, signal?: AbortSignal): Promise<KeyVerdict> {
	try {
		await provider.poll(unknownTask(provider.name, baseUrl), signal);
		return { verdict: 'accepted' };
	} catch (error) {
		if (!(error instanceof ProviderError)) throw error;
		switch (error.failure) {
			case 'auth':
				return { verdict: 'refused', detail: error.message };
			case 'credits':
				return { verdict: 'no-credits', detail: error.message };
			case 'network':
			case 'unavailable':
				return { verdict: 'unreachable', detail: error.message };
			default:
				// "No such task" in the provider's own words: the key got past the door.
				return { verdict: 'accepted' };
		}
	}
}
