import { ApplicationCommandType, ApplicationIntegrationType, InteractionContextType, MessageFlags } from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { QueueUnavailableError } from '../src/errors.js';
import { described, textsFor } from '../src/texts/index.js';

export default {
	data: {
		name: 'quota',
		...described((texts) => texts.commands.quota.description),
		type: ApplicationCommandType.ChatInput,
		contexts: [InteractionContextType.Guild],
		integration_types: [ApplicationIntegrationType.GuildInstall],
	},

	async execute(interaction, context) {
		const status = await context.quota.status(interaction.user.id).catch((error: unknown) => {
			throw new QueueUnavailableError({ cause: error });
		});
		const texts = textsFor(interaction.locale);
		await interaction.reply({ content: texts.quotaStatus(status), flags: MessageFlags.Ephemeral });
	},
} satisfies Command;
