// Hostile text in prompts, camera lists and titles: brackets that do not pair up, invisible and
// direction-changing characters, Markdown that would turn the bot's own message into a link, and
// input long enough to push a message past Discord's limits. Table tests, then seeded random ones.
import { describe, expect, it } from 'vitest';
import { listing } from '../../commands/queue.js';
import { InvalidRequestError, type RequestProblem } from '../../src/errors.js';
import { cut, DISCORD_LIMITS, echo, inert, quote, shotPrompt } from '../../src/texts/format.js';
import { LANGUAGES, textsFor } from '../../src/texts/index.js';
import { checkBrackets } from '../../src/video/camera.js';
import { cleanText, FORBIDDEN } from '../../src/video/clean.js';
import { cleanPrompt, composePrompt } from '../../src/video/request.js';
import { pick, seeded, type Random } from '../helpers/random.js';

const ALL_TEXTS = LANGUAGES.map((language) => textsFor(language));

function refusal(run: () => unknown): RequestProblem | undefined {
	try {
		run();
		return undefined;
	} catch (error) {
		if (error instanceof InvalidRequestError) return error.problem;
		throw error;
	}
}

/** Brackets nest no deeper than one, and every one is closed. */
function flatAndBalanced(text: string): boolean {
	let depth = 0;
	for (const char of text) {
		if (char === '[') depth += 1;
		else if (char === ']') depth -= 1;
		if (depth < 0 || depth > 1) return false;
	}
	return depth === 0;
}

/** What Discord shows for a message's text: a backslash before anything but a letter, digit or space escapes it. */
const rendered = (markdown: string): string => markdown.replace(/\\([^0-9A-Za-z\s])/g, '$1');

/** The text with every escaped character (and its backslash) replaced by "·": what Markdown can still act on. */
function live(markdown: string): string {
	let out = '';
	for (let i = 0; i < markdown.length; i += 1) {
		const char = markdown.charAt(i);
		const next = markdown.charAt(i + 1);
		if (char === '\\' && next !== '' && /[^0-9A-Za-z\s]/.test(next)) {
			out += '··';
			i += 1;
		} else out += char;
	}
	return out;
}

