import { describe, expect, it } from 'vitest';
import {
	CAMERA_PRESETS,
	MAX_POPULAR_SHOWN,
	PopularCombos,
	suggestCamera,
	type CameraChoice,
	type SuggestCameraOptions,
} from '../../src/video/autocomplete.js';
import { english } from '../../src/texts/index.js';
import {
	CAMERA_MOVES,
	CAMERA_SYNONYMS,
	checkMoves,
	contradicts,
	correctMove,
	formatMoves,
	parseCamera,
	splitCameraItems,
	type CameraMove,
} from '../../src/video/camera.js';
import { pick, randomText, seeded, type Random } from '../helpers/random.js';

/** Autocomplete in English, as most cases read it. */
const suggest = (typed: string, options: Partial<SuggestCameraOptions> = {}) =>
	suggestCamera(typed, { texts: english, ...options });

/** What a person might type: moves, synonyms, their beginnings and typos, junk, in a comma list. */
function randomTyping(random: Random): string {
	const words = [
		...CAMERA_MOVES,
		...Object.values(CAMERA_SYNONYMS).flat(),
		...CAMERA_PRESETS.map((preset) => preset.name),
	];
	const items = Array.from({ length: Math.floor(random() * 6) }, () => {
		const word = pick(random, words);
		const roll = random();
		if (roll < 0.3) return word.slice(0, 1 + Math.floor(random() * word.length));
		if (roll < 0.45) {
			const at = Math.floor(random() * word.length);
			return word.slice(0, at) + pick(random, [...'aeioxz ']) + word.slice(at + 1);
		}
		if (roll < 0.55) return pick(random, ['', ' ', 'red', '??', '🎥', '[', ']']);
		return roll < 0.75 ? word.toUpperCase() : word;
	});
	return items.join(pick(random, [',', ', ', ' , ', ';'])) + pick(random, ['', ',', ', ', ' ']);
}

/** Every rule Discord and the product put on an answer, as a list of what is wrong with it. */
function violations(choices: readonly CameraChoice[]): string[] {
	const wrong: string[] = [];
	if (choices.length === 0) wrong.push('no choice');
	if (choices.length > 25) wrong.push(`${choices.length} choices`);
	if (new Set(choices.map((choice) => choice.value)).size !== choices.length) wrong.push('a value twice');
	for (const choice of choices) {
		const { name, value } = choice;
		if (Object.keys(choice).sort().join() !== 'name,value') wrong.push(`extra keys: ${Object.keys(choice).join()}`);
		const nameOk = typeof name === 'string' && name.length >= 1 && name.length <= 100 && name.trim() === name;
		if (!nameOk) wrong.push(`name ${name}`);
		if (typeof value !== 'string' || value.length < 1 || value.length > 100) wrong.push(`value ${value}`);
		// Valid: one to three moves, no repeat, no contradiction; and already in documented spelling.
		const parsed = parseCamera(value);
		if (!parsed.ok) wrong.push(`${value}: ${parsed.reason}`);
		else if (parsed.moves.length < 1 || parsed.moves.length > 3) wrong.push(`${value}: ${parsed.moves.length} moves`);
		else if (formatMoves(parsed.moves) !== value) wrong.push(`${value}: not in documented spelling`);
	}
	return wrong;
}

/** Asserts every rule and returns the moves of each value. */
function expectValid(choices: readonly CameraChoice[], context: string): CameraMove[][] {
	expect(violations(choices), context).toEqual([]);
	return choices.map((choice) => {
		const parsed = parseCamera(choice.value);
		return parsed.ok ? [...parsed.moves] : [];
	});
}

const values = (typed: string, popular?: readonly string[]) =>
	suggest(typed, popular === undefined ? {} : { popular }).map((choice) => choice.value);

