import type { Config } from '../config.js';
import { MinimaxProvider } from './minimax.js';
import type { ProviderName, VideoProvider } from './types.js';

export type { ProviderName, VideoProvider } from './types.js';
export { chooseModel } from './plan.js';

function keyOf(config: Config, name: Exclude<ProviderName, 'preview'>): { apiKey: string; baseUrl: string } {
	const settings = config.remote[name];
	// loadConfig already refused a worker without the keys of its chain; this guards other callers.
	if (settings.apiKey === undefined) throw new Error(`no API key is configured for ${name}`);
	return { apiKey: settings.apiKey, baseUrl: settings.baseUrl };
}

function createProvider(config: Config, name: ProviderName): VideoProvider {
	switch (name) {
		case 'minimax':
			return new MinimaxProvider(keyOf(config, name));
		default:
			throw new Error(`the ${name} provider is not wired in yet`);
	}
}

/** One instance per provider of the chain, in failover order. */
export function createProviders(config: Config): Map<ProviderName, VideoProvider> {
	return new Map(config.providers.map((name) => [name, createProvider(config, name)]));
}
