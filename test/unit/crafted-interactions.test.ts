import { ApplicationCommandOptionType as T, type APIApplicationCommandOption } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { BUTTON_ACTIONS, customId, parseAnimateModalId, parseCustomId } from '../../src/discord/components.js';
import { checkOptions, type ReceivedOption } from '../../src/discord/option-check.js';
import { UnrecognisedRequestError } from '../../src/errors.js';
import { pick, seeded, type Random } from '../helpers/random.js';

/**
 * The interaction handler checks a command's options against its registration before it runs:
 * what Discord itself would never send (crafted, or from an older registration) is refused as
 * not understood. Table cases, then seeded random ones: valid option lists built from the
 * registration must pass, and each with one random defect must be refused.
 */

const registered = (name: string): readonly APIApplicationCommandOption[] => {
	const command = commands.find((candidate) => candidate.data.name === name);
	if (command === undefined) throw new Error(`no command ${name}`);
	return command.data.options ?? [];
};

const video = registered('video');
const admin = registered('admin');

type Received = ReceivedOption;

const opt = (name: string, type: T, value?: unknown, options?: Received[]): Received => ({
	name,
	type,
	...(value === undefined ? {} : { value }),
	...(options === undefined ? {} : { options }),
});

const prompt = opt('prompt', T.String, 'a lighthouse');

const refusedWith = (definition: readonly APIApplicationCommandOption[], received: Received[]): string | undefined => {
	try {
		checkOptions(definition, received);
		return undefined;
	} catch (error) {
		if (!(error instanceof UnrecognisedRequestError)) throw error;
		return error.what;
	}
};

describe('options checked against the registration', () => {
	it.each([
		['a prompt alone', video, [prompt]],
		[
			'every video option',
			video,
			[
				prompt,
				opt('camera', T.String, 'Pan left'),
				opt('first_frame', T.Attachment, '1234567890'),
				opt('model', T.String, 'anything typed'),
				opt('duration', T.Integer, 10),
				opt('resolution', T.String, '768P'),
				opt('ratio', T.String, '9:16'),
				opt('prompt_optimizer', T.Boolean, false),
			],
		],
		[
			'an admin subcommand',
			admin,
			[opt('quota', T.Subcommand, undefined, [opt('limit', T.String, '3'), opt('user', T.User, '812345678901234567')])],
		],
		['dollars as a whole number', admin, [opt('budget', T.Subcommand, undefined, [opt('dollars', T.Number, 5)])]],
		['a subcommand without options', admin, [opt('pause', T.Subcommand)]],
	] as const)('accepts %s', (_name, definition, received) => {
		expect(refusedWith(definition, [...received])).toBeUndefined();
	});

	it.each([
		['an unknown option', video, [prompt, opt('seed', T.Integer, 4)], /unknown option seed/],
		['an option of another type', video, [opt('prompt', T.Integer, 5)], /type 4, registered as 3/],
		['a string option carrying a number', video, [opt('prompt', T.String, 5)], /not a 3/],
		['an integer carrying text', video, [prompt, opt('duration', T.Integer, 'ten')], /not a 4/],
		['an integer carrying a fraction', video, [prompt, opt('duration', T.Integer, 6.5)], /not a 4/],
		['a boolean carrying text', video, [prompt, opt('prompt_optimizer', T.Boolean, 'true')], /not a 5/],
		['an attachment that is not an id', video, [prompt, opt('subject', T.Attachment, '../../etc')], /not a 11/],
		['a value outside the choices', video, [prompt, opt('ratio', T.String, '7:5')], /choices/],
		['an option given twice', video, [prompt, opt('prompt', T.String, 'again')], /twice/],
		['no prompt', video, [opt('camera', T.String, 'Pan left')], /required option prompt/],
		['no subcommand', admin, [], /exactly one subcommand/],
		['two subcommands', admin, [opt('pause', T.Subcommand), opt('resume', T.Subcommand)], /exactly one subcommand/],
		['an unknown subcommand', admin, [opt('nuke', T.Subcommand)], /unknown option nuke/],
		['a subcommand as a string', admin, [opt('pause', T.String, 'x')], /type 3, registered as 1/],
		[
			'a nested option of another type',
			admin,
			[opt('budget', T.Subcommand, undefined, [opt('generations', T.String, 'lots')])],
			/budget generations is of type 3/,
		],
		[
			'a nested required option missing',
			admin,
			[opt('quota', T.Subcommand, undefined, [opt('user', T.User, '812345678901234567')])],
			/required option quota limit/,
		],
		[
			'a number that is not finite',
			admin,
			[opt('budget', T.Subcommand, undefined, [opt('dollars', T.Number, Number.NaN)])],
			/not a 10/,
		],
	] as const)('refuses %s', (_name, definition, received, reason) => {
		expect(refusedWith(definition, [...received])).toMatch(reason);
	});
});