describe('camera autocomplete: nothing typed', () => {
	it('offers the presets, named with their moves, then single moves', () => {
		const choices = suggest('');
		expectValid(choices, 'empty');
		expect(choices.slice(0, CAMERA_PRESETS.length)).toEqual(
			CAMERA_PRESETS.map((preset) => ({
				name: `${preset.name}: ${formatMoves(preset.moves)}`,
				value: formatMoves(preset.moves),
			})),
		);
		expect(choices.slice(CAMERA_PRESETS.length).map((choice) => choice.value)).toEqual(
			CAMERA_MOVES.slice(0, 25 - CAMERA_PRESETS.length),
		);
		expect(choices[2]).toEqual({ name: 'Vertigo (dolly zoom): Push in, Zoom out', value: 'Push in, Zoom out' });
	});

	it('has valid presets, each a real combination of two or more moves', () => {
		expect(CAMERA_PRESETS.length).toBeGreaterThanOrEqual(4);
		for (const preset of CAMERA_PRESETS) {
			expect(checkMoves(preset.moves), preset.name).toEqual({ ok: true, moves: preset.moves });
			expect(preset.moves.length).toBeGreaterThanOrEqual(1);
		}
		expect(CAMERA_PRESETS).toContainEqual({ name: 'Orbit reveal', moves: ['Truck left', 'Pan right'] });
		expect(CAMERA_PRESETS).toContainEqual({ name: 'Handheld follow', moves: ['Tracking shot', 'Shake'] });
		expect(CAMERA_PRESETS).toContainEqual({ name: 'Crane reveal', moves: ['Pedestal up', 'Tilt down'] });
	});

	it("puts this server's popular lists first, re-checked, normalised, once each, at most five", () => {
		const popular = [
			'pan left, zoom in',
			'Pan left, Zoom in',
			'Pan left, Pan right',
			'Barrel roll',
			'',
			'x'.repeat(6000),
			'Shake',
			'dolly in, tilt up',
			'Static shot',
			'Tracking shot, Truck right',
			'Zoom out',
			'Tilt down',
		];
		const choices = suggest('', { popular });
		expectValid(choices, 'popular');
		expect(choices.slice(0, MAX_POPULAR_SHOWN)).toEqual([
			{ name: 'Pan left, Zoom in (popular here)', value: 'Pan left, Zoom in' },
			{ name: 'Shake (popular here)', value: 'Shake' },
			{ name: 'Push in, Tilt up (popular here)', value: 'Push in, Tilt up' },
			{ name: 'Static shot (popular here)', value: 'Static shot' },
			{ name: 'Tracking shot, Truck right (popular here)', value: 'Tracking shot, Truck right' },
		]);
		expect(choices[MAX_POPULAR_SHOWN]?.name).toBe('Orbit reveal: Truck left, Pan right');
		// "Hero push-in" and "Side tracking" have the same values as popular lists: shown once.
		expect(choices.filter((choice) => choice.value === 'Push in, Tilt up')).toHaveLength(1);
	});

	it.each(['', ' ', ',', ',,,,', ' , , ', '[', '[]', '   [  ', '\u200b', '🎥', 'qqqq', '中文', '\u0000'])(
		'answers %j like empty input: nothing readable was typed',
		(typed) => {
			expect(values(typed)).toEqual(values(''));
		},
	);
});

