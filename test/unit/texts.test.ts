import { ApplicationCommandOptionType, ButtonStyle, ComponentType, Locale } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { editModal, progressButtons, resultButtons, retryButtons } from '../../src/discord/components.js';
import {
	InvalidRequestError,
	LimitReachedError,
	MissingPermissionError,
	QueueUnavailableError,
	QuotaExceededError,
	NoWorkerError,
	SequenceError,
	UnrecognisedRequestError,
	type Asked,
	type LimitReached,
	type Change,
	type RequestProblem,
	type SequenceProblem,
	type Suggestion,
} from '../../src/errors.js';
import { CATALOG, type ModelCapabilities } from '../../src/providers/catalog.js';
import { suggestModels } from '../../src/providers/describe.js';
import { offerOf } from '../../src/providers/offer.js';
import { FAILURE_POLICY, type FailureClass } from '../../src/failures.js';
import { counted } from '../../src/texts/format.js';
import { DISCORD_LOCALES, english, LANGUAGES, textsFor, type Sentences, type Texts } from '../../src/texts/index.js';
import { suggestCamera } from '../../src/video/autocomplete.js';
import { seeded } from '../helpers/random.js';

/** Discord's limit for a message's content. */
const MAX_CONTENT = 2000;

const progress = { prompt: 'a lighthouse in a storm at dusk', model: 'T2V-01-Director' };
const clip = { ...progress, provider: 'MiniMax', camera: ['Pan left', 'Zoom in'], seconds: 6.04, elapsedMs: 95_000 };
const JUMP = 'https://discord.com/channels/812345678901234561/812345678901234560/812345678901234562';
const longProgress = {
	prompt: `${'a very long line of prompt '.repeat(60)}\n[Pan left] then\nmore`,
	model: 'MiniMax-Hailuo-2.3-Fast',
};
const longClip = {
	...longProgress,
	provider: 'AtlasCloud',
	camera: ['Truck left', 'Pan right', 'Zoom in'],
	seconds: 10,
	elapsedMs: 1_200_000,
};

/** One sample of every request problem; the compiler insists on every kind. */
const PROBLEMS: { readonly [K in RequestProblem['kind']]: readonly Extract<RequestProblem, { kind: K }>[] } = {
	'prompt-empty': [{ kind: 'prompt-empty' }],
	'prompt-too-long': [{ kind: 'prompt-too-long', length: 2105, max: 2000 }],
	'camera-unknown': [
		{ kind: 'camera-unknown', item: 'Barrel roll' },
		{ kind: 'camera-unknown', item: 'zoon in', suggestion: 'Zoom in', bracket: '[zoon in]' },
	],
	'camera-too-many': [
		{ kind: 'camera-too-many', count: 4, max: 3 },
		{ kind: 'camera-too-many', count: 5, max: 3, bracket: '[Pan left, Pan right, Zoom in, Shake, Tilt up]' },
	],
	'camera-duplicate': [{ kind: 'camera-duplicate', item: 'Pan left', bracket: '[Pan left, Pan left]' }],
	'camera-contradiction': [
		{ kind: 'camera-contradiction', a: 'Pan left', b: 'Pan right' },
		{ kind: 'camera-contradiction', a: 'Zoom in', b: 'Static shot', bracket: '[Zoom in, Static shot]' },
	],
	'bracket-unclosed': [
		{ kind: 'bracket-unclosed', position: 7, excerpt: 'a cat [pan left walks', fix: 'a cat [pan left] walks' },
		{ kind: 'bracket-unclosed', position: 1, excerpt: `[${'x'.repeat(1900)}`, fix: 'x'.repeat(1900) },
	],
	'bracket-stray': [
		{ kind: 'bracket-stray', position: 15, excerpt: 'a cat pan left] walks', fix: 'a cat [pan left] walks' },
	],
	'bracket-nested': [
		{ kind: 'bracket-nested', position: 11, excerpt: '[Pan left [Zoom in]]', fix: '[Pan left] [Zoom in]' },
	],
	'unservable': [
		{
			kind: 'unservable',
			provider: 'MiniMax',
			asked: [{ kind: 'camera-moves' }, { kind: 'subject' }],
			suggestions: [
				{ change: 'drop-camera', model: 'S2V-01' },
				{ change: 'drop-subject', model: 'T2V-01-Director' },
			],
		},
		{
			kind: 'unservable',
			provider: 'Segmind',
			asked: [{ kind: 'model', model: 'sora' }],
			suggestions: [],
			models: ['video-01'],
		},
		{ kind: 'unservable', provider: 'fal', asked: [], suggestions: [] },
	],
	'image-not-image': [{ kind: 'image-not-image', option: 'first_frame' }],
	'image-too-large': [{ kind: 'image-too-large', option: 'subject', bytes: 25_500_000, max: 20 * 1_048_576 }],
	'image-unreadable': [{ kind: 'image-unreadable', option: 'last_frame' }],
	'image-too-small': [{ kind: 'image-too-small', option: 'first_frame', width: 200, height: 120, min: 300 }],
	'image-aspect': [
		{ kind: 'image-aspect', option: 'first_frame', width: 3000, height: 400 },
		{ kind: 'image-aspect', option: 'subject', width: 400, height: 3000 },
	],
	'image-too-many-pixels': [
		{ kind: 'image-too-many-pixels', option: 'first_frame', width: 10_000, height: 10_000, max: 50_000_000 },
		{ kind: 'image-too-many-pixels', option: 'first_frame', width: 10_000, height: 10_000, max: 2_500_000 },
	],
	'image-gone': [{ kind: 'image-gone' }],
	'not-in-server': [{ kind: 'not-in-server' }],
	'attachment-host': [{ kind: 'attachment-host', option: 'first_frame' }],
	'attachment-unresolved': [{ kind: 'attachment-unresolved', option: 'subject' }],
	'not-served': [
		{ kind: 'not-served', where: 'bot-dm' },
		{ kind: 'not-served', where: 'private-channel' },
		{ kind: 'not-served', where: 'server-without-bot' },
	],
	'quota-target': [{ kind: 'quota-target' }],
	'quota-limit': [{ kind: 'quota-limit', value: 'lots' }],
	'one-change': [{ kind: 'one-change' }],
};

