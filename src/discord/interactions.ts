import { randomBytes } from 'node:crypto';
import { MessageFlags, type Interaction, type RepliableInteraction } from 'discord.js';
import {
	BotPermissionError,
	InvalidRequestError,
	LimitReachedError,
	MissingPermissionError,
	NoWorkerError,
	QueueUnavailableError,
	QuotaExceededError,
	SequenceError,
	UnrecognisedRequestError,
} from '../errors.js';
import { fitMessage, textsFor } from '../texts/index.js';
import { handleButton, handleModal } from './buttons.js';
import type { Command, CommandContext, MessageCommand } from './command.js';
import { checkServed } from './intake-guards.js';
import { holds } from './member.js';
import { checkOptions } from './option-check.js';

/** Errors the user caused or can wait out; anything else is our fault and logged as such. */
const isExpected = (error: unknown) =>
	error instanceof InvalidRequestError ||
	error instanceof QuotaExceededError ||
	error instanceof LimitReachedError ||
	error instanceof MissingPermissionError ||
	error instanceof BotPermissionError ||
	error instanceof QueueUnavailableError ||
	error instanceof NoWorkerError ||
	error instanceof SequenceError;

/** A short id for an unexpected error: shown to the user, and the `ref` of its log line. */
const newRef = (): string => randomBytes(4).toString('hex');

/**
 * The one place interactions arrive: routes to `commands/`, and turns any error into a polite
 * private answer so that no stack trace reaches a channel and no interaction is left unanswered.
 */
export function createInteractionHandler(
	commands: readonly Command[],
	context: CommandContext,
	messageCommands: readonly MessageCommand[] = [],
) {
	const byName = new Map(commands.map((command) => [command.data.name, command]));
	const onMessages = new Map(messageCommands.map((command) => [command.data.name, command]));

	return async function handleInteraction(interaction: Interaction): Promise<void> {
		const logger = context.logger.child({
			interactionId: interaction.id,
			userId: interaction.user.id,
			guildId: interaction.guildId,
		});
		// Everything the user reads below is in their own Discord language.
		const texts = textsFor(interaction.locale);

		if (interaction.isAutocomplete()) {
			const command = byName.get(interaction.commandName);
			try {
				if (command?.autocomplete === undefined) await interaction.respond([]);
				else await command.autocomplete(interaction, context);
			} catch (error) {
				logger.warn({ err: error, command: interaction.commandName }, 'autocomplete failed');
			}
			return;
		}

		/** Logs a failed command or click by kind, and answers it in the user's words. */
		const refuse = async (repliable: RepliableInteraction, error: unknown, what: Record<string, string>) => {
			let ref: string | undefined;
			// Crafted or stale: worth a warning (someone may be probing), but no stack, it is not our fault.
			if (error instanceof UnrecognisedRequestError)
				logger.warn({ reason: error.what, ...what }, 'request not understood');
			else if (error instanceof QueueUnavailableError)
				logger.error({ err: error, ...what }, 'queue unavailable; refused');
			else if (isExpected(error))
				logger.info({ reason: error instanceof Error ? error.message : error, ...what }, 'refused');
			else {
				ref = newRef();
				logger.error({ err: error, ref, ...what }, 'interaction failed');
			}
			await answerPrivately(repliable, texts.commandError(error, ref)).catch((cause: unknown) => {
				logger.warn({ err: cause }, 'could not answer the interaction');
			});
		};

		if (interaction.isButton() || interaction.isModalSubmit()) {
			try {
				await (interaction.isButton() ? handleButton(interaction, context) : handleModal(interaction, context));
			} catch (error) {
				await refuse(interaction, error, { customId: interaction.customId });
			}
			return;
		}

		if (interaction.isMessageContextMenuCommand()) {
			const command = onMessages.get(interaction.commandName);
			try {
				if (command === undefined)
					throw new UnrecognisedRequestError(`unknown message command ${interaction.commandName}`);
				checkServed(interaction);
				await command.execute(interaction, context);
			} catch (error) {
				await refuse(interaction, error, { command: interaction.commandName });
			}
			return;
		}

		if (!interaction.isChatInputCommand()) {
			// The bot sends no selects and registers no user commands: any such interaction is stale or crafted.
			if (interaction.isRepliable()) {
				const what = interaction.isMessageComponent() ? { customId: interaction.customId } : {};
				await refuse(interaction, new UnrecognisedRequestError(`interaction of type ${interaction.type}`), what);
			}
			return;
		}
		const command = byName.get(interaction.commandName);
		try {
			if (command === undefined)
				throw new UnrecognisedRequestError(
					`unknown command /${interaction.commandName} (is \`npm run deploy\` out of date?)`,
				);
			// Where it came from, from this very interaction, whatever the registration allowed.
			if (command.anywhere !== true) checkServed(interaction);
			checkOptions(command.data.options, interaction.options.data);
			// The member's permissions in this very interaction decide, whatever Discord's registration allowed.
			if (command.requires !== undefined && !holds(interaction, command.requires))
				throw new MissingPermissionError(command.requires);
			await command.execute(interaction, context);
		} catch (error) {
			await refuse(interaction, error, { command: interaction.commandName });
		}
	};
}

/**
 * Answers privately whatever state the interaction is in. A deferred public reply is removed
 * first, so a refusal is seen only by the person it concerns.
 */
async function answerPrivately(interaction: RepliableInteraction, text: string): Promise<void> {
	// Discord refuses content over its limit, and the user would get no answer at all.
	const content = fitMessage(text);
	if (interaction.deferred || interaction.replied) {
		await interaction.deleteReply().catch(() => undefined);
		await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
		return;
	}
	await interaction.reply({ content, flags: MessageFlags.Ephemeral });
}
