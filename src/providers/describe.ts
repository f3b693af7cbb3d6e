import { CATALOG, durationsText, type ModelCapabilities } from './catalog.js';
import { offeredModels } from './plan.js';
import type { ModelLists, ProviderName } from './types.js';

/**
 * Autocomplete for the `model` option: the models the default provider offers here (its allow-list
 * in order, or its catalog) matching what was typed, each with one line of what it can do in the
 * user's language.
 */
export function suggestModels(
	provider: ProviderName,
	typed: string,
	/** One line of what a model can do, in the user's language (`src/texts/` fills it). */
	texts: { modelTraits(model: ModelCapabilities): string },
	lists?: ModelLists,
): { name: string; value: string }[] {
	const query = typed.trim().toLowerCase();
	return offeredModels(provider, lists)
		.filter((model) => model.label.toLowerCase().includes(query) || model.id.toLowerCase().includes(query))
		.slice(0, 25)
		.map((model) => ({ name: `${model.label} (${texts.modelTraits(model)})`.slice(0, 100), value: model.label }));
}

function row(provider: string, model: ModelCapabilities): string {
	const optimizer = model.promptOptimizer === null ? '–' : model.promptOptimizer ? 'on' : 'off';
	const excluded = (model.excluded ?? []).map((c) => `not ${c.duration} s at ${c.resolution}`).join('; ');
	const subject = model.subject ? (model.subjectWithFrames === false ? 'yes (no frames)' : 'yes') : 'no';
	const camera = model.camera ? (model.cameraStyle === 'prose' ? 'as prose' : 'yes') : 'no';
	const cells = [
		provider,
		`\`${model.id}\``,
		model.firstFrame,
		model.lastFrame ? 'yes' : 'no',
		subject,
		camera,
		durationsText(model),
		`${model.resolutions.join(', ')}${excluded ? ` (${excluded})` : ''}`,
		model.ratios === undefined ? '–' : model.ratios.join(', '),
		optimizer,
	];
	return `| ${cells.join(' | ')} |`;
}

/**
 * The capability table as Markdown, printed into the README by `npm run catalog`: every model,
 * or with allow-lists, the models offered here in their order.
 */
export function catalogMarkdown(lists?: ModelLists): string {
	const rows = Object.values(CATALOG).flatMap((provider) =>
		offeredModels(provider.name, lists).map((model) => row(provider.label, model)),
	);
	return [
		'| provider | model | first frame | last frame | subject | camera moves | seconds | resolutions | ratios | prompt optimizer default |',
		'| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
		...rows,
	].join('\n');
}
