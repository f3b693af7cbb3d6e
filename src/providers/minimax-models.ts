import { InvalidRequestError } from '../errors.js';

export type MinimaxModel = 'T2V-01' | 'T2V-01-Director' | 'I2V-01' | 'I2V-01-Director' | 'S2V-01';

export interface ModelInput {
	readonly directed: boolean;
	readonly hasFirstFrame: boolean;
	readonly hasSubject: boolean;
}

/**
 * Picks the MiniMax model a request needs. Only the Director models follow camera brackets; a
 * first frame needs an image-to-video model; a subject reference is S2V-01's alone, and S2V-01
 * takes neither a first frame nor camera moves, so those mixes are refused rather than ignored.
 */
export function chooseMinimaxModel(input: ModelInput): MinimaxModel {
	if (input.hasSubject) {
		if (input.hasFirstFrame) throw new InvalidRequestError({ kind: 'subject-with-first-frame' });
		if (input.directed) throw new InvalidRequestError({ kind: 'subject-with-camera' });
		return 'S2V-01';
	}
	if (input.directed) return input.hasFirstFrame ? 'I2V-01-Director' : 'T2V-01-Director';
	return input.hasFirstFrame ? 'I2V-01' : 'T2V-01';
}
