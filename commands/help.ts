import { ApplicationCommandType, ApplicationIntegrationType, InteractionContextType, MessageFlags } from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { offeredModels } from '../src/providers/plan.js';
import { described, textsFor } from '../src/texts/index.js';

export default {
	data: {
		name: 'help',
		...described((texts) => texts.commands.help.description),
		type: ApplicationCommandType.ChatInput,
		contexts: [InteractionContextType.Guild],
		integration_types: [ApplicationIntegrationType.GuildInstall],
	},
	// What the bot does and the deployment's models: nothing of any server's, so anywhere.
	anywhere: true,

	async execute(interaction, context) {
		const texts = textsFor(interaction.locale);
		await interaction.reply({
			content: texts.help({
				quota: context.config.userDailyQuota,
				provider: context.config.provider,
				models: offeredModels(context.config.provider, context.config.models).map((model) => model.label),
			}),
			flags: MessageFlags.Ephemeral,
		});
	},
} satisfies Command;
