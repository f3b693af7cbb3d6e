import type { DurationOffer } from '../errors.js';
import { RATIOS, type Ratio } from '../video/request.js';
import { CATALOG } from './catalog.js';
import { offeredModels } from './plan.js';
import type { ModelLists, ProviderName } from './types.js';

/**
 * What one deployment can make: the union of what the models it offers (the default provider's,
 * narrowed by `<PROVIDER>_MODELS`) take. `/help` and the `/video` options `npm run deploy`
 * registers are built from it, so nobody is offered an option no model here would serve.
 */
export interface Offer {
	/** The provider's name as people read it, e.g. `MiniMax` (never its configuration id). */
	readonly provider: string;
	/** The models' labels, in the order a request without `model` tries them. */
	readonly models: readonly string[];
	readonly camera: boolean;
	/** Some model reads camera moves as prose (H3). */
	readonly cameraProse: boolean;
	readonly firstFrame: boolean;
	readonly lastFrame: boolean;
	readonly subject: boolean;
	/** Lengths some model makes: every fixed choice, or the span from the least to the most. */
	readonly durations: DurationOffer;
	/** Resolutions some model makes, smallest first. */
	readonly resolutions: readonly string[];
	/** Shapes some model takes for a clip without a frame. */
	readonly ratios: readonly Ratio[];
	/** Some model has a prompt optimizer to switch. */
	readonly promptOptimizer: boolean;
}

/** Resolutions from the smallest; one the list does not know goes last. */
const RESOLUTION_ORDER = ['360P', '480P', '512P', '720P', '768P', '1080P', '2K'];

const rank = (resolution: string) => {
	const index = RESOLUTION_ORDER.indexOf(resolution);
	return index === -1 ? RESOLUTION_ORDER.length : index;
};

export function offerOf(provider: ProviderName, lists?: ModelLists): Offer {
	const models = offeredModels(provider, lists);
	const seconds = models.flatMap((model) =>
		model.durations.kind === 'choices' ? model.durations.seconds : [model.durations.min, model.durations.max],
	);
	const durations: DurationOffer = models.every((model) => model.durations.kind === 'choices')
		? { kind: 'choices', seconds: [...new Set(seconds)].sort((a, b) => a - b) }
		: { kind: 'range', min: Math.min(...seconds), max: Math.max(...seconds) };
	const resolutions = [...new Set(models.flatMap((model) => model.resolutions))].sort((a, b) => rank(a) - rank(b));
	const ratios = RATIOS.filter((ratio) => models.some((model) => (model.ratios ?? []).includes(ratio)));
	return {
		provider: CATALOG[provider].label,
		models: models.map((model) => model.label),
		camera: models.some((model) => model.camera),
		cameraProse: models.some((model) => model.camera && model.cameraStyle === 'prose'),
		firstFrame: models.some((model) => model.firstFrame !== 'none'),
		lastFrame: models.some((model) => model.lastFrame),
		subject: models.some((model) => model.subject),
		durations,
		resolutions,
		ratios,
		promptOptimizer: models.some((model) => model.promptOptimizer !== null),
	};
}

/** How many lengths the offer leaves to choose from (one means the option has nothing to choose). */
export const lengthCount = (durations: DurationOffer): number =>
	durations.kind === 'choices' ? durations.seconds.length : durations.max - durations.min + 1;
