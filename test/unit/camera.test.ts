import { describe, expect, it } from 'vitest';
import {
	CAMERA_MOVES,
	CAMERA_SYNONYMS,
	CAMERA_TERMS,
	canAddMove,
	checkMoves,
	contradicts,
	correctMove,
	formatBracket,
	looksLikeCameraMove,
	normalisePrompt,
	parseCamera,
	parsePromptShots,
	promptHasCameraMoves,
	resolveMove,
	suggestMove,
	typoDistance,
	type CameraMove,
} from '../../src/video/camera.js';
import { pick, randomText, seeded, type Random } from '../helpers/random.js';

/** A move written many ways: cases, spacing, separators, full-width letters, accents. */
function spellings(move: string): string[] {
	const words = move.split(' ');
	const title = (word: string) => (word[0] ?? '').toUpperCase() + word.slice(1).toLowerCase();
	const alternating = [...move]
		.map((char, index) => (index % 2 === 0 ? char.toLowerCase() : char.toUpperCase()))
		.join('');
	const fullWidth = [...move]
		.map((char) => (char === ' ' ? '\u3000' : String.fromCharCode(char.charCodeAt(0) + 0xfee0)))
		.join('');
	const accented = move.replace('a', '\u00e1').replace('e', '\u00e8').replace('o', '\u00f6');
	return [
		...new Set([
			move,
			move.toUpperCase(),
			move.toLowerCase(),
			`  ${move}  `,
			`\t${move}\n`,
			words.join('   '),
			words.join('-'),
			words.join('_'),
			words.join(''),
			words.map(title).join(''),
			alternating,
			words.join('.'),
			`${move}.`,
			fullWidth,
			accented,
			words.map((word) => word.toUpperCase()).join(' - '),
		]),
	];
}

// The contradictions as the product defines them, written out independently of the module.
const OPPOSITES: readonly (readonly [CameraMove, CameraMove])[] = [
	['Truck left', 'Truck right'],
	['Pan left', 'Pan right'],
	['Tilt up', 'Tilt down'],
	['Pedestal up', 'Pedestal down'],
	['Zoom in', 'Zoom out'],
	['Push in', 'Pull out'],
	...CAMERA_MOVES.filter((move) => move !== 'Static shot').map((move) => ['Static shot', move] as const),
];
const clash = (a: CameraMove, b: CameraMove) =>
	OPPOSITES.some(([x, y]) => (x === a && y === b) || (x === b && y === a));

describe('camera moves: spellings', () => {
	const cases = CAMERA_MOVES.flatMap((move) => spellings(move).map((spelling) => [spelling, move] as const));

	it('has many spellings of each of the 15 moves', () => {
		expect(CAMERA_MOVES).toHaveLength(15);
		expect(cases.length).toBeGreaterThanOrEqual(15 * 12);
	});

	it.each(cases)('reads %j as %s', (spelling, move) => {
		expect(resolveMove(spelling)).toBe(move);
		expect(parseCamera(spelling)).toEqual({ ok: true, moves: [move] });
		expect(parseCamera(`[${spelling}]`)).toEqual({ ok: true, moves: [move] });
	});
});

