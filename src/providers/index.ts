import type { Config } from '../config.js';
import { MinimaxProvider } from './minimax.js';
import type { VideoProvider } from './types.js';

export type { VideoProvider } from './types.js';
export { chooseModel } from './plan.js';

export function createProvider(config: Config): VideoProvider {
	switch (config.provider) {
		case 'minimax': {
			// loadConfig already refused a worker without a key; this guards other callers.
			if (config.minimax.apiKey === undefined) throw new Error('MINIMAX_API_KEY is not set');
			return new MinimaxProvider({ apiKey: config.minimax.apiKey, baseUrl: config.minimax.baseUrl });
		}
	}
}
