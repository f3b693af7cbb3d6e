import { ApplicationCommandType, ApplicationIntegrationType, InteractionContextType, MessageFlags } from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { holds } from '../src/discord/member.js';
import { InvalidRequestError, QueueUnavailableError } from '../src/errors.js';
import { described, textsFor, type QueueLine } from '../src/texts/index.js';

/** Lines shown at most: the answer stays under Discord's 2000 characters. */
const SHOWN = 15;

export default {
	data: {
		name: 'queue',
		...described((texts) => texts.commands.queue.description),
		type: ApplicationCommandType.ChatInput,
		contexts: [InteractionContextType.Guild],
		integration_types: [ApplicationIntegrationType.GuildInstall],
	},

	async execute(interaction, context) {
		const { guildId } = interaction;
		if (guildId === null) throw new InvalidRequestError({ kind: 'not-in-server' });
		// A server manager sees everyone's jobs here, with their authors; a member only their own.
		const everyone = holds(interaction, 'ManageGuild');
		const [running, waiting] = await Promise.all([context.jobs.running(), context.jobs.allWaiting()]).catch(
			(error: unknown) => {
				throw new QueueUnavailableError({ cause: error });
			},
		);
		const shown = (data: (typeof running)[number]) =>
			data.interaction.guildId === guildId && (everyone || data.interaction.userId === interaction.user.id);
		const author = (data: (typeof running)[number]) => (everyone ? data.interaction.userId : undefined);
		const lines: QueueLine[] = [
			...running.filter(shown).map((data) => ({ position: null, prompt: data.request.prompt, userId: author(data) })),
			...waiting
				.filter(({ data }) => shown(data))
				.map(({ data, position }) => ({ position, prompt: data.request.prompt, userId: author(data) })),
		];
		const texts = textsFor(interaction.locale);
		const content =
			lines.length === 0
				? texts.queue.none(everyone)
				: [
						texts.queue.title(everyone),
						...lines.slice(0, SHOWN).map((line) => texts.queue.line(line)),
						...(lines.length > SHOWN ? [texts.queue.more(lines.length - SHOWN)] : []),
					].join('\n');
		await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
	},
} satisfies Command;