/** Markdown that would act on a message, found in what is left live. */
function activeMarkdown(markdown: string): string[] {
	const text = live(markdown);
	const found: string[] = [];
	const inline: [string, RegExp][] = [
		['masked link', /\]\(/],
		['spoiler', /\|\|/],
		['code', /`/],
		['bold or italic', /\*/],
		['underline or italic', /_/],
		['strike', /~~/],
		['link', /[a-z]+:\/\//i],
		['angle tag', /</],
		['heading', /#/],
		['bracket', /\[/],
	];
	for (const [name, pattern] of inline) if (pattern.test(text)) found.push(name);
	for (const line of text.split('\n')) {
		if (/^\s*(>|-|\+|\d+\.)/.test(line)) found.push(`line start ${JSON.stringify(line.slice(0, 8))}`);
	}
	return found;
}

/** No half of a surrogate pair on its own (in Unicode mode a lone surrogate is matched by \p{Cs}). */
const wellFormed = (text: string): boolean => !/\p{Cs}/u.test(text);

const BIDI = /[\u202A-\u202E\u200E\u200F\u061C\u2066-\u2069]/u;
const ZERO_WIDTH = /[\u200B\u2060\uFEFF\u180E\u00AD]/u;

/** A joiner beside ASCII, a space, another joiner or an edge joins nothing. */
function strayJoiner(text: string): boolean {
	const chars = [...text];
	return chars.some((char, i) => {
		if (char !== '\u200C' && char !== '\u200D') return false;
		const ok = (c: string | undefined) => c !== undefined && /^[^\p{ASCII}\s\u200C\u200D]$/u.test(c);
		return !ok(chars[i - 1]) || !ok(chars[i + 1]);
	});
}

describe('brackets are balanced and flat', () => {
	const repaired: [string, string][] = [
		['a cat [pan left', 'a cat [Pan left]'],
		['a cat [pan left ', 'a cat [Pan left]'],
		['a cat [dolly in, zoom out', 'a cat [Push in, Zoom out]'],
		['a cat [Pan left, Zoom in, Shake', 'a cat [Pan left, Zoom in, Shake]'],
		['[Zoom in] a cat [handheld', '[Zoom in] a cat [Shake]'],
		['[[Pan left]] a cat', '[Pan left] a cat'],
		['a cat [ [zoom in] ]', 'a cat [Zoom in]'],
		['[[Pan left]] a cat [[Zoom out]]', '[Pan left] a cat [Zoom out]'],
	];
	it.each(repaired)('repairs %j, whose meaning is unambiguous, as %j', (prompt, sent) => {
		expect(composePrompt({ prompt }).prompt).toBe(sent);
	});

	const refused: [string, RequestProblem['kind'], number, string][] = [
		['a cat [pan left walks away', 'bracket-unclosed', 7, 'a cat [pan left] walks away'],
		['[a red balloon floats', 'bracket-unclosed', 1, 'a red balloon floats'],
		['a cat [', 'bracket-unclosed', 7, 'a cat '],
		['a cat [zoon in', 'bracket-unclosed', 7, 'a cat zoon in'],
		['a [red] cat [pan left, barrel roll', 'bracket-unclosed', 13, 'a [red] cat pan left, barrel roll'],
		['a cat walks pan left] away', 'bracket-stray', 21, 'a cat walks [pan left] away'],
		['] a cat', 'bracket-stray', 1, ' a cat'],
		['a [red] ball] bounces', 'bracket-stray', 13, 'a [red] ball bounces'],
		['a cat [Zoom in]] walks', 'bracket-stray', 16, 'a cat [Zoom in] walks'],
		['[Pan left [Zoom in]] a cat', 'bracket-nested', 11, '[Pan left] [Zoom in] a cat'],
		['a [red [ball]] bounces', 'bracket-nested', 8, 'a [red] [ball] bounces'],
		['a [[red]] ball', 'bracket-nested', 4, 'a [red] ball'],
		['[a red [ball', 'bracket-nested', 8, '[a red] [ball'],
		['🎥🎥 [pan left walks', 'bracket-unclosed', 4, '🎥🎥 [pan left] walks'],
		['[[Pan left]] a ] cat', 'bracket-stray', 16, '[Pan left] a  cat'],
	];
	it.each(refused)('refuses %j as %s at character %i, suggesting %j', (prompt, kind, position, fix) => {
		const problem = refusal(() => composePrompt({ prompt }));
		expect(problem).toMatchObject({ kind, position, fix });
		expect([...prompt][position - 1]).toBe(kind === 'bracket-stray' ? ']' : '[');
		for (const texts of ALL_TEXTS) {
			const words = texts.commandError(new InvalidRequestError(problem!));
			expect(words).toContain(String(position));
			// The sentence's own quoted bracket is the only one left live.
			const quoted = words.replace(/“[[\]]”|« [[\]] »/, '');
			expect(activeMarkdown(quoted)).toEqual([]);
		}
	});

	it('tells the position and a concrete fix in every language', () => {
		const problem = refusal(() => composePrompt({ prompt: 'a cat [pan left walks away' }))!;
		expect(textsFor('en').commandError(new InvalidRequestError(problem))).toBe(
			'The “[” at character 7 of your prompt is never closed: “a cat \\[pan left walks away”. Try: “a cat \\[pan left\\] walks away”. This request did not use any of your quota.',
		);
		expect(textsFor('fr').commandError(new InvalidRequestError(problem))).toBe(
			'Le « [ » au caractère 7 de votre prompt n’est jamais fermé : « a cat \\[pan left walks away ». Essayez : « a cat \\[pan left\\] walks away ». Cette demande n’a rien utilisé de votre quota.',
		);
	});

	it('answers a 1,900-character bracket within 2000 characters', () => {
		for (const prompt of [`[${'x'.repeat(1900)}`, `a [b [${'x'.repeat(1900)}]]`, `${'y'.repeat(1900)}] z`]) {
			const problem = refusal(() => composePrompt({ prompt }))!;
			for (const texts of ALL_TEXTS) {
				expect(texts.commandError(new InvalidRequestError(problem)).length).toBeLessThanOrEqual(500);
			}
		}
	});

	const SEED = 0xb7ac3;
	it(`seed ${SEED}: 3000 random prompts are sent flat and balanced, or refused at a real bracket`, () => {
		const random = seeded(SEED);
		const pieces = ['[', ']', '[', ']', ' ', 'a cat', 'pan left', 'Zoom in', ', ', 'dolly in', 'red', '[[', ']]'];
		const counts = { sent: 0, repaired: 0, refused: 0 };
		for (let n = 0; n < 3000; n += 1) {
			let prompt = '';
			const length = 1 + Math.floor(random() * 12);
			for (let i = 0; i < length; i += 1) prompt += pick(random, pieces);
			// A bracket of moves left open at the end, or doubled, is the slip that gets repaired.
			if (random() < 0.3) prompt += pick(random, [' [pan left', ' [Zoom in, dolly in', ' [[Shake]]']);
			const text = cleanPrompt(prompt);
			let problem: RequestProblem | undefined;
			try {
				const composed = composePrompt({ prompt });
				expect(flatAndBalanced(composed.prompt), prompt).toBe(true);
				if (flatAndBalanced(text)) counts.sent += 1;
				else counts.repaired += 1;
				continue;
			} catch (error) {
				if (!(error instanceof InvalidRequestError)) throw error;
				problem = error.problem;
			}
			if (problem.kind === 'prompt-empty') continue;
			if (problem.kind !== 'bracket-unclosed' && problem.kind !== 'bracket-stray' && problem.kind !== 'bracket-nested')
				continue; // a camera refusal of a flat, balanced prompt
			counts.refused += 1;
			expect(flatAndBalanced(text), prompt).toBe(false);
			expect([...text][problem.position - 1], prompt).toBe(problem.kind === 'bracket-stray' ? ']' : '[');
			for (const texts of ALL_TEXTS) {
				expect(texts.commandError(new InvalidRequestError(problem)).length).toBeLessThanOrEqual(2000);
			}
		}
		// Each outcome is tried many times.
		expect(Math.min(counts.sent, counts.repaired, counts.refused), JSON.stringify(counts)).toBeGreaterThan(100);
	});

	it('checkBrackets leaves flat, balanced text alone', () => {
		for (const text of ['', 'a cat', '[Pan left] a [red] cat [Zoom in]', '[]', 'a [ ] b']) {
			expect(checkBrackets(text)).toEqual({ ok: true, text, repaired: false });
		}
	});
});

describe('invisible and direction-changing characters are removed', () => {
	const HIDDEN = [
		...['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u200E', '\u200F', '\u061C'],
		...['\u2066', '\u2067', '\u2068', '\u2069'],
		...['\u200B', '\u2060', '\u2061', '\u2062', '\u2063', '\u2064', '\uFEFF', '\u00AD', '\u180E', '\u034F'],
		...['\u115F', '\u1160', '\u3164', '\uFFA0', '\u17B4', '\u17B5', '\uFFF9', '\uFFFA', '\uFFFB'],
		...['\u{E0001}', '\u{E0041}', '\u{E007F}', '\u{E0100}', '\u{E01EF}', '\u{1D173}'],
		...['\u0000', '\u0001', '\u0007', '\u0008', '\u000B', '\u000C', '\u001B', '\u001F', '\u007F'],
		...['\u0080', '\u0090', '\u009B', '\u009F', '\uD800', '\uDFFF'],
	];
	it.each(HIDDEN.map((char) => [`U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`, char]))(
		'removes %s from the prompt, the camera option and a title',
		(_name, char) => {
			expect(cleanPrompt(`a ${char}cat${char} [Zoom${char} in]`)).toBe('a cat [Zoom in]');
			expect(composePrompt({ prompt: `a${char} cat`, camera: `Pan${char} left` }).prompt).toBe('[Pan left] a cat');
			expect(cleanText(`${char}The ${char}lighthouse${char}`)).toBe('The lighthouse');
		},
	);

	it('keeps joiners that shape emoji and scripts, and drops the ones that join nothing', () => {
		const family = '👨\u200D👩\u200D👧';
		const persian = 'می\u200Cخواهم';
		const devanagari = 'क्\u200Dष';
		expect(cleanPrompt(`a ${family} at sea`)).toBe(`a ${family} at sea`);
		expect(cleanPrompt(persian)).toBe(persian);
		expect(cleanPrompt(devanagari)).toBe(devanagari);
		expect(cleanPrompt('p\u200Dan left')).toBe('pan left');
		expect(cleanPrompt('\u200D👩 a\u200C \u200D🎥')).toBe('👩 a 🎥');
		expect(cleanPrompt('👨\u200D\u200D👩')).toBe('👨\u200D👩');
	});

	it('normalises line breaks, tabs and other spaces', () => {
		expect(cleanPrompt('a\r\nb\rc\u2028d\u2029e\u0085f')).toBe('a\nb\nc\nd\ne\nf');
		expect(cleanPrompt('a\t\tb\u00A0\u3000c\u2003d')).toBe('a b c d');
		expect(cleanPrompt('a\n\n\n\n\nb')).toBe('a\n\nb');
		expect(cleanText('The\nlighthouse\r\nat dusk')).toBe('The lighthouse at dusk');
	});

	const SEED = 0x5eed1d;
	it(`seed ${SEED}: 4000 random strings leave no hidden character, and cleaning twice changes nothing`, () => {
		const random = seeded(SEED);
		const alphabet = [...HIDDEN, ...'ab [],\n\t\r', '👨', '\u200D', '\u200C', 'é', 'ش', 'क', '\uFE0F', '🏴'];
		for (let n = 0; n < 4000; n += 1) {
			let raw = '';
			const length = Math.floor(random() * (n % 50 === 0 ? 3000 : 40));
			for (let i = 0; i < length; i += 1) raw += pick(random, alphabet);
			for (const text of [cleanPrompt(raw), cleanText(raw)]) {
				expect(FORBIDDEN.test(text), JSON.stringify(raw)).toBe(false);
				expect(BIDI.test(text) || ZERO_WIDTH.test(text) || strayJoiner(text), JSON.stringify(raw)).toBe(false);
				expect(wellFormed(text)).toBe(true);
			}
			expect(cleanPrompt(cleanPrompt(raw))).toBe(cleanPrompt(raw));
			expect(cleanText(raw)).not.toContain('\n');
			const problem = refusal(() => composePrompt({ prompt: raw, camera: raw.slice(0, 20) }));
			if (problem === undefined) {
				const sent = composePrompt({ prompt: raw, camera: raw.slice(0, 20) }).prompt;
				expect(FORBIDDEN.test(sent) || BIDI.test(sent)).toBe(false);
			}
		}
	});
});

describe('echoed text is inert', () => {
	const HOSTILE: [string, string][] = [
		['heading', '# Free nitro'],
		['subtext', '-# small print'],
		['masked link', '[click me](https://evil.example/login)'],
		['raw link', 'see https://evil.example/x and http://a.b'],
		['angle link', '<https://evil.example>'],
		['code fence', '```js\nalert(1)\n```'],
		['inline code', 'a `cat`'],
		['spoiler', '||the end||'],
		['block quote', '> quoted\n>>> all of it'],
		['bold', '**bold** __underline__ *it* _it_'],
		['strike', '~~gone~~'],
		['list', '- one\n* two\n+ three\n1. four\n  2. five'],
		['mention', '<@123456789012345678> <@&1> <#2> @everyone'],
		['timestamp and emoji', '<t:0:R> <:name:123>'],
		['backslashes', 'a \\ b \\\\ c \\* d \\'],
	];

	it.each(HOSTILE)('%s renders as typed and acts on nothing', (_name, text) => {
		const shown = inert(text);
		expect(rendered(shown)).toBe(text);
		expect(activeMarkdown(shown)).toEqual([]);
		const quoted = quote(text);
		expect(quoted.split('\n').every((line) => line.startsWith('> '))).toBe(true);
		expect(activeMarkdown(quoted.replace(/^> /gm, ''))).toEqual([]);
	});

	it('a refusal quoting a raw option (a model, a camera item, a limit, a title) shows no hidden character', () => {
		const raw = '\u2066[x](https://e.example)\u2069\u200B\u0007';
		for (const texts of ALL_TEXTS) {
			const answers = [
				texts.commandError(
					new InvalidRequestError({
						kind: 'unservable',
						provider: 'MiniMax',
						asked: [
							{ kind: 'model', model: raw },
							{ kind: 'resolution', resolution: raw },
						],
						suggestions: [],
					}),
				),
				texts.commandError(new InvalidRequestError({ kind: 'camera-unknown', item: raw, bracket: `[${raw}]` })),
				texts.commandError(new InvalidRequestError({ kind: 'quota-limit', value: raw })),
				texts.sequenceProblem({ kind: 'already-active', title: raw }),
				texts.sequence.started(raw, 'https://discord.com/channels/1/2/3'),
			];
			for (const answer of answers) {
				expect(BIDI.test(answer) || ZERO_WIDTH.test(answer) || /\p{Cc}/u.test(answer), answer).toBe(false);
				expect(answer).toContain('\\[x\\](https\\://e.example)');
			}
		}
	});

	it('a prompt with a masked link reaches every progress and result message without a link', () => {
		const prompt = 'a cat [click](https://evil.example) ||boo|| # big';
		const progress = { prompt, model: 'Hailuo-2.3' };
		const clip = { ...progress, provider: 'MiniMax', camera: [], elapsedMs: 1000 };
		for (const texts of ALL_TEXTS) {
			const messages = [
				texts.queued(progress, 3),
				texts.submitted(progress),
				texts.generating(progress, 1000, 'generating', 5000),
				texts.uploading(progress),
				texts.done(clip, '1'),
				texts.directClip(clip, 'the channel'),
				texts.cancelled(progress, '1'),
				texts.failed('rejected', progress),
				texts.queue.line({ position: 2, prompt }),
				texts.sequence.shotLine({ position: 1, authorId: '1', prompt: shotPrompt(prompt), link: 'L' }),
			];
			for (const message of messages) {
				expect(message).not.toContain('](https://evil');
				expect(live(message)).not.toMatch(/[a-z]:\/\/|\]\(|\|\||(^|\n)(> )?#/);
			}
		}
	});

	const SEED = 0xec40;
	it(`seed ${SEED}: 5000 random strings of Markdown render as typed, cut anywhere without breaking an escape or a pair`, () => {
		const random = seeded(SEED);
		const alphabet = [
			...'\\*_~`|[]()<>#:-+.!/ \n',
			'1.',
			'https://',
			'](',
			'||',
			'```',
			'> ',
			'-# ',
			'😀',
			'👨\u200D👩',
			'a',
			'b',
			'é',
		];
		for (let n = 0; n < 5000; n += 1) {
			const text = randomFrom(random, alphabet, n % 100 === 0 ? 2500 : 60);
			const shown = inert(text);
			expect(rendered(shown), JSON.stringify(text)).toBe(text);
			expect(activeMarkdown(shown), JSON.stringify(text)).toEqual([]);
			const max = 1 + Math.floor(random() * 200);
			for (const short of [cut(shown, max), echo(text, max)]) {
				expect(short.length).toBeLessThanOrEqual(max * 2);
				expect(wellFormed(short), JSON.stringify(text)).toBe(true);
				expect(/(^|[^\\])(\\\\)*\\…$/.test(short), JSON.stringify(short)).toBe(false);
				expect(activeMarkdown(short), JSON.stringify(text)).toEqual([]);
			}
			expect(cut(shown, max).length).toBeLessThanOrEqual(max);
			const shortened = cut(text, max);
			if (shortened !== text) expect(text.startsWith(shortened.slice(0, -1))).toBe(true);
		}
	});
});

