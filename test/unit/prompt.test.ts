import { describe, expect, it } from 'vitest';
import { InvalidRequestError, type RequestProblem } from '../../src/errors.js';
import { CAMERA_MOVES, parseCamera, suggestCamera } from '../../src/video/camera.js';
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
		expect(composePrompt({ prompt: 'a [red] balloon' }).directed).toBe(false);
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

	it('parses every documented move in any case', () => {
		for (const move of CAMERA_MOVES) {
			expect(parseCamera(move.toUpperCase())).toEqual({ ok: true, moves: [move] });
		}
	});
});

describe('camera autocomplete', () => {
	it('offers all 15 moves for empty input', () => {
		expect(suggestCamera('').map((choice) => choice.value)).toEqual([...CAMERA_MOVES]);
	});

	it('completes the last item and keeps the ones before it', () => {
		expect(suggestCamera('Pan left, zo').map((choice) => choice.value)).toEqual([
			'Pan left, Zoom in',
			'Pan left, Zoom out',
		]);
	});

	it('puts moves that start with the typed text first and never repeats a chosen move', () => {
		const values = suggestCamera('pan left, sh').map((choice) => choice.value);
		expect(values).toEqual(['Pan left, Shake', 'Pan left, Push in', 'Pan left, Tracking shot', 'Pan left, Static shot']);
		expect(suggestCamera('Pan left, pan').map((c) => c.value)).toEqual(['Pan left, Pan right']);
	});

	it('stays within Discord limits for any input', () => {
		for (const input of ['', ',,,,', 'x'.repeat(500), 'Shake, Pan left, Zoom in, ', '[[[', 'pan left,'.repeat(40)]) {
			const choices = suggestCamera(input);
			expect(choices.length).toBeLessThanOrEqual(25);
			for (const choice of choices) {
				expect(choice.name.length).toBeGreaterThan(0);
				expect(choice.name.length).toBeLessThanOrEqual(100);
				expect(choice.value.length).toBeLessThanOrEqual(100);
			}
		}
	});
});
