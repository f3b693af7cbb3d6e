import { AtlasCloudProvider } from './atlascloud.js';
import { FalProvider } from './fal.js';
import { MinimaxProvider } from './minimax.js';
import { PreviewProvider } from './preview.js';
import { ReplicateProvider } from './replicate.js';
import { RunwareProvider } from './runware.js';
import { SegmindProvider } from './segmind.js';
import type { ProviderName, ProvidersConfig, VideoProvider } from './types.js';

export type { ProviderName, VideoProvider } from './types.js';
export { chooseModel } from './plan.js';

function keyOf(config: ProvidersConfig, name: Exclude<ProviderName, 'preview'>): { apiKey: string; baseUrl: string } {
	const settings = config.remote[name];
	// loadConfig already refused a worker without the keys of its chain; this guards other callers.
	if (settings.apiKey === undefined) throw new Error(`no API key is configured for ${name}`);
	return { apiKey: settings.apiKey, baseUrl: settings.baseUrl };
}

function createProvider(config: ProvidersConfig, name: ProviderName): VideoProvider {
	switch (name) {
		case 'minimax':
			return new MinimaxProvider({ ...keyOf(config, name), pricesPerSecond: config.pricesPerSecond?.minimax });
		case 'segmind':
			return new SegmindProvider({ ...keyOf(config, name), mode: config.segmindMode });
		case 'runware':
			return new RunwareProvider(keyOf(config, name));
		case 'atlascloud':
			return new AtlasCloudProvider(keyOf(config, name));
		case 'replicate':
			return new ReplicateProvider(keyOf(config, name));
		case 'fal':
			return new FalProvider(keyOf(config, name));
		case 'preview':
			return new PreviewProvider({});
	}
}

/** One instance per provider of the chain, in failover order. */
export function createProviders(config: ProvidersConfig): Map<ProviderName, VideoProvider> {
	return new Map(config.providers.map((name) => [name, createProvider(config, name)]));
}