/** A valid value for a registered option. */
function validValue(random: Random, option: APIApplicationCommandOption): unknown {
	if ('choices' in option && option.choices !== undefined && option.choices.length > 0)
		return pick<{ value: unknown }>(random, option.choices).value;
	switch (option.type) {
		case T.String:
			return `text ${Math.floor(random() * 1000)}`;
		case T.Integer:
			return 4 + Math.floor(random() * 12);
		case T.Number:
			return Math.round(random() * 10_000) / 100;
		case T.Boolean:
			return random() < 0.5;
		default:
			return String(812345678901234567n + BigInt(Math.floor(random() * 1000)));
	}
}

/** A valid option list for a registration: the required options, some others, maybe a subcommand. */
function validList(random: Random, definition: readonly APIApplicationCommandOption[]): Received[] {
	const containers = definition.filter((option) => option.type === T.Subcommand || option.type === T.SubcommandGroup);
	if (containers.length > 0) {
		const chosen = pick(random, containers);
		const inner = 'options' in chosen && chosen.options !== undefined ? chosen.options : [];
		return [opt(chosen.name, chosen.type, undefined, validList(random, inner))];
	}
	return definition
		.filter((option) => ('required' in option && option.required === true) || random() < 0.4)
		.map((option) => opt(option.name, option.type, validValue(random, option)));
}

const WRONG_VALUES: Readonly<Record<number, readonly unknown[]>> = {
	[T.String]: [5, true, null, { a: 1 }, ['x']],
	[T.Integer]: ['5', 1.5, Number.POSITIVE_INFINITY, true, null, 2 ** 60],
	[T.Number]: ['5', Number.NaN, true, null],
	[T.Boolean]: ['true', 1, 0, null],
	[T.User]: [5, 'abc', '', '1'.repeat(30), null],
	[T.Channel]: [5, 'general', null],
	[T.Role]: [5, '@everyone', null],
	[T.Attachment]: [5, 'file.png', null],
};

/** One defect Discord would never send, applied to a valid list (at its deepest level). */
function defective(random: Random, definition: readonly APIApplicationCommandOption[], list: Received[]): Received[] {
	const sub = list[0];
	if (sub !== undefined && (sub.type === T.Subcommand || sub.type === T.SubcommandGroup) && random() < 0.7) {
		const chosen = definition.find((option) => option.name === sub.name);
		const inner = chosen !== undefined && 'options' in chosen && chosen.options !== undefined ? chosen.options : [];
		if (inner.length > 0) return [{ ...sub, options: defective(random, inner, [...(sub.options ?? [])]) }];
	}
	const scalar = list.filter((option) => option.type !== T.Subcommand && option.type !== T.SubcommandGroup);
	const kinds = ['unknown name', 'duplicate', ...(scalar.length > 0 ? ['wrong type', 'wrong value'] : [])];
	const required = definition.filter((option) => 'required' in option && option.required === true);
	if (required.length > 0) kinds.push('drop required');
	const choiced = scalar.filter((option) => {
		const declared = definition.find((candidate) => candidate.name === option.name);
		return declared !== undefined && 'choices' in declared && (declared.choices?.length ?? 0) > 0;
	});
	if (choiced.length > 0) kinds.push('outside choices');
	if (list.length === 0) return [opt(`x${Math.floor(random() * 1e6)}`, T.String, 'x')];
	switch (pick(random, kinds)) {
		case 'unknown name':
			return [
				...list,
				opt(`unknown_${Math.floor(random() * 1e6)}`, pick(random, [T.String, T.Integer, T.Boolean]), 'x'),
			];
		case 'duplicate': {
			const twice = pick(random, list);
			return [...list, twice];
		}
		case 'wrong type': {
			const target = pick(random, scalar);
			const others = [T.String, T.Integer, T.Boolean, T.User, T.Channel, T.Role, T.Number, T.Attachment].filter(
				(type) => type !== target.type,
			);
			return list.map((option) => (option === target ? { ...option, type: pick(random, others) } : option));
		}
		case 'wrong value': {
			const target = pick(random, scalar);
			const wrong = pick(random, WRONG_VALUES[target.type] ?? [null]);
			return list.map((option) => (option === target ? { ...option, value: wrong } : option));
		}
		case 'drop required': {
			const dropped = pick(random, required).name;
			return list.filter((option) => option.name !== dropped);
		}
		default: {
			const target = pick(random, choiced);
			return list.map((option) => (option === target ? { ...option, value: `not-a-choice-${random()}` } : option));
		}
	}
}

