import { describe, expect, it } from 'vitest';
import { InvalidRequestError, type RequestProblem } from '../../src/errors.js';
import { allowsDuration, CATALOG, defaultDuration } from '../../src/providers/catalog.js';
import { catalogMarkdown, suggestModels } from '../../src/providers/describe.js';
import { chooseModel, modelsFor, offeredModels, promptSent, type Need } from '../../src/providers/plan.js';
import { PROVIDER_NAMES, type ModelLists, type ProviderName } from '../../src/providers/types.js';
import { english, textsFor } from '../../src/texts/index.js';

/** A refusal's own words, without the closing sentence every refusal ends with (checked in texts.test.ts). */
const requestProblem = (problem: RequestProblem) => {
	const words = english.requestProblem(problem);
	expect(words.endsWith(` ${english.quotaUntouched}`)).toBe(true);
	return words.slice(0, -english.quotaUntouched.length - 1);
};
/** A refusal's suggestions in English words. */
const suggested = (problem: RequestProblem) =>
	problem.kind === 'unservable' ? problem.suggestions.map(english.suggestion) : [];

const plain: Need = { directed: false, firstFrame: false, lastFrame: false, subject: false };

function refusal(provider: ProviderName, need: Need, lists?: ModelLists): RequestProblem {
	try {
		const model = chooseModel(provider, need, lists);
		throw new Error(`expected a refusal, got ${model.id}`);
	} catch (error) {
		if (error instanceof InvalidRequestError) return error.problem;
		throw error;
	}
}