/** One sample of every limit that can refuse a request; the compiler insists on every kind. */
const LIMITS: { readonly [K in LimitReached['kind']]: readonly Extract<LimitReached, { kind: K }>[] } = {
	'waiting': [{ kind: 'waiting', max: 5 }],
	'guild-clips': [
		{ kind: 'guild-clips', max: 2, nextFreeAt: Date.now() + 3_600_000 },
		{ kind: 'guild-clips', max: 0, nextFreeAt: null },
	],
	'guild-dollars': [{ kind: 'guild-dollars', maxUsd: 0.9, nextFreeAt: Date.now() + 60_000 }],
	'global': [
		{ kind: 'global', nextFreeAt: Date.now() + 60_000 },
		{ kind: 'global', nextFreeAt: null },
	],
	'paused': [{ kind: 'paused' }],
	'channel': [
		{ kind: 'channel', allowed: ['1573597093061328897'] },
		{ kind: 'channel', allowed: ['1573597093061328897', '1573597093061328896', '1573597093061328895'] },
	],
};

const ASKED: { readonly [K in Asked['kind']]: Extract<Asked, { kind: K }> } = {
	'model': { kind: 'model', model: 'sora' },
	'camera-moves': { kind: 'camera-moves' },
	'first-frame': { kind: 'first-frame' },
	'last-frame': { kind: 'last-frame' },
	'subject': { kind: 'subject' },
	'duration': { kind: 'duration', seconds: 10 },
	'resolution': { kind: 'resolution', resolution: '1080P' },
	'ratio': { kind: 'ratio', ratio: '9:16' },
	'image-type': { kind: 'image-type', type: 'WEBP' },
};

const CHANGES: { readonly [K in Change]: K } = {
	'pick-model': 'pick-model',
	'drop-camera': 'drop-camera',
	'drop-subject': 'drop-subject',
	'drop-last-frame': 'drop-last-frame',
	'drop-first-frame': 'drop-first-frame',
	'add-first-frame': 'add-first-frame',
	'drop-resolution': 'drop-resolution',
	'drop-ratio': 'drop-ratio',
	'png-or-jpeg': 'png-or-jpeg',
	'other-duration': 'other-duration',
};

/** Every suggestion, with the three shapes another length can take. */
const SUGGESTIONS: readonly Suggestion[] = [
	...Object.values(CHANGES)
		.filter((change) => change !== 'other-duration')
		.map((change): Suggestion => ({ change, model: 'Hailuo-02' })),
	{ change: 'other-duration', model: 'Hailuo-2.3', durations: { kind: 'choices', seconds: [6, 10] } },
	{ change: 'other-duration', model: 'H3', durations: { kind: 'range', min: 4, max: 15 } },
	{ change: 'other-duration', model: 'H3-Max', durations: { kind: 'range', min: 5, max: 15 } },
];

/** One sample of every sequence problem; the compiler insists on every kind. */
const SEQUENCE_PROBLEMS: { readonly [K in SequenceProblem['kind']]: readonly Extract<SequenceProblem, { kind: K }>[] } =
	{
		'none-active': [{ kind: 'none-active' }],
		'already-active': [{ kind: 'already-active', title: 'The lighthouse' }],
		'not-allowed': [
			{ kind: 'not-allowed', action: 'move', ownerId: '812345678901234567' },
			{ kind: 'not-allowed', action: 'remove', ownerId: '812345678901234567' },
			{ kind: 'not-allowed', action: 'end', ownerId: '812345678901234567' },
		],
		'no-shot': [
			{ kind: 'no-shot', shot: 4, count: 3 },
			{ kind: 'no-shot', shot: 1, count: 0 },
		],
		'empty': [{ kind: 'empty', title: 'The lighthouse' }],
		'full': [{ kind: 'full', title: 'The lighthouse', max: 25 }],
		'already-in': [{ kind: 'already-in', title: 'The lighthouse', position: 2 }],
		'board-refused': [{ kind: 'board-refused' }],
		'title-empty': [{ kind: 'title-empty' }],
		'no-image': [{ kind: 'no-image' }],
		'message-gone': [{ kind: 'message-gone' }],
	};

const TITLE = 'The lighthouse';
const LONG_TITLE = 'A very long title '.repeat(6).slice(0, 100);
const film = {
	title: TITLE,
	shots: 3,
	seconds: 17.96,
	transition: 'crossfade' as const,
	authors: ['812345678901234567', '812345678901234568'],
	skipped: [] as { position: number; reason: 'deleted' | 'no-clip' | 'download' | 'unreadable' }[],
};
const everySkip = [
	{ position: 2, reason: 'deleted' as const },
	{ position: 4, reason: 'no-clip' as const },
	{ position: 5, reason: 'download' as const },
	{ position: 7, reason: 'unreadable' as const },
];

type FunctionKeys<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T];

type Calls<T> = {
	readonly [K in FunctionKeys<T>]: T[K] extends (...args: infer A) => unknown ? readonly A[] : never;
};

const now = Date.now();

