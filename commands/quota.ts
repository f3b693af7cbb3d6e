import { ApplicationCommandType, ApplicationIntegrationType, InteractionContextType, MessageFlags } from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { QueueUnavailableError } from '../src/errors.js';
import * as texts from '../src/texts.js';

export default {
	data: {
		name: 'quota',
		description: 'How many videos you have left, and when the next one frees up',
		type: ApplicationCommandType.ChatInput,
		contexts: [InteractionContextType.Guild],
		integration_types: [ApplicationIntegrationType.GuildInstall],
	},

	async execute(interaction, context) {
		const status = await context.quota.status(interaction.user.id).catch((error: unknown) => {
			throw new QueueUnavailableError({ cause: error });
		});
		await interaction.reply({ content: texts.quotaStatus(status), flags: MessageFlags.Ephemeral });
	},
} satisfies Command;
