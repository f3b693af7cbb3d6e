import { InvalidRequestError, type Asked, type Change, type DurationOffer, type Suggestion } from '../errors.js';
import { allowsDuration, CATALOG, defaultDuration, type ModelCapabilities } from './catalog.js';
import { proseCamera } from '../video/camera-prose.js';
import { CLIP_FRAME_TYPE, type ImageRef, type VideoRequest } from '../video/request.js';
import type { ModelLists, ProviderName } from './types.js';

/** What a request asks of a model. */
export interface Need {
	readonly directed: boolean;
	readonly firstFrame: boolean;
	readonly lastFrame: boolean;
	readonly subject: boolean;
	readonly duration?: number | undefined;
	readonly resolution?: string | undefined;
	readonly ratio?: string | undefined;
	/** A model the user named (its label or id, any case). */
	readonly model?: string | undefined;
	/** Content types of the attached images. */
	readonly imageTypes?: readonly string[] | undefined;
}

/** An image a request carries, with its type when known. */
type CarriedImage = Pick<ImageRef, 'contentType'> | { readonly contentType?: string | undefined };

/** What a request (stored, or still being checked) asks of a model: the one place a `Need` is built. */
export function needOf(
	request: Pick<VideoRequest, 'directed' | 'duration' | 'resolution' | 'model'> & {
		readonly ratio?: string | undefined;
		readonly firstFrame?: CarriedImage | undefined;
		/** Extend: a first frame the worker will take from a clip. */
		readonly extendsFrom?: unknown;
		readonly lastFrame?: CarriedImage | undefined;
		readonly subject?: CarriedImage | undefined;
	},
): Need {
	const firstFrame =
		request.firstFrame ?? (request.extendsFrom === undefined ? undefined : { contentType: CLIP_FRAME_TYPE });
	const images = [firstFrame, request.lastFrame, request.subject];
	return {
		directed: request.directed,
		firstFrame: firstFrame !== undefined,
		lastFrame: request.lastFrame !== undefined,
		subject: request.subject !== undefined,
		duration: request.duration,
		resolution: request.resolution,
		ratio: request.ratio,
		model: request.model,
		imageTypes: images.flatMap((image) => (image?.contentType === undefined ? [] : [image.contentType])),
	};
}

const typeName = (type: string) => type.replace('image/', '').toUpperCase();

const sameModel = (model: ModelCapabilities, name: string) =>
	model.id.toLowerCase() === name.trim().toLowerCase() || model.label.toLowerCase() === name.trim().toLowerCase();

/** The catalog model a name means: its id or its label, in any case. */
export function findModel(provider: ProviderName, name: string): ModelCapabilities | undefined {
	return CATALOG[provider].models.find((model) => sameModel(model, name));
}

/** The models a provider offers here: the operator's allow-list in its order, else the whole catalog. */
export function offeredModels(provider: ProviderName, lists?: ModelLists): ModelCapabilities[] {
	const listed = lists?.[provider];
	if (listed === undefined) return [...CATALOG[provider].models];
	return listed.flatMap((id) => CATALOG[provider].models.filter((model) => model.id === id));
}

function serves(model: ModelCapabilities, need: Need): boolean {
	if (need.model !== undefined && !sameModel(model, need.model)) return false;
	if (need.firstFrame ? model.firstFrame === 'none' : model.firstFrame === 'required') return false;
	if (need.lastFrame && !model.lastFrame) return false;
	if (need.subject && !model.subject) return false;
	const framed = need.firstFrame || need.lastFrame;
	if (need.subject && framed && model.subjectWithFrames === false) return false;
	if (need.directed && !model.camera) return false;
	if (need.duration !== undefined && !allowsDuration(model, need.duration)) return false;
	if (need.resolution !== undefined && !model.resolutions.includes(need.resolution.toUpperCase())) return false;
	// A frame sets the clip's shape itself; a ratio is for text-to-video and references.
	if (need.ratio !== undefined && (framed || !(model.ratios ?? []).some((ratio) => ratio === need.ratio))) return false;
	const accepted = model.imageTypes;
	if (accepted !== undefined && (need.imageTypes ?? []).some((type) => !accepted.includes(type))) return false;
	const duration = need.duration ?? defaultDuration(model);
	const resolution = need.resolution?.toUpperCase() ?? model.resolutions[0];
	return !(model.excluded ?? []).some((combo) => combo.duration === duration && combo.resolution === resolution);
}

/** The models of a provider that serve a request, best first, from those offered here. */
export function modelsFor(provider: ProviderName, need: Need, lists?: ModelLists): ModelCapabilities[] {
	return offeredModels(provider, lists).filter((model) => serves(model, need));
}

function describeNeed(need: Need): Asked[] {
	const asked: Asked[] = [];
	if (need.model !== undefined) asked.push({ kind: 'model', model: need.model });
	if (need.directed) asked.push({ kind: 'camera-moves' });
	if (need.firstFrame) asked.push({ kind: 'first-frame' });
	if (need.lastFrame) asked.push({ kind: 'last-frame' });
	if (need.subject) asked.push({ kind: 'subject' });
	if (need.duration !== undefined) asked.push({ kind: 'duration', seconds: need.duration });
	if (need.resolution !== undefined) asked.push({ kind: 'resolution', resolution: need.resolution.toUpperCase() });
	if (need.ratio !== undefined) asked.push({ kind: 'ratio', ratio: need.ratio });
	for (const type of new Set(need.imageTypes ?? [])) asked.push({ kind: 'image-type', type: typeName(type) });
	return asked;
}