/** Sample arguments for every text that is a function; a new one without samples fails the walk. */
const CALLS: Calls<Sentences> = {
	duration: [[0], [4_400], [65_000], [3_600_000]],
	megabytes: [[1_572_864], [25 * 1_048_576]],
	requestProblem: Object.values(PROBLEMS).flatMap((samples) => samples.map((problem) => [problem] as [RequestProblem])),
	asked: Object.values(ASKED).map((item) => [item] as [Asked]),
	suggestion: SUGGESTIONS.map((item): [Suggestion] => [item]),
	noWorker: [[true], [false]],
	quotaExceeded: [
		[{ limit: 0, nextFreeAt: null }],
		[{ limit: 1, nextFreeAt: now + 3_600_000 }],
		[{ limit: 3, nextFreeAt: now }],
	],
	quotaStatus: [
		[{ remaining: 0, limit: 3, nextFreeAt: now + 60_000 }],
		[{ remaining: 1, limit: 3, nextFreeAt: null }],
		[{ remaining: 3, limit: 3, nextFreeAt: null }],
	],
	queued: [
		[progress, 1],
		[longProgress, 12],
	],
	submitted: [[progress], [longProgress]],
	generating: [
		[progress, 5_000, 'queued'],
		[progress, 65_000, 'generating', 120_000],
		[longProgress, 200_000, 'generating', 120_000],
	],
	uploading: [[progress], [longProgress]],
	fitting: [
		[progress, 10 * 1_048_576],
		[longProgress, 50 * 1_048_576],
	],
	done: [
		[clip, '812345678901234567'],
		[longClip, '812345678901234567'],
		[{ ...clip, camera: [], seconds: undefined }, '812345678901234567'],
		[{ ...clip, costUsd: 0.43 }, '812345678901234567'],
	],
	money: [[0], [0.43], [12.5]],
	limitReached: Object.values(LIMITS).flatMap((samples) => samples.map((limit) => [limit] as [LimitReached])),
	missingPermission: [['ManageGuild']],
	missingBotPermissions: [
		['812345678901234560', ['AttachFiles']],
		['812345678901234560', ['ViewChannel', 'SendMessages', 'AttachFiles', 'ReadMessageHistory']],
		['812345678901234560', ['SendMessagesInThreads']],
	],
	tooLargeToUpload: [[longClip, '812345678901234567', `https://cdn.example/${'x'.repeat(400)}.mp4`, 10 * 1_048_576]],
	moved: [
		[progress, JUMP],
		[longProgress, JUMP],
	],
	cannotAttach: [
		['812345678901234560', { dm: true }],
		['812345678901234560', { dm: false, link: 'https://cdn.example/c.mp4' }],
		['812345678901234560', { dm: false, privately: true }],
	],
	doneElsewhere: [
		[clip, '812345678901234567', { dm: true, link: 'https://cdn.example/c.mp4' }],
		[longClip, '812345678901234567', { dm: false, link: 'https://cdn.example/c.mp4' }],
		[clip, '812345678901234567', { dm: false, privately: true }],
	],
	directClip: [
		[clip, JUMP],
		[longClip, JUMP],
	],
	failedBecause: [
		[english.failures['outcome-unknown'], longProgress],
		[english.failures['outcome-unknown'], progress, true],
	],
	unexpected: [[], ['a1b2c3d4']],
	modalTitle: [['remix'], ['extend']],
	notYours: [['cancel'], ['delete']],
	cancelled: [
		[progress, '812345678901234567'],
		[longProgress, '812345678901234567'],
	],
	cancelling: [[progress], [longProgress]],
	help: [
		[{ quota: 3, offer: offerOf('minimax') }],
		[{ quota: 1, offer: offerOf('preview') }],
		[{ quota: 1000, offer: offerOf('atlascloud', { atlascloud: ['video-01'] }) }],
		[{ quota: 0, offer: offerOf('fal') }],
	],
	popularHere: [['Pan left, Zoom in']],
	sequenceProblem: Object.values(SEQUENCE_PROBLEMS).flatMap((samples) =>
		samples.map((problem) => [problem] as [SequenceProblem]),
	),
	modelTraits: Object.values(CATALOG).flatMap((provider) =>
		provider.models.map((model): [ModelCapabilities] => [model]),
	),
};

const budgetView = { clips: 2, dollars: 0.9, fromDefault: false, usedClips: 1, usedUsd: 0.5 };

const NESTED_CALLS: Record<string, readonly (readonly unknown[])[]> = {
	'admin.quotaSet': [
		[{ kind: 'user', id: '812345678901234567' }, 9],
		[{ kind: 'role', id: '812345678901234568' }, 1],
	],
	'admin.quotaCleared': [
		[{ kind: 'user', id: '812345678901234567' }, 3],
		[{ kind: 'role', id: '812345678901234568' }, 3],
	],
	'admin.budget': [
		[budgetView, true],
		[{ ...budgetView, dollars: null, fromDefault: true }, false],
		[{ ...budgetView, clips: null }, false],
		[{ ...budgetView, clips: null, dollars: null }, false],
	],
	'admin.channels': [[[]], [['1573597093061328897', '1573597093061328896']]],
	'admin.reportTitle': [[1], [7], [90]],
	'admin.reportCostValue': [
		[1.49, 0],
		[0, 2],
	],
	'admin.reportTopUser': [['812345678901234567', 3, 1.29]],
	'queue.title': [[true], [false]],
	'queue.none': [[true], [false]],
	'queue.line': [
		[{ position: 3, prompt: 'a paper boat on a rainy street' }],
		[{ position: null, prompt: longProgress.prompt, userId: '812345678901234567' }],
	],
	'queue.more': [[4]],
	'sequence.started': [
		[TITLE, JUMP],
		[LONG_TITLE, JUMP],
	],
	'sequence.added': [[TITLE, 3]],
	'sequence.moved': [[TITLE, 3, 1]],
	'sequence.removed': [[TITLE, 2]],
	'sequence.ended': [
		[TITLE, 1],
		[TITLE, 12],
	],
	'sequence.listingHead': [
		[TITLE, 0],
		[LONG_TITLE, 25],
	],
	'sequence.shotLine': [
		[{ position: 12, authorId: '812345678901234567', prompt: 'a paper boat on a rainy st…', link: JUMP }],
	],
	'sequence.boardHead': [[LONG_TITLE, '812345678901234567']],
	'sequence.boardEnded': [[LONG_TITLE, '812345678901234567']],
	'sequence.boardCount': [[1], [25]],
	'sequence.renderQueued': [
		[TITLE, 3, 'cut', true],
		[LONG_TITLE, 25, 'crossfade', false],
	],
	'sequence.renderReading': [[TITLE, 2, 3]],
	'sequence.renderStitching': [
		[TITLE, 0],
		[TITLE, 0.45],
	],
	'sequence.renderUploading': [[TITLE]],
	'sequence.renderDone': [[film], [{ ...film, title: LONG_TITLE, transition: 'cut', skipped: everySkip }]],
	'sequence.renderNothing': [[TITLE, everySkip]],
	'sequence.renderFailed': [
		[TITLE, 'too-large'],
		[TITLE, 'undeliverable'],
		[TITLE, 'internal'],
	],
	'sequence.renderMoved': [[TITLE, JUMP]],
};