describe('camera moves: synonyms', () => {
	// The film words the product promises, written out here rather than read from the module.
	const promised: [string, CameraMove][] = [
		['dolly in', 'Push in'],
		['Dolly-In', 'Push in'],
		['dolly out', 'Pull out'],
		['dolly back', 'Pull out'],
		['crane up', 'Pedestal up'],
		['boom up', 'Pedestal up'],
		['jib up', 'Pedestal up'],
		['crane down', 'Pedestal down'],
		['track left', 'Truck left'],
		['crab left', 'Truck left'],
		['track right', 'Truck right'],
		['tilt upward', 'Tilt up'],
		['tilt downwards', 'Tilt down'],
		['zoom', 'Zoom in'],
		['handheld', 'Shake'],
		['hand-held', 'Shake'],
		['follow', 'Tracking shot'],
		['follow shot', 'Tracking shot'],
		['locked off', 'Static shot'],
		['locked-off', 'Static shot'],
		['static', 'Static shot'],
		['still', 'Static shot'],
		['push', 'Push in'],
		['pull back', 'Pull out'],
		['steadicam', 'Tracking shot'],
		['look up', 'Tilt up'],
		['pan to the left', 'Pan left'],
		['zoom back', 'Zoom out'],
	];
	it.each(promised)('reads %j as %s', (word, move) => {
		expect(resolveMove(word)).toBe(move);
		expect(parseCamera(word)).toEqual({ ok: true, moves: [move] });
	});

	const table = CAMERA_MOVES.flatMap((move) =>
		CAMERA_SYNONYMS[move].flatMap((word) =>
			[word, word.toUpperCase(), word.replaceAll(' ', '-'), word.replaceAll(' ', '')].map(
				(spelling) => [spelling, move] as const,
			),
		),
	);
	it.each(table)('reads synonym %j as %s', (spelling, move) => {
		expect(resolveMove(spelling)).toBe(move);
	});

	it('spells every move and synonym differently once case and spacing are ignored', () => {
		const seen = new Map<string, string>();
		for (const term of CAMERA_TERMS) {
			expect(seen.get(term.key), `${term.text} (${term.move})`).toBeUndefined();
			seen.set(term.key, term.text);
		}
		expect(CAMERA_TERMS.filter((term) => term.canonical).map((term) => term.text)).toEqual([...CAMERA_MOVES]);
	});

	it('leaves out words that name two moves at once', () => {
		for (const word of ['dolly', 'crane', 'pan', 'tilt', 'boom', 'pedestal', 'truck']) {
			expect(resolveMove(word), word).toBeUndefined();
		}
	});
});

