import { CATALOG, type ModelCapabilities } from './catalog.js';
import type { ProviderName } from './types.js';

/** One line of what a model can do, for autocomplete and the README. */
export function describeModel(model: ModelCapabilities): string {
	const frames = { none: 'text only', optional: 'first frame optional', required: 'first frame required' }[model.firstFrame];
	const parts = [
		frames,
		model.lastFrame ? 'last frame' : undefined,
		model.subject ? 'subject' : undefined,
		model.camera ? 'camera moves' : undefined,
		`${model.durations.join('/')} s`,
		model.resolutions.join('/'),
	].filter((part) => part !== undefined);
	return parts.join(', ');
}

/** Autocomplete for the `model` option: the default provider's models matching what was typed. */
export function suggestModels(provider: ProviderName, typed: string): { name: string; value: string }[] {
	const query = typed.trim().toLowerCase();
	return CATALOG[provider].models
		.filter((model) => model.label.toLowerCase().includes(query) || model.id.toLowerCase().includes(query))
		.slice(0, 25)
		.map((model) => ({ name: `${model.label} (${describeModel(model)})`.slice(0, 100), value: model.label }));
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
