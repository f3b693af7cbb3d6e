import { describe, expect, it } from 'vitest';
import { InvalidRequestError, type RequestProblem } from '../../src/errors.js';
import { CATALOG } from '../../src/providers/catalog.js';
import { chooseModel, type Need } from '../../src/providers/plan.js';
import { PROVIDER_NAMES, type ProviderName } from '../../src/providers/types.js';
import { english } from '../../src/texts/index.js';

const { requestProblem } = english;
/** A refusal's suggestions in English words. */
const suggested = (problem: RequestProblem) =>
	problem.kind === 'unservable' ? problem.suggestions.map(english.suggestion) : [];

const plain: Need = { directed: false, firstFrame: false, lastFrame: false, subject: false };

function refusal(provider: ProviderName, need: Need): RequestProblem {
	try {
		const model = chooseModel(provider, need);
		throw new Error(`expected a refusal, got ${model.id}`);
	} catch (error) {
		if (error instanceof InvalidRequestError) return error.problem;
		throw error;
	}
}

describe('model choice from the capability table', () => {
	it.each([
		[plain, 'T2V-01'],
		[{ ...plain, directed: true }, 'T2V-01-Director'],
		[{ ...plain, firstFrame: true }, 'I2V-01'],
		[{ ...plain, directed: true, firstFrame: true }, 'I2V-01-Director'],
		[{ ...plain, subject: true }, 'S2V-01'],
		[{ ...plain, lastFrame: true, firstFrame: true }, 'MiniMax-Hailuo-02'],
		[{ ...plain, duration: 10 }, 'MiniMax-Hailuo-02'],
		[{ ...plain, resolution: '1080p' }, 'MiniMax-Hailuo-02'],
		[{ ...plain, model: 'hailuo-2.3' }, 'MiniMax-Hailuo-2.3'],
	])('MiniMax: %o → %s', (need, model) => {
		expect(chooseModel('minimax', need).id).toBe(model);
	});

	it('refuses a subject with camera moves, saying which one change would work', () => {
		const problem = refusal('minimax', { ...plain, subject: true, directed: true });
		expect(problem).toEqual({
			kind: 'unservable',
			provider: 'MiniMax',
			asked: [{ kind: 'camera-moves' }, { kind: 'subject' }],
			suggestions: [
				{ change: 'drop-camera', model: 'S2V-01' },
				{ change: 'drop-subject', model: 'T2V-01-Director' },
			],
		});
		expect(requestProblem(problem)).toBe(
			'MiniMax has no model that makes a clip with camera moves and a subject image. What would work: drop the camera moves (S2V-01) or drop the subject image (T2V-01-Director).',
		);
	});

	it('knows Hailuo-02 cannot make 10 seconds at 1080P', () => {
		const problem = refusal('minimax', { ...plain, duration: 10, resolution: '1080P' });
		expect(suggested(problem)).toEqual(['leave the duration out (Hailuo-02)', 'leave the resolution out (Hailuo-02)']);
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
				expect(model.durations.length).toBeGreaterThan(0);
				expect(model.resolutions.length).toBeGreaterThan(0);
			}
		}
	});
});