describe('camera moves: contradictions, duplicates and the limit of three', () => {
	const pairs = CAMERA_MOVES.flatMap((a) => CAMERA_MOVES.filter((b) => b !== a).map((b) => [a, b] as const));
	const contradicting = pairs.filter(([a, b]) => clash(a, b));
	const compatible = pairs.filter(([a, b]) => !clash(a, b));

	it('covers every ordered pair of moves', () => {
		expect(pairs).toHaveLength(15 * 14);
		// 6 opposite pairs and Static shot with each of the 14 others, both orders.
		expect(contradicting).toHaveLength(2 * (6 + 14));
	});

	it.each(contradicting)('refuses %s with %s', (a, b) => {
		expect(contradicts(a, b)).toBe(true);
		expect(parseCamera(`${a}, ${b}`)).toEqual({ ok: false, reason: 'contradiction', a, b });
		expect(checkMoves([a, b])).toEqual({ ok: false, reason: 'contradiction', a, b });
		expect(canAddMove([a], b)).toBe(false);
		expect(parsePromptShots(`x [${a.toLowerCase()}, ${b.toUpperCase()}] y`)).toEqual({
			ok: false,
			reason: 'contradiction',
			a,
			b,
			bracket: `[${a.toLowerCase()}, ${b.toUpperCase()}]`,
			start: 2,
		});
	});

	it.each(compatible)('accepts %s with %s', (a, b) => {
		expect(contradicts(a, b)).toBe(false);
		expect(parseCamera(`${a}, ${b}`)).toEqual({ ok: true, moves: [a, b] });
		expect(canAddMove([a], b)).toBe(true);
	});

	it('finds contradictions written with synonyms, and names the moves in documented spelling', () => {
		expect(parseCamera('dolly in, pull back')).toEqual({
			ok: false,
			reason: 'contradiction',
			a: 'Push in',
			b: 'Pull out',
		});
		expect(parseCamera('crane up, Shake, ped down')).toEqual({
			ok: false,
			reason: 'contradiction',
			a: 'Pedestal up',
			b: 'Pedestal down',
		});
		expect(parseCamera('zoom in, locked off')).toEqual({
			ok: false,
			reason: 'contradiction',
			a: 'Zoom in',
			b: 'Static shot',
		});
	});

	it.each(CAMERA_MOVES.map((move) => [move]))('refuses %s twice, also through a synonym', (move) => {
		expect(parseCamera(`${move}, ${move.toLowerCase()}`)).toEqual({ ok: false, reason: 'duplicate', item: move });
		const synonym = CAMERA_SYNONYMS[move][0] ?? move;
		expect(parseCamera(`${synonym}, ${move}`)).toEqual({ ok: false, reason: 'duplicate', item: move });
		expect(canAddMove([move], move)).toBe(false);
	});

	it('accepts three moves and refuses four or more, counting them all', () => {
		expect(parseCamera('Pan left, Zoom in, Shake')).toEqual({ ok: true, moves: ['Pan left', 'Zoom in', 'Shake'] });
		expect(parseCamera('Pan left, Zoom in, Shake, Tilt up')).toEqual({ ok: false, reason: 'too-many', count: 4 });
		expect(parseCamera('Pan left, Zoom in, Shake, Tilt up, Truck right')).toEqual({
			ok: false,
			reason: 'too-many',
			count: 5,
		});
		expect(canAddMove(['Pan left', 'Zoom in', 'Shake'], 'Tilt up')).toBe(false);
		// A problem with a named item is reported before the count.
		expect(parseCamera('Pan left, Zoom in, Shake, Tilt up, pan left')).toEqual({
			ok: false,
			reason: 'duplicate',
			item: 'Pan left',
		});
	});

	it('reads separators other than commas, brackets around the list, and an empty list', () => {
		const expected = { ok: true, moves: ['Pan left', 'Zoom in'] };
		const inputs = [
			'pan left; zoom in',
			'pan left + zoom in',
			'pan left & zoom in',
			'pan left and zoom in',
			' [pan left,zoom in] ',
		];
		for (const input of inputs) {
			expect(parseCamera(input), input).toEqual(expected);
		}
		expect(parseCamera('')).toEqual({ ok: true, moves: [] });
		expect(parseCamera('[]')).toEqual({ ok: true, moves: [] });
		expect(parseCamera(' , ,, ')).toEqual({ ok: true, moves: [] });
	});
});

