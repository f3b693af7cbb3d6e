import { InvalidRequestError } from '../errors.js';
import { CATALOG, type ModelCapabilities } from './catalog.js';
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

function describeNeed(need: Need): string[] {
	const asked: string[] = [];
	if (need.model !== undefined) asked.push(`the model ${need.model}`);
	if (need.directed) asked.push('camera moves');
	if (need.firstFrame) asked.push('a first frame');
	if (need.lastFrame) asked.push('a last frame');
	if (need.subject) asked.push('a subject image');
	if (need.duration !== undefined) asked.push(`${need.duration} seconds`);
	if (need.resolution !== undefined) asked.push(need.resolution.toUpperCase());
	for (const type of new Set(need.imageTypes ?? [])) asked.push(`a ${typeName(type)} image`);
	return asked;
}

/** One change at a time that would make the request work, in words, with the model it would use. */
function suggestions(provider: ProviderName, need: Need): string[] {
	const changes: Array<[string, Need]> = [];
	if (need.model !== undefined) changes.push(['let me pick the model', { ...need, model: undefined }]);
	if (need.directed) changes.push(['drop the camera moves', { ...need, directed: false }]);
	if (need.subject) changes.push(['drop the subject image', { ...need, subject: false }]);
	if (need.lastFrame) changes.push(['drop the last frame', { ...need, lastFrame: false }]);
	if (need.firstFrame) changes.push(['drop the first frame', { ...need, firstFrame: false }]);
	else changes.push(['add a first frame', { ...need, firstFrame: true }]);
	if (need.duration !== undefined) changes.push(['leave the duration out', { ...need, duration: undefined }]);
	if (need.resolution !== undefined) changes.push(['leave the resolution out', { ...need, resolution: undefined }]);
	if (need.imageTypes?.includes('image/webp')) {
		changes.push(['send PNG or JPEG images', { ...need, imageTypes: need.imageTypes.filter((t) => t !== 'image/webp') }]);
	}
	return changes.flatMap(([change, relaxed]) => {
		const [model] = modelsFor(provider, relaxed);
		return model === undefined ? [] : [`${change} (${model.label})`];
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
