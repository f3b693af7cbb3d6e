import { describe, test } from 'vitest';
import { english } from '../../src/texts/index.js';
import { suggestCamera, type SuggestCameraOptions } from '../../src/video/autocomplete.js';
import { normalisePrompt } from '../../src/video/camera.js';

/** Autocomplete in English, as most cases read it. */
const suggest = (typed: string, options: Partial<SuggestCameraOptions> = {}) =>
	suggestCamera(typed, { texts: english, ...options });

// Run with: npx vitest bench --run test/bench
// Target: p99 of one suggestCamera call far under Discord's 3 s autocomplete window (< 10 ms).

/** What people type, keystroke by keystroke, as Discord sends it: mostly short, some typos and junk. */
const TYPING = [
	'',
	'p',
	'pa',
	'pan',
	'pan l',
	'Pan left',
	'Pan left,',
	'Pan left, ',
	'Pan left, z',
	'Pan left, zo',
	'Pan left, zoom',
	'Pan left, Zoom in, ',
	'Pan left, Zoom in, sh',
	'd',
	'dolly',
	'dolly i',
	'crane',
	'handheld',
	'follow',
	'locked off',
	'zoon in',
	'pann left, zo',
	'tilt upp',
	'trcking',
	'vert',
	'orbit',
	'Shake, orb',
	'Tracking shot, Sha',
	'static',
	'Static shot, zoom',
	'[Pan left, Tilt',
	'qqqq',
	'🎥',
	',,,,',
	'a bear walks into the forest and the camera slowly follows it',
	'pann lefft, zooom inn, shaek, tillt uup, xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
];

const POPULAR = [
	'Pan left, Zoom in',
	'Tracking shot, Shake',
	'Push in, Zoom out',
	'Pedestal up, Tilt down',
	'Static shot',
	'Truck left, Pan right',
	'Zoom in',
	'Pan right',
];

const LONG_TYPO = 'pann lefft, zooom inn, shaek, '.repeat(4).slice(0, 100);
const HUGE = `${'pann lefft, zooom inn, shaek, tillt uup, '.repeat(150)}zoon`;

const SENTENCE = 'A fox trots through fresh snow [dolly in, zoom out] under a pale sky, [handheld] then stops. ';
const PROMPT = SENTENCE.repeat(20).slice(0, 2000);

/** Vitest 5 runs a benchmark inside a test, through its `bench` fixture: one of each, named alike. */
function benchmark(name: string, fn: () => void): void {
	test(name, async ({ bench }) => {
		await bench(name, fn).run();
	});
}

describe('camera autocomplete', () => {
	let next = 0;
	benchmark('suggestCamera, one call of a realistic typing mix', () => {
		suggest(TYPING[next % TYPING.length] ?? '', { popular: POPULAR });
		next += 1;
	});

	benchmark('suggestCamera, empty input with popular lists', () => {
		suggest('', { popular: POPULAR });
	});

	benchmark('suggestCamera, 100 characters of typos (worst case Discord can send)', () => {
		suggest(LONG_TYPO, { popular: POPULAR });
	});

	benchmark('suggestCamera, 6000 characters', () => {
		suggest(HUGE, { popular: POPULAR });
	});
});

describe('camera parser', () => {
	benchmark('normalisePrompt, 2000-character prompt with camera brackets', () => {
		normalisePrompt(PROMPT);
	});
});