describe('camera moves: unknown items and suggestions', () => {
	const typos: [string, CameraMove][] = [
		['zoon in', 'Zoom in'],
		['pann left', 'Pan left'],
		['tilt upp', 'Tilt up'],
		['zoom ot', 'Zoom out'],
		['zomo in', 'Zoom in'],
		['pedestl up', 'Pedestal up'],
		['pedestal dwn', 'Pedestal down'],
		['trcking shot', 'Tracking shot'],
		['statik shot', 'Static shot'],
		['shak', 'Shake'],
		['shkae', 'Shake'],
		['pusj in', 'Push in'],
		['pul out', 'Pull out'],
		['truk left', 'Truck left'],
		['truck rigth', 'Truck right'],
		['pan rihgt', 'Pan right'],
		['tlit down', 'Tilt down'],
		['dolly', 'Push in'],
		['doly in', 'Push in'],
		['dolly ot', 'Pull out'],
		['crane', 'Pedestal up'],
		['hand-helt', 'Shake'],
		['slow pan left', 'Pan left'],
		['very slow zoom out', 'Zoom out'],
		['handheld camera', 'Shake'],
	];
	it.each(typos)('refuses %j and suggests %s', (item, suggestion) => {
		expect(resolveMove(item)).toBeUndefined();
		expect(suggestMove(item)).toBe(suggestion);
		expect(parseCamera(`Static shot, ${item}`)).toEqual({ ok: false, reason: 'unknown', item, suggestion });
	});

	const unrelated = ['Barrel roll', 'red', 'xyzzy', 'a lighthouse at dusk', '🎥', '中文'];
	it.each(unrelated)('refuses %j without a suggestion', (item) => {
		expect(suggestMove(item)).toBeUndefined();
		expect(parseCamera(item)).toEqual({ ok: false, reason: 'unknown', item });
	});

	// Every documented move with one seeded letter changed, dropped, added or swapped.
	const random = seeded(7);
	const generated = CAMERA_MOVES.flatMap((move) =>
		Array.from({ length: 8 }, () => [typo(random, move), move] as const).filter(
			([text]) => resolveMove(text) === undefined,
		),
	);
	it('generates a typo table', () => expect(generated.length).toBeGreaterThan(100));
	it.each(generated)('suggests for the typo %j the move %s', (text, move) => {
		expect(suggestMove(text)).toBe(move);
		// Read as that move outright only when the word is long enough and no other move is as close.
		expect([move, undefined]).toContain(correctMove(text));
		expect(parseCamera(text)).toMatchObject({ ok: false, reason: 'unknown', item: text, suggestion: move });
	});

	it('reads small typos as moves only when the word is long enough and only one move is that close', () => {
		expect(correctMove('pann left')).toBe('Pan left');
		expect(correctMove('zoon in')).toBe('Zoom in');
		expect(correctMove('zoon')).toBeUndefined(); // under five letters: exact only
		expect(correctMove('red')).toBeUndefined();
		expect(correctMove('a'.repeat(5000))).toBeUndefined();
	});

	it('measures typo distance with swaps, and a prefix distance for half-typed words', () => {
		expect(typoDistance('zoomin', 'zoomin', 2)).toEqual({ full: 0, prefix: 0 });
		expect(typoDistance('zomoin', 'zoomin', 2).full).toBe(1);
		expect(typoDistance('zoonin', 'zoomin', 2).full).toBe(1);
		expect(typoDistance('pedes', 'pedestalup', 2)).toEqual({ full: 3, prefix: 0 });
		expect(typoDistance('pdes', 'pedestalup', 2).prefix).toBe(1);
		expect(typoDistance('xxxxxx', 'zoomin', 2)).toEqual({ full: 3, prefix: 3 });
		expect(typoDistance('', 'zoom', 9)).toEqual({ full: 4, prefix: 0 });
	});
});

function typo(random: Random, text: string): string {
	const letters = [...text].map((char, index) => ({ char, index })).filter(({ char }) => /[a-z]/i.test(char));
	const at = pick(random, letters).index;
	const other = pick(random, [...'abcdefghijklmnopqrstuvwxyz']);
	switch (Math.floor(random() * 4)) {
		case 0:
			return text.slice(0, at) + other + text.slice(at + 1);
		case 1:
			return text.slice(0, at) + text.slice(at + 1);
		case 2:
			return text.slice(0, at) + other + text.slice(at);
		default:
			return at + 1 < text.length && text[at + 1] !== ' '
				? text.slice(0, at) + (text[at + 1] ?? '') + (text[at] ?? '') + text.slice(at + 2)
				: text.slice(0, at) + other + text.slice(at + 1);
	}
}