interface Rendered {
	readonly label: string;
	readonly text: unknown;
}

/** Every text of a language: strings as they are, functions called with every sample. */
function render(node: unknown, path: string[] = []): Rendered[] {
	const here = path.join('.');
	if (typeof node === 'string') return [{ label: here, text: node }];
	if (typeof node === 'function') {
		const samples = (CALLS as Record<string, readonly (readonly unknown[])[]>)[here] ?? NESTED_CALLS[here];
		if (samples === undefined || samples.length === 0) {
			return [{ label: `${here} (no samples in the test)`, text: undefined }];
		}
		return samples.map((args) => ({
			label: `${here}(${JSON.stringify(args).slice(0, 80)})`,
			text: (node as (...a: unknown[]) => unknown)(...args),
		}));
	}
	if (typeof node === 'object' && node !== null) {
		return Object.entries(node).flatMap(([key, value]) => render(value, [...path, key]));
	}
	return [{ label: `${here} (a ${typeof node})`, text: undefined }];
}

/** Every key path of an object tree, for comparing languages' shapes at run time. */
const shape = (node: unknown, path = ''): string[] =>
	typeof node === 'object' && node !== null
		? Object.entries(node).flatMap(([key, value]) => shape(value, path === '' ? key : `${path}.${key}`))
		: [`${path}:${typeof node}`];

const sentencesOf = (texts: Texts): Sentences => {
	const { language: _language, commandError: _commandError, failed: _failed, ...sentences } = texts;
	return sentences;
};

describe('texts: every language defines every text', () => {
	it('has English and at least one more language', () => {
		expect(LANGUAGES).toContain('en');
		expect(LANGUAGES.length).toBeGreaterThanOrEqual(2);
	});

	it.each(LANGUAGES)('%s has exactly the shape of English', (language) => {
		expect(shape(sentencesOf(textsFor(language))).sort()).toEqual(shape(sentencesOf(english)).sort());
	});

	it.each(LANGUAGES)('%s: every text is a non-empty string under 2000 characters, no undefined or NaN', (language) => {
		const rendered = render(sentencesOf(textsFor(language)));
		expect(rendered.length).toBeGreaterThan(80);
		for (const { label, text } of rendered) {
			expect(typeof text, label).toBe('string');
			const value = String(text);
			expect(value.trim().length, label).toBeGreaterThan(0);
			expect(value.length, label).toBeLessThan(MAX_CONTENT);
			expect(value, label).not.toMatch(/\bundefined\b|\bNaN\b|\[object Object\]|\bnull\b/);
		}
	});

	it.each(LANGUAGES.filter((language) => language !== 'en'))('%s is translated, not a copy of English', (language) => {
		const theirs = render(sentencesOf(textsFor(language)));
		const ours = new Map(render(sentencesOf(english)).map(({ label, text }) => [label, text]));
		// The same in both: a loanword and a bare resolution.
		const same = new Set(['modalPromptLabel', 'asked([{"kind":"resolution","resolution":"1080P"}])']);
		const copies = theirs
			.filter(({ label, text }) => ours.get(label) === text && !same.has(label))
			.map(({ label }) => label);
		expect(copies).toEqual([]);
	});

	it.each(LANGUAGES)('%s keeps the facts: prompts, models, mentions, numbers and links reach the text', (language) => {
		const texts = textsFor(language);
		expect(texts.queued(progress, 4)).toContain('> a lighthouse in a storm at dusk');
		expect(texts.queued(progress, 4)).toContain('4');
		const done = texts.done(clip, '812345678901234567');
		for (const fact of ['<@812345678901234567>', '**T2V-01-Director**', '**MiniMax**', '6 s', 'Pan left, Zoom in']) {
			expect(done).toContain(fact);
		}
		expect(done).toContain('> a lighthouse in a storm at dusk');
		expect(texts.cancelled(progress, '812345678901234568')).toContain('<@812345678901234568>');
		const link = 'https://cdn.example/c.mp4';
		expect(texts.tooLargeToUpload(clip, '812345678901234567', link, 8 * 1_048_576)).toContain(link);
		expect(texts.moved(progress, JUMP)).toContain(JUMP);
		expect(texts.cannotAttach('812345678901234560', { dm: false, link })).toContain(link);
		expect(texts.cannotAttach('812345678901234560', { dm: true })).toContain('<#812345678901234560>');
		expect(texts.doneElsewhere(clip, '812345678901234567', { dm: false, link })).toContain(link);
		expect(texts.directClip(clip, JUMP)).toContain(JUMP);
		expect(texts.quotaStatus({ remaining: 2, limit: 3, nextFreeAt: 1_700_000_000_000 })).toContain('<t:1700000000:R>');
		expect(texts.generating(progress, 30_000, 'generating', 60_000)).toContain('▰▰▰▰▰▱▱▱▱▱ 50%');
		const unservable = texts.requestProblem(PROBLEMS.unservable[0]!);
		for (const fact of ['MiniMax', 'S2V-01', 'T2V-01-Director']) expect(unservable).toContain(fact);
		const unknown = texts.requestProblem(PROBLEMS['camera-unknown'][0]!);
		for (const move of ['Barrel roll', 'Truck left', 'Static shot']) expect(unknown).toContain(move);
		// Limits: which one, its number, the channels as mentions, when room frees up.
		expect(texts.limitReached({ kind: 'channel', allowed: ['1573597093061328897'] })).toContain(
			'<#1573597093061328897>',
		);
		expect(texts.limitReached({ kind: 'guild-clips', max: 2, nextFreeAt: 1_700_000_000_000 })).toContain(
			'<t:1700000000:R>',
		);
		expect(texts.limitReached({ kind: 'waiting', max: 12 })).toContain('12');
		expect(
			texts.done(
				{ ...progress, provider: 'MiniMax', camera: [], elapsedMs: 1_000, costUsd: 0.43 },
				'812345678901234567',
			),
		).toMatch(/0[.,]43/);
		expect(texts.queue.line({ position: 4, prompt: 'a boat', userId: '812345678901234567' })).toMatch(
			/#4.*a boat.*<@812345678901234567>/,
		);
	});

	it.each(LANGUAGES)('%s: the deployment’s cap is never worded as the server’s', (language) => {
		const texts = textsFor(language);
		const cap = texts.limitReached({ kind: 'global', nextFreeAt: 1_700_000_000_000 });
		expect(cap).not.toMatch(/server|serveur/i);
		expect(texts.limitReached({ kind: 'guild-clips', max: 2, nextFreeAt: null })).toMatch(/server|serveur/i);
	});
});