describe('camera autocomplete: completing the last item', () => {
	it('keeps the moves before the last item and completes it', () => {
		expect(values('Pan left, zo')).toEqual(['Pan left, Zoom in', 'Pan left, Zoom out']);
		expect(values('pan left,zo')).toEqual(['Pan left, Zoom in', 'Pan left, Zoom out']);
		expect(values('[Pan left, zo')).toEqual(['Pan left, Zoom in', 'Pan left, Zoom out']);
	});

	it('forgives typos in the items before and in the last one', () => {
		expect(values('pann left, zo')).toEqual(['Pan left, Zoom in', 'Pan left, Zoom out']);
		expect(values('zoon')).toEqual(['Zoom in', 'Zoom out']);
		expect(values('zoon in')[0]).toBe('Zoom in');
		expect(values('tilt upp')[0]).toBe('Tilt up');
		expect(values('trcking')[0]).toBe('Tracking shot');
		expect(values('pedstal')).toEqual(['Pedestal up', 'Pedestal down']);
		expect(values('shkae')[0]).toBe('Shake');
	});

	it('matches synonyms and says which word matched', () => {
		const dolly = suggest('dolly');
		expect(dolly.slice(0, 2)).toEqual([
			{ name: 'Push in (dolly in)', value: 'Push in' },
			{ name: 'Pull out (dolly out)', value: 'Pull out' },
		]);
		expect(suggest('handheld')[0]).toEqual({ name: 'Shake (handheld)', value: 'Shake' });
		expect(values('crane').slice(0, 2)).toEqual(['Pedestal up', 'Pedestal down']);
		expect(values('Zoom in, follow')[0]).toBe('Zoom in, Tracking shot');
	});

	it('finds presets by name and adds them to the moves before', () => {
		expect(suggest('vert')).toEqual([{ name: 'Vertigo (dolly zoom): Push in, Zoom out', value: 'Push in, Zoom out' }]);
		expect(values('orbit')).toEqual(['Truck left, Pan right', 'Truck right, Pan left']);
		expect(suggest('Shake, orbit')).toEqual([
			{ name: 'Shake + Orbit reveal: Truck left, Pan right', value: 'Shake, Truck left, Pan right' },
			{ name: 'Shake + Reverse orbit: Truck right, Pan left', value: 'Shake, Truck right, Pan left' },
		]);
		// Tilt down contradicts Crane drop's Tilt up, and three plus two moves is too many.
		expect(values('Tilt down, crane')).toEqual(['Tilt down, Pedestal up', 'Tilt down, Pedestal down']);
		expect(values('Pan left, Shake, orbit')).toEqual(['Pan left, Shake']);
	});

	it('puts moves that start with the typed text first, then words, then the rest of the names', () => {
		expect(values('sh')).toEqual(['Shake', 'Tracking shot', 'Static shot', 'Push in']);
		// Static shot contradicts Pan left.
		expect(values('Pan left, sh')).toEqual(['Pan left, Shake', 'Pan left, Tracking shot', 'Pan left, Push in']);
		expect(values('p')).toEqual(['Pan left', 'Pan right', 'Push in', 'Pull out', 'Pedestal up', 'Pedestal down']);
		expect(values('left pan')).toEqual(['Pan left']);
	});

	it('ranks a popular continuation first among equals', () => {
		expect(values('Pan left, zo', ['Pan left, Zoom out'])).toEqual(['Pan left, Zoom out', 'Pan left, Zoom in']);
		expect(values('Pan left, ', ['Shake', 'Pan left, Tilt up']).slice(0, 3)).toEqual([
			'Pan left',
			'Pan left, Tilt up',
			'Pan left, Truck left',
		]);
	});

	it('after a comma offers the moves so far, then every move that fits with them', () => {
		const offered = values('Pan left, ');
		expect(offered[0]).toBe('Pan left');
		expect(offered.slice(1, 13)).toEqual(
			CAMERA_MOVES.filter((move) => move !== 'Pan left' && !contradicts('Pan left', move)).map(
				(move) => `Pan left, ${move}`,
			),
		);
		// Then presets that still fit, shown as additions.
		expect(suggest('Pan left, ').find((choice) => choice.value === 'Pan left, Push in, Zoom out')?.name).toBe(
			'Pan left + Vertigo (dolly zoom): Push in, Zoom out',
		);
	});

	it('treats an unreadable last item as not typed yet', () => {
		expect(values('Pan left, qqqq')).toEqual(values('Pan left, '));
		expect(values('Pan left, 🎥')).toEqual(values('Pan left, '));
	});

	it('offers only the moves so far when the last item matches only moves that cannot join them', () => {
		expect(values('Pan left, pan right')).toEqual(['Pan left']);
		expect(values('Pan left, pan')).toEqual(['Pan left']);
		expect(values('Static shot, zoom')).toEqual(['Static shot']);
		expect(values('Zoom in, Pan left, Shake, t')).toEqual(['Zoom in, Pan left, Shake']);
		expect(values('Zoom in, Pan left, Shake, ')).toEqual(['Zoom in, Pan left, Shake']);
	});

	it('drops earlier items that are unknown, repeated, contradicting or a fourth move', () => {
		expect(values('Pan left, pan left, zo')).toEqual(['Pan left, Zoom in', 'Pan left, Zoom out']);
		expect(values('Pan left, Pan right, zo')).toEqual(['Pan left, Zoom in', 'Pan left, Zoom out']);
		expect(values('red, Pan left, zo')).toEqual(['Pan left, Zoom in', 'Pan left, Zoom out']);
		expect(values('Pan left, Tilt up, Shake, Zoom in, Truck left, ')).toEqual(['Pan left, Tilt up, Shake']);
		expect(values('pan left, '.repeat(6))).toEqual(values('Pan left, '));
	});
});

