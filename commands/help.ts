import { ApplicationCommandType, ApplicationIntegrationType, InteractionContextType, MessageFlags } from 'discord.js';
import type { Command } from '../src/discord/command.js';
import * as texts from '../src/texts.js';

export default {
	data: {
		name: 'help',
		description: 'What the bot does, a camera-move cheat sheet, and how quotas work',
		type: ApplicationCommandType.ChatInput,
		contexts: [InteractionContextType.Guild],
		integration_types: [ApplicationIntegrationType.GuildInstall],
	},

	async execute(interaction, context) {
		await interaction.reply({
			content: texts.help({ quota: context.config.userDailyQuota, provider: context.config.provider }),
			flags: MessageFlags.Ephemeral,
		});
	},
} satisfies Command;