function randomFrom(random: Random, alphabet: readonly string[], longest: number): string {
	const length = Math.floor(random() * longest);
	let text = '';
	while (text.length < length) text += pick(random, alphabet);
	return text;
}

describe('every answer fits Discord’s limits', () => {
	const SEED = 0x2000;
	it(`seed ${SEED}: 500 random long inputs in every refusal and message stay within 2000 characters`, () => {
		const random = seeded(SEED);
		const alphabet = ['x', '*', '[', ']', '\\', '😀', '\n', ' ', '#', 'pan left', '||'];
		for (let n = 0; n < 500; n += 1) {
			const long = () => randomFrom(random, alphabet, 1900 + Math.floor(random() * 2100));
			const problems: RequestProblem[] = [
				{ kind: 'bracket-unclosed', position: 1, excerpt: long(), fix: long() },
				{ kind: 'bracket-stray', position: 1900, excerpt: long(), fix: long() },
				{ kind: 'bracket-nested', position: 2, excerpt: long(), fix: long() },
				{ kind: 'camera-unknown', item: long(), bracket: long() },
				{ kind: 'camera-duplicate', item: long(), bracket: long() },
				{ kind: 'quota-limit', value: long() },
			];
			const prompt = long().slice(0, 2000);
			const progress = { prompt, model: 'MiniMax-Hailuo-2.3-Fast' };
			const clip = { ...progress, provider: 'MiniMax', camera: ['Pan left', 'Zoom in', 'Shake'], elapsedMs: 9e6 };
			for (const texts of ALL_TEXTS) {
				const messages = [
					...problems.map((problem) => texts.commandError(new InvalidRequestError(problem))),
					texts.queued(progress, 123),
					texts.generating(progress, 60_000, 'queued', 120_000),
					texts.done(clip, '123456789012345678'),
					texts.tooLargeToUpload(clip, '1', `https://x.example/${'a'.repeat(300)}`, 10_485_760),
					texts.doneElsewhere(clip, '1', { dm: true, link: 'https://x.example/v.mp4' }),
					texts.failed('outcome-unknown', progress),
					texts.sequence.started(long().slice(0, 100), 'https://discord.com/channels/1/2/3'),
					texts.sequenceProblem({ kind: 'already-active', title: long().slice(0, 100) }),
				];
				for (const message of messages) expect(message.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
				// /queue: fifteen escaped prompts can be too many; those left out are counted.
				const count = 1 + Math.floor(random() * 40);
				const lines = Array.from({ length: count }, () => ({ position: 3, prompt: long(), userId: '1' }));
				const shown = listing(texts, true, lines);
				expect(shown.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
				const listed = shown.split('\n').length - 1;
				if (listed < count) expect(shown).toMatch(new RegExp(`${count - listed + 1}\\D*$`));
			}
		}
	});
});
