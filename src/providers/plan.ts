import { InvalidRequestError, type Asked, type Change, type Suggestion } from '../errors.js';
import { CATALOG, type ModelCapabilities } from './catalog.js';
import { CLIP_FRAME_TYPE, type ImageRef, type VideoRequest } from '../video/request.js';
import type { ProviderName } from './types.js';

/** What a request asks of a model. */
export interface Need {
	readonly directed: boolean;
	readonly firstFrame: boolean;
	readonly lastFrame: boolean;
	readonly subject: boolean;
	readonly duration?: number | undefined;
	readonly resolution?: string | undefined;
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
		model: request.model,
		imageTypes: images.flatMap((image) => (image?.contentType === undefined ? [] : [image.contentType])),
	};
}

const typeName = (type: string) => type.replace('image/', '').toUpperCase();

const sameModel = (model: ModelCapabilities, name: string) =>
	model.id.toLowerCase() === name.toLowerCase() || model.label.toLowerCase() === name.toLowerCase();

function serves(model: ModelCapabilities, need: Need): boolean {
	if (need.model !== undefined && !sameModel(model, need.model)) return false;
	if (need.firstFrame ? model.firstFrame === 'none' : model.firstFrame === 'required') return false;
	if (need.lastFrame && !model.lastFrame) return false;
	if (need.subject && !model.subject) return false;
	if (need.directed && !model.camera) return false;
	if (need.duration !== undefined && !model.durations.includes(need.duration)) return false;
	if (need.resolution !== undefined && !model.resolutions.includes(need.resolution.toUpperCase())) return false;
	const accepted = model.imageTypes;
	if (accepted !== undefined && (need.imageTypes ?? []).some((type) => !accepted.includes(type))) return false;
	const duration = need.duration ?? model.durations[0];
	const resolution = need.resolution?.toUpperCase() ?? model.resolutions[0];
	return !(model.excluded ?? []).some((combo) => combo.duration === duration && combo.resolution === resolution);
}

/** The models of a provider that serve a request, best first. */
export function modelsFor(provider: ProviderName, need: Need): ModelCapabilities[] {
	return CATALOG[provider].models.filter((model) => serves(model, need));
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
	for (const type of new Set(need.imageTypes ?? [])) asked.push({ kind: 'image-type', type: typeName(type) });
	return asked;
}

/** One change at a time that would make the request work, with the model it would use (words in texts). */
function suggestions(provider: ProviderName, need: Need): Suggestion[] {
	const changes: Array<[Change, Need]> = [];
	if (need.model !== undefined) changes.push(['pick-model', { ...need, model: undefined }]);
	if (need.directed) changes.push(['drop-camera', { ...need, directed: false }]);
	if (need.subject) changes.push(['drop-subject', { ...need, subject: false }]);
	if (need.lastFrame) changes.push(['drop-last-frame', { ...need, lastFrame: false }]);
	if (need.firstFrame) changes.push(['drop-first-frame', { ...need, firstFrame: false }]);
	else changes.push(['add-first-frame', { ...need, firstFrame: true }]);
	if (need.duration !== undefined) changes.push(['drop-duration', { ...need, duration: undefined }]);
	if (need.resolution !== undefined) changes.push(['drop-resolution', { ...need, resolution: undefined }]);
	if (need.imageTypes?.includes('image/webp')) {
		changes.push(['png-or-jpeg', { ...need, imageTypes: need.imageTypes.filter((t) => t !== 'image/webp') }]);
	}
	return changes.flatMap(([change, relaxed]) => {
		const [model] = modelsFor(provider, relaxed);
		return model === undefined ? [] : [{ change, model: model.label }];
	});
}

/**
 * Picks the model for a request: the first in the catalog's order that serves everything asked,
 * or throws `InvalidRequestError` saying what was asked and which one change would work.
 */
export function chooseModel(provider: ProviderName, need: Need): ModelCapabilities {
	const [model] = modelsFor(provider, need);
	if (model !== undefined) return model;
	const known = need.model === undefined || CATALOG[provider].models.some((m) => sameModel(m, need.model ?? ''));
	throw new InvalidRequestError({
		kind: 'unservable',
		provider: CATALOG[provider].label,
		asked: describeNeed(need),
		suggestions: suggestions(provider, need),
		...(known ? {} : { models: CATALOG[provider].models.map((m) => m.label) }),
	});
}

/** The catalog entry of a model id, for the worker. */
export function modelById(provider: ProviderName, id: string): ModelCapabilities | undefined {
	return CATALOG[provider].models.find((model) => model.id === id);
}