describe('texts: choosing the language', () => {
	it('finds a language by its exact locale, then by its language part, then falls back to English', () => {
		expect(textsFor('fr').language).toBe('fr');
		expect(textsFor('FR').language).toBe('fr');
		expect(textsFor('fr-CA').language).toBe('fr');
		expect(textsFor('en-US').language).toBe('en');
		expect(textsFor('en-GB').language).toBe('en');
		for (const other of ['de', 'es-ES', 'pt-BR', 'zh-CN', 'xx', '', ' ', '-', undefined, null]) {
			expect(textsFor(other).language, String(other)).toBe('en');
		}
		expect(textsFor('pt-BR')).toBe(english);
	});

	it('has a language for every Discord locale key it registers, and only real Discord locales', () => {
		const discordLocales = new Set<string>(Object.values(Locale));
		for (const [language, locales] of Object.entries(DISCORD_LOCALES)) {
			expect(LANGUAGES).toContain(language);
			for (const locale of locales) {
				expect(discordLocales.has(locale), locale).toBe(true);
				expect(textsFor(locale).language).toBe(language);
			}
		}
		expect(Object.keys(DISCORD_LOCALES).sort()).toEqual(LANGUAGES.filter((l) => l !== 'en').sort());
	});

	it('words errors in the user’s language and never shows their internals', () => {
		const fr = textsFor('fr');
		const refusal = new InvalidRequestError({ kind: 'camera-unknown', item: 'Barrel roll' });
		expect(fr.commandError(refusal)).toMatch(/^« Barrel roll » n’est pas un mouvement de caméra/);
		expect(english.commandError(refusal)).toMatch(/^“Barrel roll” is not a camera move I know/);
		expect(fr.commandError(new QuotaExceededError(3, null))).toBe(
			'Vous avez utilisé 3 vidéos, toute votre limite des dernières 24 heures. Cette demande n’a rien utilisé de votre quota.',
		);
		expect(fr.commandError(new QueueUnavailableError())).toBe(fr.queueUnavailable);
		expect(fr.commandError(new LimitReachedError({ kind: 'paused' }))).toBe(fr.limitReached({ kind: 'paused' }));
		expect(english.commandError(new MissingPermissionError('ManageGuild'))).toContain('**Manage Server**');
		expect(fr.commandError(new MissingPermissionError('ManageGuild'))).toContain('**Gérer le serveur**');
		expect(fr.commandError(new Error('secret stack'))).toBe(fr.unexpected());
		expect(fr.commandError(new Error('secret stack'), 'a1b2c3d4')).toBe(fr.unexpected('a1b2c3d4'));
		expect(fr.unexpected('a1b2c3d4')).toContain('`a1b2c3d4`');
		const failures: FailureClass[] = ['safety-input', 'credits', 'outcome-unknown', 'internal'];
		for (const failure of failures) {
			const text = fr.failed(failure, progress);
			expect(text).toContain(fr.failures[failure]);
			expect(text).toContain('Je vous ai rendu votre quota.');
		}
		expect(english.failed('internal', progress)).toBe(
			'❌ Something went wrong while making your clip. I gave your quota back.\n> a lighthouse in a storm at dusk',
		);
	});

	it('formats durations and sizes the way each language writes them', () => {
		expect(english.duration(65_000)).toBe('1m 05s');
		expect(english.duration(4_400)).toBe('4s');
		expect(textsFor('fr').duration(65_000)).toBe('1 min 05 s');
		expect(english.megabytes(1_572_864)).toBe('1.5 MB');
		expect(textsFor('fr').megabytes(1_572_864)).toBe('1,5 Mo');
	});
});

