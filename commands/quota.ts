import { ApplicationCommandType, ApplicationIntegrationType, InteractionContextType, MessageFlags } from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { roleIdsOf } from '../src/discord/member.js';
import { QueueUnavailableError } from '../src/errors.js';
import { effectiveLimit } from '../src/generation/policy.js';
import { described, textsFor } from '../src/texts/index.js';

export default {
	data: {
		name: 'quota',
		...described((texts) => texts.commands.quota.description),
		type: ApplicationCommandType.ChatInput,
		contexts: [InteractionContextType.Guild],
		integration_types: [ApplicationIntegrationType.GuildInstall],
	},
	// The caller's own count, read-only (the default limit outside a server that set one).
	anywhere: true,

	async execute(interaction, context) {
		const fallback = context.config.userDailyQuota;
		const userId = interaction.user.id;
		const status = await (async () => {
			// The member's effective limit in this server: their own setting, their roles', or the default.
			const settings = interaction.guildId === null ? undefined : await context.guilds.get(interaction.guildId);
			const limit =
				settings === undefined
					? fallback
					: effectiveLimit(settings, { userId, roleIds: roleIdsOf(interaction) }, fallback).limit;
			return context.quota.status(userId, limit);
		})().catch((error: unknown) => {
			throw new QueueUnavailableError({ cause: error });
		});
		const texts = textsFor(interaction.locale);
		await interaction.reply({ content: texts.quotaStatus(status), flags: MessageFlags.Ephemeral });
	},
} satisfies Command;