describe('prompt brackets: shots', () => {
	it('reads brackets as shots in order, with their offsets', () => {
		const prompt = 'A bear poses, [Pedestal up] then waves. [zoom-OUT, shake]';
		const parsed = parsePromptShots(prompt);
		expect(parsed).toEqual({
			ok: true,
			shots: [
				{ moves: ['Pedestal up'], start: 14, end: 27 },
				{ moves: ['Zoom out', 'Shake'], start: 40, end: 57 },
			],
		});
		const written = parsed.ok ? parsed.shots.map((shot) => prompt.slice(shot.start, shot.end)) : [];
		expect(written).toEqual(['[Pedestal up]', '[zoom-OUT, shake]']);
	});

	const normalised: [string, string, CameraMove[][]][] = [
		['[dolly in, zoom out] a cat', '[Push in, Zoom out] a cat', [['Push in', 'Zoom out']]],
		['a cat [pan   LEFT] [red] [tilt_up]', 'a cat [Pan left] [red] [Tilt up]', [['Pan left'], ['Tilt up']]],
		['[handheld; follow] runs', '[Shake, Tracking shot] runs', [['Shake', 'Tracking shot']]],
		['[ locked off ]', '[Static shot]', [['Static shot']]],
		['[crane up and tilt downward] a castle', '[Pedestal up, Tilt down] a castle', [['Pedestal up', 'Tilt down']]],
		['[[pan left]]', '[[Pan left]]', [['Pan left']]],
		['[Pan left][Pan right]', '[Pan left][Pan right]', [['Pan left'], ['Pan right']]],
		['[Ｐａｎ ｌｅｆｔ] wide', '[Pan left] wide', [['Pan left']]],
		['[pán left] é', '[Pan left] é', [['Pan left']]],
		['[pan\nleft] and', '[Pan left] and', [['Pan left']]],
		['[push, Zoom in , shake]', '[Push in, Zoom in, Shake]', [['Push in', 'Zoom in', 'Shake']]],
	];
	it.each(normalised)('rewrites %j as %j', (prompt, expected, moves) => {
		const result = normalisePrompt(prompt);
		expect(result).toMatchObject({ ok: true, prompt: expected });
		if (!result.ok) return;
		expect(result.shots.map((shot) => shot.moves)).toEqual(moves);
		for (const shot of result.shots) expect(expected.slice(shot.start, shot.end)).toBe(formatBracket(shot.moves));
		expect(normalisePrompt(expected)).toEqual(result);
		expect(promptHasCameraMoves(prompt)).toBe(true);
	});

	const plainText = [
		'a [red] balloon',
		'[]',
		'[ ]',
		'[, ,]',
		'[a, b]',
		'[rock and roll]',
		'[frying pan]',
		'[a red truck]',
		'[the dog pushes the ball]',
		'[room]',
		'[42]',
		'[🎥]',
		'[he will pull out a gun from the drawer]',
		'no brackets at all',
		'an [unclosed bracket',
		'a closed] one',
	];
	it.each(plainText)('leaves %j alone: no camera words', (prompt) => {
		expect(parsePromptShots(prompt)).toEqual({ ok: true, shots: [] });
		expect(normalisePrompt(prompt)).toEqual({ ok: true, prompt, shots: [] });
		expect(promptHasCameraMoves(prompt)).toBe(false);
		for (const item of prompt.replace(/[[\]]/g, '').split(',')) expect(looksLikeCameraMove(item), item).toBe(false);
	});

	const refused: [string, Record<string, unknown>][] = [
		[
			'a [pan left, pan right] b',
			{ reason: 'contradiction', a: 'Pan left', b: 'Pan right', bracket: '[pan left, pan right]', start: 2 },
		],
		['[zoon in] a cat', { reason: 'unknown', item: 'zoon in', suggestion: 'Zoom in', bracket: '[zoon in]', start: 0 }],
		['x [Pan left, red]', { reason: 'unknown', item: 'red', bracket: '[Pan left, red]', start: 2 }],
		['x [Shake, shaky]', { reason: 'duplicate', item: 'Shake', bracket: '[Shake, shaky]', start: 2 }],
		['x [pan left, zoom in, shake, tilt up]', { reason: 'too-many', count: 4, start: 2 }],
		['[static, zoom in]', { reason: 'contradiction', a: 'Static shot', b: 'Zoom in', start: 0 }],
		['[slow pan left] a dog', { reason: 'unknown', item: 'slow pan left', suggestion: 'Pan left', start: 0 }],
		[
			'[Pan left] fine, [red] fine, [tilt up, tilt down] not',
			{ reason: 'contradiction', a: 'Tilt up', b: 'Tilt down', start: 29 },
		],
		[
			'[pann left] first [zoom in, zoom out] second',
			{ reason: 'unknown', item: 'pann left', suggestion: 'Pan left', start: 0 },
		],
	];
	it.each(refused)('refuses %j', (prompt, problem) => {
		expect(parsePromptShots(prompt)).toMatchObject({ ok: false, ...problem });
		expect(normalisePrompt(prompt)).toMatchObject({ ok: false, ...problem });
	});

	it('reads every documented move and synonym in a bracket, and rewrites it', () => {
		for (const term of CAMERA_TERMS) {
			const expected = { ok: true, prompt: `a [${term.move}] b` };
			expect(normalisePrompt(`a [${term.text}] b`), term.text).toMatchObject(expected);
		}
	});

	// Seeded prompts built from shots we know: plain words, plain brackets and camera brackets in
	// random spellings, synonyms and separators. The parser must find exactly the shots put in.
	const PLAIN = [
		...['a bear', 'walks', 'in the rain,', 'then', 'é 🎥', '(aside)'],
		...['[red]', '[blue sky]', '[]', '[rock and roll]', '[42]'],
	];
	const SEPARATORS = [', ', ',', ' , ', '; ', ' + ', ' and ', ' & '];
	const random = seeded(2024);
	const prompts = Array.from({ length: 300 }, () => {
		let prompt = '';
		let expected = '';
		const shots: CameraMove[][] = [];
		for (let part = 0, parts = 1 + Math.floor(random() * 6); part < parts; part += 1) {
			if (random() < 0.5) {
				const word = pick(random, PLAIN);
				prompt += `${word} `;
				expected += `${word} `;
				continue;
			}
			const moves: CameraMove[] = [];
			for (let tries = 0, want = 1 + Math.floor(random() * 3); tries < 20 && moves.length < want; tries += 1) {
				const move = pick(random, CAMERA_MOVES);
				if (!moves.includes(move) && !moves.some((other) => clash(other, move))) moves.push(move);
			}
			const written = moves.map((move) => pick(random, [...spellings(move), ...CAMERA_SYNONYMS[move]]));
			prompt += `[${written.join(pick(random, SEPARATORS))}] `;
			expected += `${formatBracket(moves)} `;
			shots.push(moves);
		}
		return [prompt, expected, shots] as const;
	});
	it.each(prompts)('finds the shots of generated prompt %j', (prompt, expected, shots) => {
		const result = normalisePrompt(prompt);
		expect(result).toMatchObject({ ok: true, prompt: expected });
		if (result.ok) expect(result.shots.map((shot) => shot.moves)).toEqual(shots);
		expect(promptHasCameraMoves(prompt)).toBe(shots.length > 0);
	});
});

