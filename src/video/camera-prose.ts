import { parsePromptShots, type CameraMove } from './camera.js';

/**
 * Camera direction in plain English, for models that read it as prose instead of `[Pan left]`
 * brackets (MiniMax-H3: "a natural-English action inside the shot"; its CLI guide asks for "explicit
 * camera language such as static shot, close-up, tracking shot, dolly in, pan, tilt"). Each camera
 * bracket becomes a sentence where it stood, so shots keep their order; no bracket is left in the
 * text. Pure: the same prompt always reads the same.
 */

/** What the camera does, as the verb phrase of "The camera …". */
const PHRASES: { readonly [M in CameraMove]: string } = {
	'Truck left': 'trucks left',
	'Truck right': 'trucks right',
	'Pan left': 'pans left',
	'Pan right': 'pans right',
	'Push in': 'pushes in',
	'Pull out': 'pulls out',
	'Pedestal up': 'rises',
	'Pedestal down': 'descends',
	'Tilt up': 'tilts up',
	'Tilt down': 'tilts down',
	'Zoom in': 'zooms in',
	'Zoom out': 'zooms out',
	'Shake': 'shakes like a handheld camera',
	'Tracking shot': 'tracks the subject',
	'Static shot': 'holds still',
};

/** "a, b and c": moves in one bracket run together. */
function together(phrases: readonly string[]): string {
	if (phrases.length <= 1) return phrases[0] ?? '';
	return `${phrases.slice(0, -1).join(', ')} and ${phrases.at(-1) ?? ''}`;
}

/** One bracket as a sentence: "The camera pans left and zooms in." Later shots start with "Then". */
export function cameraSentence(moves: readonly CameraMove[], later = false): string {
	return `${later ? 'Then the camera' : 'The camera'} ${together(moves.map((move) => PHRASES[move]))}.`;
}

const ENDS_SENTENCE = /[.!?…:;]["'”’)]*$/;

/** The text before a sentence, closed so the sentence can follow it. */
function closeBefore(text: string): string {
	const trimmed = text.replace(/[\s,]+$/, '');
	if (trimmed === '') return '';
	return ENDS_SENTENCE.test(trimmed) ? `${trimmed} ` : `${trimmed}. `;
}

/** The text after a sentence, opened as a new one: leading commas dropped, first letter capitalised. */
function openAfter(text: string): string {
	const trimmed = text.replace(/^[\s,;:]+/, '');
	if (trimmed === '' || /^[.!?]+$/.test(trimmed)) return '';
	return ` ${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}`;
}

/**
 * The prompt with every camera bracket turned into a camera sentence in place, and any other
 * bracket ("[red]") unwrapped to its words:
 * `A bear waves [Pedestal up], then turns away [Zoom out]` →
 * `A bear waves. The camera rises. Then turns away. Then the camera zooms out.`
 * The prompt must already have passed the bracket checks (`composePrompt`); a bracket that does not
 * parse is kept as words.
 */
export function proseCamera(prompt: string): string {
	const parsed = parsePromptShots(prompt);
	const shots = parsed.ok ? parsed.shots : [];
	let out = '';
	let from = 0;
	shots.forEach((shot, index) => {
		out = closeBefore(out + prompt.slice(from, shot.start)) + cameraSentence(shot.moves, index > 0);
		from = shot.end;
		const rest = prompt.slice(from, shots[index + 1]?.start ?? prompt.length);
		out += openAfter(rest);
		from += rest.length;
	});
	out += prompt.slice(from);
	return out
		.replace(/[[\]]/g, '')
		.replace(/[ \t]{2,}/g, ' ')
		.trim();
}