describe('texts: buttons, modals and autocomplete', () => {
	it('labels the buttons and the modal in the language passed', () => {
		const fr = textsFor('fr');
		const labels = (rows: ReturnType<typeof resultButtons>) =>
			rows.flatMap((row) => row.components.map((b) => b.label));
		expect(labels(progressButtons('1', fr))).toEqual(['Annuler']);
		expect(labels(resultButtons('1', fr))).toEqual(['Réessayer', 'Prolonger', 'Remixer', 'Supprimer']);
		expect(labels(retryButtons('1', english))).toEqual(['Retry']);
		const cancel = progressButtons('1', english)[0]?.components[0];
		expect(cancel).toMatchObject({ style: ButtonStyle.Danger, label: 'Cancel' });
		const modal = editModal('extend', '1', 'a prompt', 'Pan left', fr);
		expect(modal.title).toBe('Prolonger depuis la dernière image');
		expect(JSON.stringify(modal.components)).toContain('"label":"Mouvements de caméra (3 au maximum)"');
		for (const language of LANGUAGES) {
			const texts = textsFor(language);
			// Discord: button labels up to 80 characters, modal titles and input labels up to 45.
			for (const label of Object.values(texts.buttonLabels)) expect(label.length).toBeLessThanOrEqual(80);
			for (const action of ['remix', 'extend'] as const) {
				const built = editModal(action, '1', 'p', '', texts);
				expect(built.title.length).toBeLessThanOrEqual(45);
				for (const row of built.components) {
					for (const input of (row as { components: Array<{ type: number; label: string }> }).components) {
						expect(input.type).toBe(ComponentType.TextInput);
						expect(input.label.length).toBeLessThanOrEqual(45);
					}
				}
			}
		}
	});

	it('notes popular camera lists and describes models in the user’s language, within Discord’s 100 characters', () => {
		const french = suggestCamera('', { popular: ['Shake'], texts: textsFor('fr') });
		expect(french[0]).toEqual({ name: 'Shake (populaire ici)', value: 'Shake' });
		expect(suggestCamera('', { popular: ['Shake'], texts: english })[0]).toEqual({
			name: 'Shake (popular here)',
			value: 'Shake',
		});
		expect(suggestModels('minimax', 'I2V-01-Director', textsFor('fr'))).toEqual([
			{ name: 'I2V-01-Director (image de départ requise, mouvements de caméra, 6 s, 720P)', value: 'I2V-01-Director' },
		]);
		for (const language of LANGUAGES) {
			for (const name of Object.keys(CATALOG) as Array<keyof typeof CATALOG>) {
				for (const choice of suggestModels(name, '', textsFor(language))) {
					expect(choice.name.length).toBeLessThanOrEqual(100);
				}
			}
		}
	});
});

describe('command definitions: localized descriptions within Discord’s limits', () => {
	interface Described {
		readonly name: string;
		readonly description?: string;
		readonly description_localizations?: Record<string, string | null> | null;
		readonly name_localizations?: Record<string, string | null> | null;
		readonly type?: number;
		readonly options?: readonly Described[];
		readonly choices?: ReadonlyArray<{ name: string; name_localizations?: Record<string, string | null> | null }>;
	}

	const translatedLocales = Object.values(DISCORD_LOCALES).flat();

	function checkDescribed(item: Described, where: string): void {
		expect(item.description?.length ?? 0, `${where}: description`).toBeGreaterThanOrEqual(1);
		expect(item.description?.length ?? 0, `${where}: description`).toBeLessThanOrEqual(100);
		// Names stay English identifiers: interaction payloads carry the default names.
		expect(item.name_localizations, `${where}: name_localizations`).toBeUndefined();
		const localized = item.description_localizations ?? {};
		expect(Object.keys(localized).sort(), `${where}: localized locales`).toEqual([...translatedLocales].sort());
		for (const [locale, text] of Object.entries(localized)) {
			expect(typeof text, `${where} ${locale}`).toBe('string');
			expect(text?.length ?? 0, `${where} ${locale}: ${text}`).toBeGreaterThanOrEqual(1);
			expect(text?.length ?? 0, `${where} ${locale}: ${text}`).toBeLessThanOrEqual(100);
			expect(text, `${where} ${locale}: translated`).not.toBe(item.description);
		}
	}

	it('gives every command, option and choice an English default and a translation per registered locale', () => {
		let checked = 0;
		for (const command of commands) {
			const data = command.data as Described;
			checkDescribed(data, `/${data.name}`);
			checked++;
			for (const option of data.options ?? []) {
				checkDescribed(option, `/${data.name} ${option.name}`);
				checked++;
				for (const choice of option.choices ?? []) {
					expect(choice.name.length).toBeGreaterThanOrEqual(1);
					expect(choice.name.length).toBeLessThanOrEqual(100);
					if (option.type === ApplicationCommandOptionType.String && choice.name_localizations === undefined) continue;
					const localized = choice.name_localizations ?? {};
					expect(Object.keys(localized).sort()).toEqual([...translatedLocales].sort());
					for (const text of Object.values(localized)) {
						expect(text?.length ?? 0).toBeGreaterThanOrEqual(1);
						expect(text?.length ?? 0).toBeLessThanOrEqual(100);
					}
				}
			}
		}
		expect(checked).toBeGreaterThanOrEqual(12);
	});

	it('registers the French descriptions under Discord’s `fr` locale key', () => {
		const video = commands.find((command) => command.data.name === 'video')?.data;
		expect(video?.description).toBe('Direct a short AI video clip');
		expect(video?.description_localizations).toEqual({ fr: 'Réalisez un court clip vidéo par IA' });
		// Any whole number of seconds from 4 to 15: each model then takes the lengths it makes.
		expect(video?.options?.find((option) => option.name === 'duration')).toMatchObject({
			type: ApplicationCommandOptionType.Integer,
			min_value: 4,
			max_value: 15,
		});
		const ratio = video?.options?.find((option) => option.name === 'ratio');
		expect(ratio && 'choices' in ratio ? ratio.choices?.map((choice) => choice.value) : undefined).toEqual([
			'16:9',
			'9:16',
			'1:1',
			'4:3',
			'3:4',
			'21:9',
		]);
		expect(ratio?.description_localizations?.fr).toMatch(/^Format d’un clip sans image de départ/);
	});
});

/** Every sample call with each of its numbers (top-level or inside an object) replaced by `n`. */
function renderWithNumber(node: unknown, n: number, path: string[] = []): Rendered[] {
	const here = path.join('.');
	const swap = (value: unknown): unknown =>
		typeof value === 'number'
			? n
			: Array.isArray(value)
				? value.map(swap)
				: typeof value === 'object' && value !== null
					? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, swap(inner)]))
					: value;
	if (typeof node === 'function') {
		const samples = (CALLS as Record<string, readonly (readonly unknown[])[]>)[here] ?? NESTED_CALLS[here] ?? [];
		return samples
			.filter((args) => JSON.stringify(args).match(/\d/) !== null)
			.map((args) => {
				const swapped = args.map(swap);
				return {
					label: `${here}(${JSON.stringify(swapped).slice(0, 80)})`,
					text: (node as (...a: unknown[]) => unknown)(...swapped),
				};
			});
	}
	if (typeof node === 'object' && node !== null)
		return Object.entries(node).flatMap(([key, value]) => renderWithNumber(value, n, [...path, key]));
	return [];
}

