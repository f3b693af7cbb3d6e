import { ApplicationCommandOptionType, type APIApplicationCommandOption } from 'discord.js';
import { UnrecognisedRequestError } from '../errors.js';

/**
 * Checks a command's options against the definition the bot registers, before the command runs.
 * Discord sends only what was registered, so anything else is a crafted interaction or one from
 * an older registration: an option we never declared, one of another type, a value of the wrong
 * kind or outside its choices, a required option missing. discord.js would throw a bare TypeError
 * from deep inside `getString()` instead, which reads as our fault.
 */

const SNOWFLAKE = /^\d{1,20}$/;

/** An option as it arrives (discord.js's `CommandInteractionOption`); its value is whatever was sent. */
export interface ReceivedOption {
	readonly name: string;
	readonly type: ApplicationCommandOptionType;
	readonly value?: unknown;
	readonly options?: readonly ReceivedOption[] | undefined;
}

const CONTAINERS: ReadonlySet<ApplicationCommandOptionType> = new Set([
	ApplicationCommandOptionType.Subcommand,
	ApplicationCommandOptionType.SubcommandGroup,
]);

/** Whether a value has the shape its declared type promises. */
function valueFits(type: ApplicationCommandOptionType, value: unknown): boolean {
	switch (type) {
		case ApplicationCommandOptionType.String:
			return typeof value === 'string';
		case ApplicationCommandOptionType.Integer:
			return typeof value === 'number' && Number.isSafeInteger(value);
		case ApplicationCommandOptionType.Number:
			return typeof value === 'number' && Number.isFinite(value);
		case ApplicationCommandOptionType.Boolean:
			return typeof value === 'boolean';
		case ApplicationCommandOptionType.User:
		case ApplicationCommandOptionType.Channel:
		case ApplicationCommandOptionType.Role:
		case ApplicationCommandOptionType.Mentionable:
		case ApplicationCommandOptionType.Attachment:
			return typeof value === 'string' && SNOWFLAKE.test(value);
		default:
			return false;
	}
}

const choicesOf = (option: APIApplicationCommandOption): readonly unknown[] | undefined =>
	'choices' in option && Array.isArray(option.choices) && option.choices.length > 0
		? option.choices.map((choice: { value: unknown }) => choice.value)
		: undefined;

const isRequired = (option: APIApplicationCommandOption): boolean =>
	!CONTAINERS.has(option.type) && 'required' in option && option.required === true;

const nestedOf = (option: APIApplicationCommandOption): readonly APIApplicationCommandOption[] =>
	'options' in option && Array.isArray(option.options) ? option.options : [];

/** Throws `UnrecognisedRequestError` naming the first option that does not match the registration. */
export function checkOptions(
	registered: readonly APIApplicationCommandOption[] | undefined,
	received: readonly ReceivedOption[],
	path = '',
): void {
	const declared = registered ?? [];
	const seen = new Set<string>();
	for (const option of received) {
		const where = `${path}${option.name}`;
		const definition = declared.find((candidate) => candidate.name === option.name);
		if (definition === undefined) throw new UnrecognisedRequestError(`unknown option ${where}`);
		if (seen.has(option.name)) throw new UnrecognisedRequestError(`option ${where} given twice`);
		seen.add(option.name);
		if (option.type !== definition.type)
			throw new UnrecognisedRequestError(`option ${where} is of type ${option.type}, registered as ${definition.type}`);
		if (CONTAINERS.has(definition.type)) {
			checkOptions(nestedOf(definition), option.options ?? [], `${where} `);
			continue;
		}
		if (!valueFits(definition.type, option.value))
			throw new UnrecognisedRequestError(`option ${where} has a value that is not a ${definition.type}`);
		const choices = choicesOf(definition);
		if (choices !== undefined && !choices.includes(option.value))
			throw new UnrecognisedRequestError(`option ${where} is not one of its choices`);
	}
	const containers = declared.filter((option) => CONTAINERS.has(option.type));
	if (containers.length > 0 && received.filter((option) => CONTAINERS.has(option.type)).length !== 1)
		throw new UnrecognisedRequestError(`${path || 'the command '}needs exactly one subcommand`);
	const missing = declared.find((option) => isRequired(option) && !seen.has(option.name));
	if (missing !== undefined) throw new UnrecognisedRequestError(`required option ${path}${missing.name} is missing`);
}
