import { ApplicationCommandType, ApplicationIntegrationType, InteractionContextType, MessageFlags } from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { offerOf } from '../src/providers/offer.js';
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
				offer: offerOf(context.config.provider, context.config.models),
			}),
			flags: MessageFlags.Ephemeral,
		});
	},
} satisfies Command;