describe('model choice from the capability table', () => {
	it.each([
		// Today's defaults on MiniMax's own API.
		[plain, 'MiniMax-Hailuo-2.3'],
		[{ ...plain, directed: true }, 'MiniMax-Hailuo-2.3'],
		[{ ...plain, firstFrame: true }, 'MiniMax-Hailuo-2.3'],
		[{ ...plain, directed: true, firstFrame: true }, 'MiniMax-Hailuo-2.3'],
		[{ ...plain, lastFrame: true, firstFrame: true }, 'MiniMax-Hailuo-02'],
		[{ ...plain, subject: true }, 'S2V-01'],
		[{ ...plain, duration: 10 }, 'MiniMax-Hailuo-2.3'],
		[{ ...plain, resolution: '1080p' }, 'MiniMax-Hailuo-2.3'],
		[{ ...plain, resolution: '512P' }, 'MiniMax-Hailuo-02'],
		// What only H3 does: other lengths, shapes, 2K, a subject with camera moves, long first+last.
		[{ ...plain, duration: 12 }, 'MiniMax-H3'],
		[{ ...plain, ratio: '9:16' }, 'MiniMax-H3'],
		[{ ...plain, resolution: '2K' }, 'MiniMax-H3'],
		[{ ...plain, subject: true, directed: true }, 'MiniMax-H3'],
		[{ ...plain, subject: true, ratio: '1:1' }, 'MiniMax-H3'],
		[{ ...plain, firstFrame: true, lastFrame: true, duration: 15 }, 'MiniMax-H3'],
		[{ ...plain, resolution: '480P' }, 'MiniMax-H3-Max'],
		// The 01 family and the other models stay selectable by name, in any case.
		[{ ...plain, model: 'hailuo-2.3' }, 'MiniMax-Hailuo-2.3'],
		[{ ...plain, model: 't2v-01' }, 'T2V-01'],
		[{ ...plain, model: 'I2V-01-Director', firstFrame: true, directed: true }, 'I2V-01-Director'],
		[{ ...plain, model: 'h3-max', duration: 5 }, 'MiniMax-H3-Max'],
	])('MiniMax: %o → %s', (need, model) => {
		expect(chooseModel('minimax', need).id).toBe(model);
	});

	it('refuses a subject with camera moves where no model does both, saying which one change would work', () => {
		const lists: ModelLists = { minimax: ['MiniMax-Hailuo-2.3', 'S2V-01', 'T2V-01-Director'] };
		const problem = refusal('minimax', { ...plain, subject: true, directed: true }, lists);
		expect(problem).toEqual({
			kind: 'unservable',
			provider: 'MiniMax',
			asked: [{ kind: 'camera-moves' }, { kind: 'subject' }],
			suggestions: [
				{ change: 'drop-camera', model: 'S2V-01' },
				{ change: 'drop-subject', model: 'Hailuo-2.3' },
			],
		});
		expect(requestProblem(problem)).toBe(
			'MiniMax has no model that makes a clip with camera moves and a subject image. What would work: drop the camera moves (S2V-01) or drop the subject image (Hailuo-2.3).',
		);
	});

	it('never mixes frames and references on H3, and says what would work', () => {
		const problem = refusal('minimax', { ...plain, firstFrame: true, subject: true });
		expect(suggested(problem)).toEqual(['drop the subject image (Hailuo-2.3)', 'drop the first frame (S2V-01)']);
		const h3Only = refusal(
			'minimax',
			{ ...plain, firstFrame: true, lastFrame: true, subject: true },
			{ minimax: ['MiniMax-H3'] },
		);
		// Dropping one frame still mixes the other with the reference: only the subject can go.
		expect(suggested(h3Only)).toEqual(['drop the subject image (H3)']);
	});

	it('names the lengths that would work, model by model: "6 or 10 s on Hailuo-2.3, or up to 15 s on H3"', () => {
		const lists: ModelLists = { minimax: ['MiniMax-Hailuo-2.3', 'MiniMax-H3'] };
		const pinned = refusal('minimax', { ...plain, model: 'Hailuo-2.3', duration: 12 }, lists);
		expect(requestProblem(pinned)).toBe(
			'MiniMax has no model that makes a clip with the model Hailuo-2.3 and 12 seconds. What would work: 6 or 10 s on Hailuo-2.3 or up to 15 s on H3.',
		);
		const short = refusal('minimax', { ...plain, duration: 4 }, { minimax: ['MiniMax-Hailuo-2.3', 'MiniMax-H3-Max'] });
		expect(suggested(short)).toEqual(['6 or 10 s on Hailuo-2.3', '5 to 15 s on H3-Max']);
		const both = refusal('minimax', { ...plain, duration: 4, resolution: '1080P' }, lists);
		expect(requestProblem(both)).toBe(
			'MiniMax has no model that makes a clip with 4 seconds and 1080P. What would work: 6 s on Hailuo-2.3 or leave the resolution out (H3).',
		);
		// In French too.
		expect(textsFor('fr').requestProblem(short)).toContain('6 ou 10 s avec Hailuo-2.3 ou de 5 à 15 s avec H3-Max');
		expect(textsFor('fr').requestProblem(pinned)).toContain('6 ou 10 s avec Hailuo-2.3 ou jusqu’à 15 s avec H3');
		// Lengths already offered by an earlier model are not repeated for a later one.
		const ten1080 = refusal('minimax', { ...plain, duration: 10, resolution: '1080P' });
		expect(suggested(ten1080)).toEqual(['6 s on Hailuo-2.3', 'leave the resolution out (Hailuo-2.3)']);
		expect(chooseModel('minimax', { ...plain, duration: 12 }, lists).id).toBe('MiniMax-H3');
	});

	it('takes a shape only for text-to-video and references, where a model offers it', () => {
		expect(chooseModel('minimax', { ...plain, ratio: '21:9' }).id).toBe('MiniMax-H3');
		const framed = refusal('minimax', { ...plain, firstFrame: true, ratio: '9:16' });
		expect(suggested(framed)).toEqual(['drop the first frame (H3)', 'leave the ratio out (Hailuo-2.3)']);
		const legacyHost = refusal('fal', { ...plain, ratio: '9:16' });
		expect(suggested(legacyHost)).toEqual(['leave the ratio out (video-01)']);
	});

	it('knows Hailuo cannot make 10 seconds at 1080P', () => {
		const problem = refusal(
			'minimax',
			{ ...plain, duration: 10, resolution: '1080P' },
			{ minimax: ['MiniMax-Hailuo-02'] },
		);
		expect(suggested(problem)).toEqual(['6 s on Hailuo-02', 'leave the resolution out (Hailuo-02)']);
	});

	it('names the models when the user asks for one the provider lacks', () => {
		const problem = refusal('segmind', { ...plain, model: 'sora' });
		expect(problem).toMatchObject({ kind: 'unservable', models: ['video-01', 'video-01-director'] });
	});

	it('asks for a first frame where the director model needs one (Segmind)', () => {
		expect(chooseModel('segmind', { ...plain, directed: true, firstFrame: true }).id).toBe('minimax-ai-director');
		const problem = refusal('segmind', { ...plain, directed: true });
		expect(suggested(problem)).toEqual(['drop the camera moves (video-01)', 'add a first frame (video-01-director)']);
	});

	it('gives every provider a model for a plain prompt, with sane defaults', () => {
		for (const name of PROVIDER_NAMES) {
			const provider = CATALOG[name];
			expect(provider.name).toBe(name);
			expect(chooseModel(name, plain)).toBeDefined();
			for (const model of provider.models) {
				expect(allowsDuration(model, defaultDuration(model)), model.id).toBe(true);
				expect(model.resolutions.length).toBeGreaterThan(0);
			}
		}
	});

	it('knows H3’s lengths as ranges: whole seconds from 4 (H3) or 5 (H3-Max) to 15', () => {
		const h3 = CATALOG.minimax.models.find((model) => model.id === 'MiniMax-H3');
		const max = CATALOG.minimax.models.find((model) => model.id === 'MiniMax-H3-Max');
		if (h3 === undefined || max === undefined) throw new Error('H3 is missing from the catalog');
		expect([3, 4, 9, 15, 16, 7.5].map((seconds) => allowsDuration(h3, seconds))).toEqual([
			false,
			true,
			true,
			true,
			false,
			false,
		]);
		expect([4, 5].map((seconds) => allowsDuration(max, seconds))).toEqual([false, true]);
		expect(h3.resolutions).toEqual(['768P', '2K']);
		expect(max.resolutions).toEqual(['768P', '480P']);
	});
});