/** The nouns that follow a count, and a count that disagrees with its noun, per language. */
const DISAGREEING: Readonly<Record<string, { readonly one: RegExp; readonly other: RegExp }>> = {
	// English: 1 takes the singular, everything else (0 included) the plural.
	en: {
		one: /(?<![\d.,])\b1 (?:of (?:your |the )?)?(?:videos|shots|seconds|characters|days|camera moves)\b/,
		other: /(?<![\d.,])\b(?:0|2|5|21|100) (?:video|shot|second|character|day|camera move)\b(?!s)/,
	},
	// French: 0 and 1 take the singular.
	fr: {
		one: /(?<![\d,])[01] (?:vidéos|plans|secondes|caractères|jours|mouvements)(?!\p{L})/u,
		other: /(?<![\d.,])\b(?:2|5|21|100) (?:vidéo|plan|seconde|caractère|jour|mouvement)(?!\p{L})/u,
	},
};

const COUNTS = [0, 1, 2, 5, 21, 100, 1.5];

describe('texts: a noun agrees with its number in every language', () => {
	it('follows each language’s plural rules through one helper', () => {
		const table: ReadonlyArray<readonly [string, number, string]> = [
			['en', 0, '0 videos'],
			['en', 1, '1 video'],
			['en', 2, '2 videos'],
			['en', 1.5, '1.5 videos'],
			['en', 21, '21 videos'],
			['fr', 0, '0 vidéo'],
			['fr', 1, '1 vidéo'],
			['fr', 1.5, '1.5 vidéo'],
			['fr', 2, '2 vidéos'],
			['fr', 100, '100 vidéos'],
		];
		for (const [language, count, expected] of table) {
			const forms = language === 'en' ? { one: 'video', other: 'videos' } : { one: 'vidéo', other: 'vidéos' };
			expect(counted(language, count, forms), `${language} ${count}`).toBe(expected);
		}
	});

	it.each(LANGUAGES)(
		`%s: every text that takes a number, called with ${COUNTS.join(', ')} in place of each number`,
		(language) => {
			const rules = DISAGREEING[language];
			if (rules === undefined) throw new Error(`no agreement rules for ${language} in this test`);
			let tried = 0;
			for (const count of COUNTS) {
				for (const { label, text } of renderWithNumber(sentencesOf(textsFor(language)), count)) {
					tried += 1;
					const plain = String(text).replaceAll('**', '');
					expect(plain, `${label} with ${count}`).not.toMatch(rules.one);
					expect(plain, `${label} with ${count}`).not.toMatch(rules.other);
				}
			}
			console.info(`[measure] ${language}: ${tried} texts with a number checked for agreement`);
			expect(tried).toBeGreaterThan(300);
		},
	);

	/** Each language's nouns, and which counts take the plural: written out here, not asked of Intl. */
	const NOUNS: Readonly<
		Record<string, { readonly plural: (n: number) => boolean; readonly words: readonly (readonly [string, string])[] }>
	> = {
		en: {
			plural: (n) => n !== 1,
			words: [
				['video', 'videos'],
				['shot', 'shots'],
				['second', 'seconds'],
				['character', 'characters'],
				['day', 'days'],
				['camera move', 'camera moves'],
			],
		},
		fr: {
			plural: (n) => n >= 2,
			words: [
				['vidéo', 'vidéos'],
				['plan', 'plans'],
				['seconde', 'secondes'],
				['caractère', 'caractères'],
				['jour', 'jours'],
				['mouvement', 'mouvements'],
			],
		},
	};
	const RANDOM_SEED = 0x91a7;
	const RANDOM_COUNTS = 40;

	it.each(LANGUAGES)(
		`%s: every text that takes a number, with ${RANDOM_COUNTS} seeded random whole numbers (seed ${RANDOM_SEED})`,
		(language) => {
			const nouns = NOUNS[language];
			if (nouns === undefined) throw new Error(`no nouns for ${language} in this test`);
			const random = seeded(RANDOM_SEED);
			let tried = 0;
			for (let run = 0; run < RANDOM_COUNTS; run++) {
				// Mostly small (where the forms change), sometimes large.
				const n = random() < 0.5 ? Math.floor(random() * 4) : Math.floor(random() ** 3 * 1_000_000);
				const wrong = nouns.words.map(([one, other]) => (nouns.plural(n) ? one : other)).join('|');
				const disagreeing = new RegExp(`(?<![\\d.,])${n} (?:${wrong})(?!\\p{L})`, 'u');
				for (const { label, text } of renderWithNumber(sentencesOf(textsFor(language)), n)) {
					tried += 1;
					expect(String(text).replaceAll('**', ''), `${label} with ${n}`).not.toMatch(disagreeing);
				}
			}
			console.info(`[measure] ${language}: ${tried} texts with a random number checked for agreement`);
			expect(tried).toBeGreaterThan(1000);
		},
	);

	it.each(LANGUAGES)('%s: the pluralised texts say one thing for one and another for many', (language) => {
		const texts = textsFor(language);
		const pairs: ReadonlyArray<readonly [string, string]> = [
			[
				texts.quotaStatus({ remaining: 1, limit: 1, nextFreeAt: null }),
				texts.quotaStatus({ remaining: 2, limit: 2, nextFreeAt: null }),
			],
			[texts.quotaExceeded({ limit: 1, nextFreeAt: null }), texts.quotaExceeded({ limit: 2, nextFreeAt: null })],
			[texts.limitReached({ kind: 'waiting', max: 1 }), texts.limitReached({ kind: 'waiting', max: 2 })],
			[texts.sequence.boardCount(1), texts.sequence.boardCount(2)],
			[texts.admin.reportTitle(1), texts.admin.reportTitle(2)],
			[texts.asked({ kind: 'duration', seconds: 1 }), texts.asked({ kind: 'duration', seconds: 2 })],
		];
		for (const [one, two] of pairs) expect(one.replaceAll('1', '2'), one).not.toBe(two);
	});
});

