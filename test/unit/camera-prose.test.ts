import { describe, expect, it } from 'vitest';
import { CAMERA_MOVES, normalisePrompt } from '../../src/video/camera.js';
import { cameraSentence, proseCamera } from '../../src/video/camera-prose.js';
import { composePrompt } from '../../src/video/request.js';
import { seeded } from '../helpers/random.js';

describe('camera moves as plain-English sentences (for models that read direction as prose)', () => {
	it.each([
		[
			'[Pan left, Zoom in] a paper boat on a rainy street',
			'The camera pans left and zooms in. A paper boat on a rainy street',
		],
		[
			'A bear waves [Pedestal up], then turns away [Zoom out]',
			'A bear waves. The camera rises. Then turns away. Then the camera zooms out.',
		],
		['A fox runs through the snow. [Tracking shot]', 'A fox runs through the snow. The camera tracks the subject.'],
		[
			'[Truck left, Pan right, Zoom in] neon rain, [Static shot] a quiet alley',
			'The camera trucks left, pans right and zooms in. Neon rain. Then the camera holds still. A quiet alley',
		],
		['a [red] car drives off [Shake]', 'a red car drives off. The camera shakes like a handheld camera.'],
		['a lighthouse in a storm', 'a lighthouse in a storm'],
		['a [red] balloon', 'a red balloon'],
		[
			'Who goes there? [Push in] The door opens [Pull out].',
			'Who goes there? The camera pushes in. The door opens. Then the camera pulls out.',
		],
		['[Pedestal down, Tilt up] a tower', 'The camera descends and tilts up. A tower'],
	])('%s', (prompt, prose) => {
		expect(proseCamera(prompt)).toBe(prose);
	});

	it('has a sentence for every move, and none repeats another', () => {
		const sentences = CAMERA_MOVES.map((move) => cameraSentence([move]));
		expect(new Set(sentences).size).toBe(CAMERA_MOVES.length);
		for (const sentence of sentences) expect(sentence).toMatch(/^The camera [a-z][a-z ]+\.$/);
		expect(cameraSentence(['Zoom out'], true)).toBe('Then the camera zooms out.');
	});

	it('reads the prompt exactly as the bot composed it (camera option first, film words normalised)', () => {
		const composed = composePrompt({ prompt: 'a crane shot over a harbour [dolly in]', camera: 'crane up, pan LEFT' });
		expect(composed.prompt).toBe('[Pedestal up, Pan left] a crane shot over a harbour [Push in]');
		expect(proseCamera(composed.prompt)).toBe(
			'The camera rises and pans left. A crane shot over a harbour. Then the camera pushes in.',
		);
	});

	it('never leaves a bracket, never throws, and changes nothing on a second pass (thousands of random prompts)', () => {
		const random = seeded(12);
		const words = [
			'a fox',
			'runs',
			',',
			'.',
			'[',
			']',
			'[Pan left]',
			'[zoom in, tilt up]',
			'[red]',
			'then',
			'!',
			'[Shake]',
		];
		for (let i = 0; i < 3_000; i++) {
			const length = 1 + Math.floor(random() * 12);
			const raw = Array.from({ length }, () => words[Math.floor(random() * words.length)] ?? '').join(' ');
			const normalised = normalisePrompt(raw);
			if (!normalised.ok) continue;
			const prose = proseCamera(normalised.prompt);
			expect(prose, raw).not.toMatch(/[[\]]/);
			expect(proseCamera(prose), raw).toBe(prose);
		}
	});
});
