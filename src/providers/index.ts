import type { Config } from '../config.js';
import { chooseMinimaxModel, type ModelInput } from './minimax-models.js';
import { MinimaxProvider } from './minimax.js';
import type { VideoProvider } from './types.js';

export type { VideoProvider } from './types.js';

/**
 * Picks the model for a request on the configured provider, or throws `InvalidRequestError` with
 * what would work. The bot calls this before anything is enqueued or spent.
 */
export function planModel(provider: Config['provider'], input: ModelInput): string {
	switch (provider) {
		case 'minimax':
			return chooseMinimaxModel(input);
	}
}

export function createProvider(config: Config): VideoProvider {
	switch (config.provider) {
		case 'minimax': {
			// loadConfig already refused a worker without a key; this guards other callers.
			if (config.minimax.apiKey === undefined) throw new Error('MINIMAX_API_KEY is not set');
			return new MinimaxProvider({ apiKey: config.minimax.apiKey, baseUrl: config.minimax.baseUrl });
		}
	}
}