/** Words that speak of money taken from someone; admin-facing spending reports may use them. */
const MONEY_WORDS: Readonly<Record<string, RegExp>> = {
	en: /(?<!\p{L})(?:re)?(?:charg\p{L}*|paid|pay\p{L}*|cost\p{L}*|refund\p{L}*|credit\p{L}*|bill\p{L}*|fees?|price\p{L}*|money|spen[dt]\p{L}*|purchas\p{L}*)(?!\p{L})/iu,
	fr: /(?<!\p{L})(?:re)?(?:factur\p{L}*|rembours\p{L}*|crédit\p{L}*|débit\p{L}*|pay\p{L}*|coût\p{L}*|argent|prix|dépens\p{L}*|charg\p{L}*|tarif\p{L}*)(?!\p{L})/iu,
};

/** Texts read by a server's managers about the server's own spending, not by the member who asked. */
const ABOUT_SPENDING = /^(?:admin\.(?:report|budget)|commands\.admin\.(?:report|budget|description))/;

const ALL_FAILURES = Object.keys(FAILURE_POLICY) as FailureClass[];

describe('texts: refusals and failures speak of the quota in one vocabulary, never of money', () => {
	it.each(LANGUAGES)('%s: no user-facing text speaks of charging, paying or refunding', (language) => {
		const words = MONEY_WORDS[language];
		if (words === undefined) throw new Error(`no money words for ${language} in this test`);
		const texts = textsFor(language);
		const rendered = [
			...render(sentencesOf(texts)),
			...ALL_FAILURES.map((failure) => ({ label: `failed(${failure})`, text: texts.failed(failure, progress, true) })),
		];
		let scanned = 0;
		for (const { label, text } of rendered) {
			if (ABOUT_SPENDING.test(label)) continue;
			scanned += 1;
			expect(String(text), label).not.toMatch(words);
		}
		console.info(`[measure] ${language}: ${scanned} user-facing texts scanned for money words`);
		expect(scanned).toBeGreaterThan(150);
	});

	it.each(LANGUAGES)('%s: every refusal says it used none of the quota', (language) => {
		const texts = textsFor(language);
		const refusals: readonly (readonly [string, string])[] = [
			...Object.values(PROBLEMS)
				.flat()
				.filter((problem) => !['quota-target', 'quota-limit', 'one-change'].includes(problem.kind))
				.map((problem) => [problem.kind, texts.commandError(new InvalidRequestError(problem))] as const),
			...Object.values(LIMITS)
				.flat()
				.map((limit) => [limit.kind, texts.commandError(new LimitReachedError(limit))] as const),
			...[0, 1, 3].map((limit) => [`quota ${limit}`, texts.commandError(new QuotaExceededError(limit, null))] as const),
			['queue', texts.commandError(new QueueUnavailableError())],
			['no worker, told', texts.commandError(new NoWorkerError(true))],
			['no worker', texts.commandError(new NoWorkerError(false))],
			['unexpected', texts.commandError(new Error('boom'))],
			['unexpected with ref', texts.commandError(new Error('boom'), '0a1b2c3d')],
			['not understood', texts.commandError(new UnrecognisedRequestError('a tampered button'))],
			['no image', texts.commandError(new SequenceError({ kind: 'no-image' }))],
			['message gone', texts.commandError(new SequenceError({ kind: 'message-gone' }))],
			['lost in restart', texts.lostInRestart],
			['clip unknown', texts.clipUnknown],
		];
		console.info(`[measure] ${language}: ${refusals.length} refusals checked for the quota sentence`);
		for (const [what, text] of refusals) {
			expect(text, what).toContain(texts.quotaUntouched);
			expect(text, what).not.toContain(texts.quotaGivenBack);
		}
	});

	it.each(LANGUAGES)('%s: every failed or cancelled job says its quota was given back', (language) => {
		const texts = textsFor(language);
		for (const failure of ALL_FAILURES) {
			for (const told of [false, true]) {
				const text = texts.failed(failure, progress, told);
				expect(text, failure).toContain(texts.quotaGivenBack);
				expect(text, failure).not.toContain(texts.quotaUntouched);
			}
		}
		expect(texts.cancelled(progress, '812345678901234567')).toContain(texts.quotaGivenBack);
	});

	it.each(LANGUAGES)('%s: the admins are said to be told only when they were', (language) => {
		const texts = textsFor(language);
		const told = /admins have been told|administrateurs du bot ont été prévenus/;
		for (const failure of ALL_FAILURES) {
			expect(texts.failed(failure, progress, false), failure).not.toMatch(told);
			expect(texts.failed(failure, progress, true), failure).toMatch(told);
		}
		expect(texts.noWorker(false)).not.toMatch(told);
		expect(texts.noWorker(true)).toMatch(told);
	});

	it.each(LANGUAGES)('%s: an Extend that cannot read its clip never asks for an upload', (language) => {
		const text = textsFor(language).failed('source-unreadable', progress);
		expect(text).not.toMatch(/first_frame|upload|envoy|joindre/i);
		expect(text).toMatch(/last frame|dernière image/);
	});

	it.each(LANGUAGES)(
		'%s: an unexpected error shows its reference, a request not understood points to /help',
		(language) => {
			const texts = textsFor(language);
			expect(texts.commandError(new Error('boom'), '0a1b2c3d')).toContain('`0a1b2c3d`');
			expect(texts.commandError(new Error('boom'))).not.toContain('`');
			const unrecognised = texts.commandError(new UnrecognisedRequestError('unknown command /x'));
			expect(unrecognised).toContain('/help');
			expect(unrecognised).not.toMatch(/try again in a moment|réessayer dans un instant|unknown command/i);
		},
	);
});