describe('the operator’s allow-lists (<PROVIDER>_MODELS)', () => {
	const lists: ModelLists = { minimax: ['MiniMax-H3', 'MiniMax-Hailuo-2.3'] };

	it('picks the first listed model that serves the request, in the list’s order', () => {
		expect(offeredModels('minimax', lists).map((model) => model.id)).toEqual(['MiniMax-H3', 'MiniMax-Hailuo-2.3']);
		expect(chooseModel('minimax', plain, lists).id).toBe('MiniMax-H3');
		expect(chooseModel('minimax', { ...plain, resolution: '1080P' }, lists).id).toBe('MiniMax-Hailuo-2.3');
		expect(modelsFor('minimax', { ...plain, duration: 10 }, lists).map((model) => model.id)).toEqual([
			'MiniMax-H3',
			'MiniMax-Hailuo-2.3',
		]);
		// Providers without a list keep their whole catalog.
		expect(offeredModels('fal', lists)).toEqual(CATALOG.fal.models);
	});

	it('refuses a model outside the list, naming the ones offered', () => {
		const problem = refusal('minimax', { ...plain, model: 'T2V-01' }, lists);
		expect(problem).toMatchObject({ models: ['H3', 'Hailuo-2.3'] });
		expect(requestProblem(problem)).toBe(
			'MiniMax has no model that makes a clip with the model T2V-01. What would work: let me pick the model (H3).',
		);
	});

	it('keeps spending down as the README says: no 1080P, no 10 s, no H3 with the 01 family listed', () => {
		const thrifty: ModelLists = { minimax: ['T2V-01-Director', 'I2V-01-Director', 'S2V-01'] };
		for (const need of [
			{ ...plain, resolution: '1080P' },
			{ ...plain, duration: 10 },
			{ ...plain, duration: 12 },
			{ ...plain, ratio: '9:16' },
		]) {
			expect(modelsFor('minimax', need, thrifty), JSON.stringify(need)).toEqual([]);
		}
		expect(requestProblem(refusal('minimax', { ...plain, duration: 10 }, thrifty))).toBe(
			'MiniMax has no model that makes a clip with 10 seconds. What would work: 6 s on T2V-01-Director.',
		);
		expect(chooseModel('minimax', { ...plain, directed: true, firstFrame: true }, thrifty).id).toBe('I2V-01-Director');
	});

	it('refuses what no listed model does, with what would work', () => {
		const cheap: ModelLists = { minimax: ['MiniMax-Hailuo-2.3-Fast', 'S2V-01'] };
		const problem = refusal('minimax', { ...plain, duration: 10 }, cheap);
		expect(suggested(problem)).toEqual(['6 s on S2V-01', 'add a first frame (Hailuo-2.3-Fast)']);
		const subjectFree = refusal('minimax', { ...plain, subject: true }, { minimax: ['MiniMax-Hailuo-2.3'] });
		expect(requestProblem(subjectFree)).toBe(
			'MiniMax has no model that makes a clip with a subject image. What would work: drop the subject image (Hailuo-2.3).',
		);
	});

	it('offers only the listed models, in order, in the model autocomplete', () => {
		expect(suggestModels('minimax', '', english, lists).map((choice) => choice.value)).toEqual(['H3', 'Hailuo-2.3']);
		expect(suggestModels('minimax', 'h3', english, lists)).toEqual([
			{ name: 'H3 (first frame optional, last frame, subject, camera moves, 4–15 s, 768P/2K)', value: 'H3' },
		]);
		expect(suggestModels('minimax', 'T2V', english, lists)).toEqual([]);
		expect(suggestModels('minimax', '', english).length).toBe(CATALOG.minimax.models.length);
	});

	it('prints the catalog table of what is offered, in the listed order', () => {
		const table = catalogMarkdown(lists).split('\n');
		expect(table.filter((line) => line.startsWith('| MiniMax'))).toEqual([
			'| MiniMax | `MiniMax-H3` | optional | yes | yes (no frames) | as prose | 4–15 | 768P, 2K | 16:9, 9:16, 1:1, 4:3, 3:4, 21:9 | – |',
			'| MiniMax | `MiniMax-Hailuo-2.3` | optional | no | no | yes | 6, 10 | 768P, 1080P (not 10 s at 1080P) | – | on |',
		]);
		expect(table.some((line) => line.startsWith('| fal |'))).toBe(true);
	});
});

describe('the prompt each model receives', () => {
	it('turns camera brackets into prose for H3 only', () => {
		const prompt = '[Pan left, Zoom in] a paper boat on a rainy street';
		expect(promptSent('minimax', 'MiniMax-H3', prompt)).toBe(
			'The camera pans left and zooms in. A paper boat on a rainy street',
		);
		expect(promptSent('minimax', 'MiniMax-Hailuo-2.3', prompt)).toBe(prompt);
		expect(promptSent('preview', 'animatic', prompt)).toBe(prompt);
	});
});
