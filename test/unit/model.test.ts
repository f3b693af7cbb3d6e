import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../src/errors.js';
import { chooseMinimaxModel } from '../../src/providers/minimax-models.js';

describe('MiniMax model choice', () => {
	it.each([
		[{ directed: false, hasFirstFrame: false, hasSubject: false }, 'T2V-01'],
		[{ directed: true, hasFirstFrame: false, hasSubject: false }, 'T2V-01-Director'],
		[{ directed: false, hasFirstFrame: true, hasSubject: false }, 'I2V-01'],
		[{ directed: true, hasFirstFrame: true, hasSubject: false }, 'I2V-01-Director'],
		[{ directed: false, hasFirstFrame: false, hasSubject: true }, 'S2V-01'],
	])('%o → %s', (input, model) => {
		expect(chooseMinimaxModel(input)).toBe(model);
	});

	it('refuses a subject with a first frame or camera moves instead of dropping one silently', () => {
		const kinds = [
			{ directed: false, hasFirstFrame: true, hasSubject: true },
			{ directed: true, hasFirstFrame: false, hasSubject: true },
		].map((input) => {
			try {
				chooseMinimaxModel(input);
				return 'accepted';
			} catch (error) {
				return error instanceof InvalidRequestError ? error.problem.kind : 'other';
			}
		});
		expect(kinds).toEqual(['subject-with-first-frame', 'subject-with-camera']);
	});
});
