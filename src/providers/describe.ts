import { CATALOG, type ModelCapabilities } from './catalog.js';
import type { ProviderName } from './types.js';

/**
 * Autocomplete for the `model` option: the default provider's models matching what was typed,
 * each with one line of what it can do in the user's language.
 */
export function suggestModels(
	provider: ProviderName,
	typed: string,
	/** One line of what a model can do, in the user's language (`src/texts/` fills it). */
	texts: { modelTraits(model: ModelCapabilities): string },
): { name: string; value: string }[] {
	const query = typed.trim().toLowerCase();
	return CATALOG[provider].models
		.filter((model) => model.label.toLowerCase().includes(query) || model.id.toLowerCase().includes(query))
		.slice(0, 25)
		.map((model) => ({ name: `${model.label} (${texts.modelTraits(model)})`.slice(0, 100), value: model.label }));
}

/** The capability table as Markdown, printed into the README by `npm run catalog`. */
export function catalogMarkdown(): string {
	const rows = Object.values(CATALOG).flatMap((provider) =>
		provider.models.map((model) => {
			const optimizer = model.promptOptimizer === null ? '–' : model.promptOptimizer ? 'on' : 'off';
			const excluded = (model.excluded ?? []).map((c) => `not ${c.duration} s at ${c.resolution}`).join('; ');
			return `| ${provider.label} | \`${model.id}\` | ${model.firstFrame} | ${model.lastFrame ? 'yes' : 'no'} | ${model.subject ? 'yes' : 'no'} | ${model.camera ? 'yes' : 'no'} | ${model.durations.join(', ')} | ${model.resolutions.join(', ')}${excluded ? ` (${excluded})` : ''} | ${optimizer} |`;
		}),
	);
	return [
		'| provider | model | first frame | last frame | subject | camera moves | seconds | resolutions | prompt optimizer default |',
		'| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
		...rows,
	].join('\n');
}