/** The lengths a model makes for a request (its fixed choices without the excluded combinations). */
function durationOffer(model: ModelCapabilities, need: Need): DurationOffer {
	const { durations } = model;
	if (durations.kind === 'range') return { kind: 'range', min: durations.min, max: durations.max };
	const resolution = need.resolution?.toUpperCase() ?? model.resolutions[0];
	const excluded = (seconds: number) =>
		(model.excluded ?? []).some((combo) => combo.duration === seconds && combo.resolution === resolution);
	return { kind: 'choices', seconds: durations.seconds.filter((seconds) => !excluded(seconds)) };
}

const secondsIn = (offer: DurationOffer): number[] =>
	offer.kind === 'choices'
		? [...offer.seconds]
		: Array.from({ length: offer.max - offer.min + 1 }, (_, i) => offer.min + i);

/**
 * Other lengths that would work, one suggestion per model that adds lengths the models before it
 * do not make: the named model first, if any, then the others offered ("6 or 10 s on Hailuo-2.3,
 * or up to 15 s on H3").
 */
function durationSuggestions(provider: ProviderName, need: Need, lists?: ModelLists): Suggestion[] {
	const anyLength = { ...need, duration: undefined };
	const candidates = [
		...modelsFor(provider, anyLength, lists),
		...(need.model === undefined ? [] : modelsFor(provider, { ...anyLength, model: undefined }, lists)),
	];
	const seen = new Set<number>();
	return [...new Set(candidates)].flatMap((model) => {
		const offer = durationOffer(model, need);
		const fresh = secondsIn(offer).filter((seconds) => !seen.has(seconds));
		for (const seconds of fresh) seen.add(seconds);
		return fresh.length === 0 ? [] : [{ change: 'other-duration' as const, model: model.label, durations: offer }];
	});
}

/** One change at a time that would make the request work, with the model it would use (words in texts). */
function suggestions(provider: ProviderName, need: Need, lists?: ModelLists): Suggestion[] {
	const changes: Array<[Exclude<Change, 'other-duration'>, Need]> = [];
	if (need.model !== undefined) changes.push(['pick-model', { ...need, model: undefined }]);
	if (need.directed) changes.push(['drop-camera', { ...need, directed: false }]);
	if (need.subject) changes.push(['drop-subject', { ...need, subject: false }]);
	if (need.lastFrame) changes.push(['drop-last-frame', { ...need, lastFrame: false }]);
	if (need.firstFrame) changes.push(['drop-first-frame', { ...need, firstFrame: false }]);
	else changes.push(['add-first-frame', { ...need, firstFrame: true }]);
	if (need.resolution !== undefined) changes.push(['drop-resolution', { ...need, resolution: undefined }]);
	if (need.ratio !== undefined) changes.push(['drop-ratio', { ...need, ratio: undefined }]);
	if (need.imageTypes?.includes('image/webp')) {
		changes.push(['png-or-jpeg', { ...need, imageTypes: need.imageTypes.filter((t) => t !== 'image/webp') }]);
	}
	const single = changes.flatMap(([change, relaxed]): Suggestion[] => {
		const [model] = modelsFor(provider, relaxed, lists);
		return model === undefined ? [] : [{ change, model: model.label }];
	});
	const durations = need.duration === undefined ? [] : durationSuggestions(provider, need, lists);
	// "Up to 15 s on H3" already says which model to pick.
	const named = new Set(durations.map((item) => item.model));
	return [...durations, ...single.filter((item) => item.change !== 'pick-model' || !named.has(item.model))];
}

/**
 * Picks the model for a request: the first offered (in the allow-list's order) that serves
 * everything asked, or throws `InvalidRequestError` saying what was asked and what would work.
 */
export function chooseModel(provider: ProviderName, need: Need, lists?: ModelLists): ModelCapabilities {
	const [model] = modelsFor(provider, need, lists);
	if (model !== undefined) return model;
	const offered = offeredModels(provider, lists);
	const known = need.model === undefined || offered.some((m) => sameModel(m, need.model ?? ''));
	throw new InvalidRequestError({
		kind: 'unservable',
		provider: CATALOG[provider].label,
		asked: describeNeed(need),
		suggestions: suggestions(provider, need, lists),
		...(known ? {} : { models: offered.map((m) => m.label) }),
	});
}

/** The catalog entry of a model id, for the worker. */
export function modelById(provider: ProviderName, id: string): ModelCapabilities | undefined {
	return CATALOG[provider].models.find((model) => model.id === id);
}

/**
 * The prompt exactly as a model receives it: with camera brackets for most, or with each bracket
 * turned into a plain-English camera sentence where the model reads direction as prose (H3). The
 * worker sends this, and every message about the job quotes it.
 */
export function promptSent(provider: ProviderName, modelId: string, prompt: string): string {
	return modelById(provider, modelId)?.cameraStyle === 'prose' ? proseCamera(prompt) : prompt;
}