describe('camera autocomplete: tables', () => {
	it.each(CAMERA_MOVES.map((move) => [move]))('offers %s first when it is typed in full, in any spelling', (move) => {
		for (const typed of [move, move.toLowerCase(), move.toUpperCase(), move.replace(' ', '-'), move.replace(' ', '')]) {
			expect(values(typed)[0], typed).toBe(move);
		}
	});

	const synonyms = CAMERA_MOVES.flatMap((move) => CAMERA_SYNONYMS[move].map((word) => [word, move] as const));
	it.each(synonyms)('offers for the synonym %j the move %s first, naming the synonym', (word, move) => {
		expect(suggest(word)[0]).toEqual({ name: `${move} (${word})`, value: move });
	});

	// Every beginning of every move's name, alone and after another move: the move is offered.
	const prefixes = CAMERA_MOVES.flatMap((move) =>
		Array.from({ length: move.length }, (_, index) => [move.slice(0, index + 1), move] as const).filter(
			([typed]) => typed.trim() !== '',
		),
	);
	it.each(prefixes)('offers for %j the move %s', (typed, move) => {
		expect(values(typed)).toContain(move);
		const before: CameraMove = move === 'Shake' ? 'Pan left' : 'Shake';
		if (!contradicts(before, move)) expect(values(`${before}, ${typed}`)).toContain(`${before}, ${move}`);
	});

	const pairs = CAMERA_MOVES.flatMap((a) => CAMERA_MOVES.map((b) => [a, b] as const));
	it.each(pairs)('after %s, never offers a repeat or contradiction (typing %s)', (a, b) => {
		for (const typed of [`${a}, ${b}`, `${a}, ${b.slice(0, 3)}`, `${a}, `]) {
			for (const moves of expectValid(suggest(typed), typed)) {
				expect(moves[0], typed).toBe(a);
			}
		}
		if (a === b || contradicts(a, b)) expect(values(`${a}, ${b}`)).toEqual([a]);
		else expect(values(`${a}, ${b}`)[0]).toBe(`${a}, ${b}`);
	});
});

describe('camera autocomplete: any input', () => {
	const fixed = [
		'',
		',,,,',
		'x'.repeat(500),
		'x'.repeat(6000),
		','.repeat(6000),
		'[[[',
		']]]',
		'pan left,'.repeat(40),
		'🎥'.repeat(1000),
		'\u0000\u0001\u0002',
		'\ud83c',
		'Shake, Pan left, Zoom in, ',
		'Shake, Pan left, Zoom in, Tilt up',
		'a'.repeat(99) + ', zo',
		'zo, '.repeat(30),
		'İstanbul, ﬁ',
	];
	it.each(fixed.map((typed) => [typed.length > 60 ? `${typed.slice(0, 60)}… (${typed.length})` : typed, typed]))(
		'gives a valid answer to %j',
		(_, typed) => {
			expectValid(suggest(typed), typed.slice(0, 100));
			expectValid(suggest(typed, { popular: ['Pan left, Zoom in', 'Shake'] }), typed.slice(0, 100));
		},
	);

	it('gives a valid answer to 2000 random strings (seed 11) and never throws', () => {
		const random = seeded(11);
		const popular = ['Pan left, Zoom in', 'Shake', 'Tilt up, Tilt down', 'dolly in'];
		for (let index = 0; index < 2000; index += 1) {
			const typed = randomText(random);
			const context = `random #${index} (seed 11): ${JSON.stringify(typed.slice(0, 120))}`;
			expectValid(suggest(typed, index % 2 === 0 ? { popular } : {}), context);
		}
	});

	it('gives a valid answer to 2000 random typings of moves, synonyms, prefixes and typos (seed 12)', () => {
		const random = seeded(12);
		for (let index = 0; index < 2000; index += 1) {
			const typed = randomTyping(random);
			const context = `typing #${index} (seed 12): ${JSON.stringify(typed)}`;
			const offered = expectValid(suggest(typed), context);
			// The first move read before the last item is kept: every answer starts with it.
			const before = splitCameraItems(typed).slice(0, -1);
			const first = before.map(correctMove).find((move) => move !== undefined);
			if (first !== undefined) for (const moves of offered) expect(moves[0], context).toBe(first);
		}
	});

	it('answers quickly even for the longest input', () => {
		const started = performance.now();
		for (let index = 0; index < 100; index += 1) suggest(`${'pann lefft, '.repeat(500)}zoon`);
		expect((performance.now() - started) / 100).toBeLessThan(20);
	});
});

