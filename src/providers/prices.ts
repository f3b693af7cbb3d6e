import { CATALOG } from './catalog.js';
import type { ProviderName } from './types.js';

/**
 * What a clip costs when the provider does not say: `PRICE_<PROVIDER>_<MODEL>`, then
 * `PRICE_<PROVIDER>`, then the list prices below. A provider's own figure for a task (Runware's
 * `cost`, Segmind's `x-cost`, or a per-second price a provider client applies) always wins: the
 * worker only looks here when it has none.
 */
export interface PriceTable {
	/** US dollars per clip, by provider (`PRICE_<PROVIDER>`). */
	readonly providers: Readonly<Partial<Record<ProviderName, number>>>;
	/** US dollars per clip, by `provider model` (`PRICE_<PROVIDER>_<MODEL>`). */
	readonly models: Readonly<Record<string, number>>;
}

export const NO_PRICES: PriceTable = { providers: {}, models: {} };

/**
 * Published prices per clip that this project could source (docs/providers.md): Segmind's page
 * for `minimax-ai`, and the free preview. Every other price is unknown until configured.
 */
const LIST_PRICES: Readonly<Record<string, number>> = {
	'segmind minimax-ai': 0.625,
	'preview animatic': 0,
};

const key = (provider: ProviderName, model: string) => `${provider} ${model}`;

/** `PRICE_MINIMAX`, or for a model `PRICE_MINIMAX_T2V_01_DIRECTOR`: upper-cased, every other character `_`. */
export function priceVariable(provider: ProviderName, model?: string): string {
	const base = `PRICE_${provider.toUpperCase()}`;
	return model === undefined ? base : `${base}_${model.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Every price variable the catalog allows, with what it prices. */
export function priceVariables(): Array<{ name: string; provider: ProviderName; model?: string }> {
	return Object.values(CATALOG).flatMap((entry) => [
		{ name: priceVariable(entry.name), provider: entry.name },
		...entry.models.map((model) => ({
			name: priceVariable(entry.name, model.id),
			provider: entry.name,
			model: model.id,
		})),
	]);
}

/** Builds a table from the variables set, e.g. `{ PRICE_MINIMAX: 0.43 }`. */
export function priceTable(values: Readonly<Record<string, number | undefined>>): PriceTable {
	const providers: Partial<Record<ProviderName, number>> = {};
	const models: Record<string, number> = {};
	for (const variable of priceVariables()) {
		const value = values[variable.name];
		if (value === undefined) continue;
		if (variable.model === undefined) providers[variable.provider] = value;
		else models[key(variable.provider, variable.model)] = value;
	}
	return { providers, models };
}

/** The price of one clip of `model` at `provider` in US dollars, or undefined when unknown. */
export function priceOf(table: PriceTable, provider: ProviderName, model: string): number | undefined {
	return table.models[key(provider, model)] ?? table.providers[provider] ?? LIST_PRICES[key(provider, model)];
}
