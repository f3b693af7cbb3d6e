import { describe, expect, it } from 'vitest';
import { english } from '../../src/texts/index.js';
import { InvalidRequestError, type RequestProblem } from '../../src/errors.js';
import { CAMERA_MOVES, parseCamera } from '../../src/video/camera.js';
import { cleanPrompt, composePrompt } from '../../src/video/request.js';

function problem(run: () => unknown): RequestProblem | undefined {
	try {
		run();
		return undefined;
	} catch (error) {
		if (error instanceof InvalidRequestError) return error.problem;
		throw error;
	}
}

describe('prompt handling', () => {
	it('puts the camera option as one bracket at the start, in the documented spelling', () => {
		expect(composePrompt({ prompt: 'a bear takes a selfie', camera: 'truck LEFT,  pan_right ,zoom-in' })).toEqual({
			prompt: '[Truck left, Pan right, Zoom in] a bear takes a selfie',
			camera: ['Truck left', 'Pan right', 'Zoom in'],
			directed: true,
		});
	});

	it('keeps brackets written in the prompt and marks the request as directed', () => {
		const composed = composePrompt({ prompt: 'A bear poses, [Pedestal up] then waves. [Zoom out]' });
		expect(composed.prompt).toBe('A bear poses, [Pedestal up] then waves. [Zoom out]');
		expect(composed.directed).toBe(true);
		expect(composePrompt({ prompt: 'a [red] balloon' })).toEqual({
			prompt: 'a [red] balloon',
			camera: [],
			directed: false,
		});
	});

	it('rewrites camera brackets in the prompt in the documented spelling, after the camera option', () => {
		const prompt = 'a cat [dolly in, zoom out] then [handheld] a [red] ball';
		expect(composePrompt({ prompt, camera: 'crane up' })).toEqual({
			prompt: '[Pedestal up] a cat [Push in, Zoom out] then [Shake] a [red] ball',
			camera: ['Pedestal up'],
			directed: true,
		});
		expect(composePrompt({ prompt: '[locked off] a vase' })).toEqual({
			prompt: '[Static shot] a vase',
			camera: [],
			directed: true,
		});
	});

	it('counts the rewritten prompt against the limit', () => {
		// "[still]" becomes "[Static shot]", six characters longer.
		expect(problem(() => composePrompt({ prompt: `${'x'.repeat(1993)}[still]` }))).toEqual({
			kind: 'prompt-too-long',
			length: 2006,
			max: 2000,
		});
	});

	it('refuses invalid camera brackets in the prompt, naming the bracket and the nearest move', () => {
		expect(problem(() => composePrompt({ prompt: 'a cat [zoon in]' }))).toEqual({
			kind: 'camera-unknown',
			item: 'zoon in',
			suggestion: 'Zoom in',
			bracket: '[zoon in]',
		});
		expect(problem(() => composePrompt({ prompt: 'a [Shake, shaky] cat' }))).toEqual({
			kind: 'camera-duplicate',
			item: 'Shake',
			bracket: '[Shake, shaky]',
		});
		expect(problem(() => composePrompt({ prompt: '[pan left, zoom in, shake, tilt up] a cat' }))).toEqual({
			kind: 'camera-too-many',
			count: 4,
			max: 3,
			bracket: '[pan left, zoom in, shake, tilt up]',
		});
		expect(problem(() => composePrompt({ prompt: 'a cat [pan left, pan right]' }))).toEqual({
			kind: 'camera-contradiction',
			a: 'Pan left',
			b: 'Pan right',
			bracket: '[pan left, pan right]',
		});
		const still = problem(() => composePrompt({ prompt: 'a cat', camera: 'static, zoom in' }));
		expect(still).toEqual({ kind: 'camera-contradiction', a: 'Static shot', b: 'Zoom in' });
		expect(english.requestProblem(still!)).toBe(
			`Static shot holds the camera still, so it can’t run with Zoom in. ${english.quotaUntouched}`,
		);
		expect(
			english.requestProblem({ kind: 'camera-unknown', item: 'zoon in', suggestion: 'Zoom in', bracket: '[zoon in]' }),
		).toBe(
			`In your prompt’s \\[zoon in\\]: “zoon in” is not a camera move I know. Did you mean Zoom in? ${english.quotaUntouched}`,
		);
	});

	it('removes invisible and control characters and tidies whitespace', () => {
		expect(cleanPrompt('  a\u200B cat\u0007 \r\n\r\n\r\n\t on   a\uFEFF mat ')).toBe('a cat \n\n on a mat');
	});

	it('refuses an empty prompt, an over-long one, and bad camera lists', () => {
		expect(problem(() => composePrompt({ prompt: ' \u200B ' }))).toEqual({ kind: 'prompt-empty' });
		expect(problem(() => composePrompt({ prompt: 'x'.repeat(2000) }))).toBeUndefined();
		expect(problem(() => composePrompt({ prompt: 'x'.repeat(1990), camera: 'Zoom in' }))).toBeUndefined();
		expect(problem(() => composePrompt({ prompt: 'x'.repeat(1991), camera: 'Zoom in' }))).toEqual({
			kind: 'prompt-too-long',
			length: 2001,
			max: 2000,
		});
		expect(problem(() => composePrompt({ prompt: 'x', camera: 'Barrel roll' }))).toEqual({
			kind: 'camera-unknown',
			item: 'Barrel roll',
		});
		expect(problem(() => composePrompt({ prompt: 'x', camera: 'Pan left, Zoom in, Shake, Tilt up' }))).toEqual({
			kind: 'camera-too-many',
			count: 4,
			max: 3,
		});
		expect(problem(() => composePrompt({ prompt: 'x', camera: 'Shake, shake' }))).toEqual({
			kind: 'camera-duplicate',
			item: 'Shake',
		});
	});

	it('reads every documented move in any case, and synonyms', () => {
		expect(composePrompt({ prompt: 'x', camera: 'dolly in, HANDHELD' }).camera).toEqual(['Push in', 'Shake']);
		for (const move of CAMERA_MOVES) {
			expect(parseCamera(move.toUpperCase())).toEqual({ ok: true, moves: [move] });
		}
	});
});