describe('PopularCombos', () => {
	it('counts lists per server, most used first, the more recent first on a tie', () => {
		const combos = new PopularCombos();
		combos.record('g1', ['Pan left', 'Zoom in']);
		combos.record('g1', ['Shake']);
		combos.record('g1', ['Shake']);
		combos.record('g1', ['Tilt up']);
		combos.record('g2', ['Static shot']);
		expect(combos.top('g1', 5)).toEqual(['Shake', 'Tilt up', 'Pan left, Zoom in']);
		expect(combos.top('g1', 1)).toEqual(['Shake']);
		expect(combos.top('g2')).toEqual(['Static shot']);
		expect(combos.top('nobody')).toEqual([]);
		expect(combos.top('g1', 0)).toEqual([]);
	});

	it('normalises synonyms and spelling, and refuses empty or invalid lists', () => {
		const combos = new PopularCombos();
		expect(combos.record('g', ['dolly in', 'ZOOM-OUT'])).toBe(true);
		expect(combos.record('g', ['Push in', 'Zoom out'])).toBe(true);
		expect(combos.record('g', [])).toBe(false);
		expect(combos.record('g', ['Pan left', 'Pan right'])).toBe(false);
		expect(combos.record('g', ['Shake', 'Shake'])).toBe(false);
		expect(combos.record('g', ['Pan left', 'Zoom in', 'Shake', 'Tilt up'])).toBe(false);
		expect(combos.record('g', ['Barrel roll'])).toBe(false);
		expect(combos.top('g')).toEqual(['Push in, Zoom out']);
		expect(values('', combos.top('g'))[0]).toBe('Push in, Zoom out');
	});

	it('stays bounded: the least used list and the longest unused server go first', () => {
		const combos = new PopularCombos({ maxCombosPerGuild: 2, maxGuilds: 2 });
		combos.record('a', ['Shake']);
		combos.record('a', ['Shake']);
		combos.record('a', ['Tilt up']);
		combos.record('a', ['Zoom in']);
		expect(combos.top('a')).toEqual(['Shake', 'Zoom in']);
		combos.record('b', ['Shake']);
		combos.record('a', ['Shake']);
		combos.record('c', ['Shake']);
		expect(combos.top('b')).toEqual([]);
		expect(combos.top('a')).toEqual(['Shake', 'Zoom in']);
		expect(combos.top('c')).toEqual(['Shake']);
	});

	it('feeds valid popular lists to the autocomplete whatever was recorded', () => {
		const combos = new PopularCombos();
		const random = seeded(5);
		for (let index = 0; index < 500; index += 1) {
			const moves = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(random, CAMERA_MOVES));
			combos.record('g', moves);
		}
		const top = combos.top('g', 25);
		expect(top.length).toBeGreaterThan(5);
		for (const value of top) expect(parseCamera(value), value).toMatchObject({ ok: true });
		expectValid(suggest('', { popular: top }), 'recorded');
	});
});