describe('camera parser: any input', () => {
	const random = seeded(99);
	const inputs = Array.from({ length: 2000 }, () => randomText(random));

	it('never throws, and what it accepts is always valid and stable', () => {
		for (const [index, input] of inputs.entries()) {
			const context = `input #${index} (seed 99): ${JSON.stringify(input.slice(0, 200))}`;
			const parsed = parseCamera(input);
			if (parsed.ok) {
				expect(parsed.moves.length, context).toBeLessThanOrEqual(3);
				expect(checkMoves(parsed.moves), context).toEqual(parsed);
			}
			const shots = parsePromptShots(input);
			const normalised = normalisePrompt(input);
			expect(normalised.ok, context).toBe(shots.ok);
			if (normalised.ok) {
				expect(normalisePrompt(normalised.prompt), context).toEqual(normalised);
				for (const shot of normalised.shots) {
					expect(checkMoves(shot.moves), context).toEqual({ ok: true, moves: shot.moves });
					expect(shot.moves.length, context).toBeGreaterThan(0);
					expect(normalised.prompt.slice(shot.start, shot.end), context).toBe(formatBracket(shot.moves));
				}
			} else {
				expect(input.slice(normalised.start).startsWith(normalised.bracket), context).toBe(true);
			}
			suggestMove(input);
		}
	});

	it('handles a 6000-character prompt of brackets quickly', () => {
		const prompt = '[pan left] a '.repeat(460);
		const started = performance.now();
		const result = normalisePrompt(prompt);
		expect(result.ok && result.shots.length).toBe(460);
		expect(performance.now() - started).toBeLessThan(500);
	});
});