describe('options checked against the registration, seeded random lists', () => {
	const SEED = 0xc1a9;
	const RUNS = 2000;
	it(`accepts ${RUNS} valid lists and refuses each with one defect, for every command (seed ${SEED})`, () => {
		const random = seeded(SEED);
		let tried = 0;
		for (let run = 0; run < RUNS; run++) {
			const command = pick(random, commands);
			const definition = command.data.options ?? [];
			const list = validList(random, definition);
			expect(refusedWith(definition, list), `${command.data.name} ${JSON.stringify(list)}`).toBeUndefined();
			const broken = defective(random, definition, list);
			if (definition.length === 0 && broken.length === 0) continue;
			expect(refusedWith(definition, broken), `${command.data.name} ${JSON.stringify(broken)}`).toBeDefined();
			tried += 2;
		}
		console.info(`[measure] option lists checked: ${tried} (half valid, half with one defect)`);
		expect(tried).toBeGreaterThan(RUNS);
	});
});

/** What a custom id the bot wrote looks like: the prefix, a known action, a snowflake; nothing else. */
const WRITTEN = /^clap:(?:cancel|retry|extend|remix|delete|add):\d{1,20}$/;

/** Custom ids as a crafted client might send them: near misses, junk and the real shape. */
function randomCustomId(random: Random): string {
	const digits = () => String(Math.floor(random() * 1e15)).padStart(1 + Math.floor(random() * 19), '1');
	const junk = () =>
		Array.from({ length: Math.floor(random() * 40) }, () =>
			pick(random, [...'abcXYZ019:_-. /\\%é中🎥', '\u0000', '\u202e']),
		).join('');
	const action = () => pick(random, [...BUTTON_ACTIONS, 'animate', 'CANCEL', 'nuke', '', ' retry']);
	switch (Math.floor(random() * 7)) {
		case 0:
			return `clap:${action()}:${digits()}`;
		case 1:
			return `clap:${action()}:${digits()}:${junk()}`;
		case 2:
			return `${pick(random, ['clap', 'Clap', 'clapp', '', 'clap '])}:${action()}:${digits()}`;
		case 3:
			return `clap:${action()}:${junk()}`;
		case 4:
			return `clap:${action()}:${'9'.repeat(21 + Math.floor(random() * 60))}`;
		case 5:
			return junk();
		default:
			return `clap:${action()}`;
	}
}

describe('custom ids: only the exact shape the bot writes is read', () => {
	it.each([
		['clap:retry:123', true],
		['clap:add:812345678901234567', true],
		['clap:retry:123:extra', false],
		['clap:retry:', false],
		['clap:retry:12a', false],
		['clap:nuke:123', false],
		['clap:retry:123456789012345678901', false],
		['other:retry:123', false],
		['clap:animate:123', false],
		['', false],
	] as const)('%s → %s', (id, read) => {
		expect(parseCustomId(id) !== undefined).toBe(read);
	});

	const SEED = 0xb077;
	const RUNS = 5000;
	it(`reads exactly the written shape among ${RUNS} random ids (seed ${SEED})`, () => {
		const random = seeded(SEED);
		let read = 0;
		for (let run = 0; run < RUNS; run++) {
			const id = randomCustomId(random);
			const parsed = parseCustomId(id);
			expect(parsed !== undefined, JSON.stringify(id)).toBe(WRITTEN.test(id));
			if (parsed !== undefined) {
				read += 1;
				expect(customId(parsed.action, parsed.interactionId)).toBe(id);
			}
			// Animate's modal id is the same shape with its own action, and nothing else.
			expect(parseAnimateModalId(id) !== undefined, JSON.stringify(id)).toBe(/^clap:animate:\d{1,20}$/.test(id));
		}
		expect(read).toBeGreaterThan(0);
		expect(read).toBeLessThan(RUNS);
	});
});
