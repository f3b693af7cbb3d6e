import { ApplicationCommandType, ApplicationIntegrationType, InteractionContextType, MessageFlags } from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { holds } from '../src/discord/member.js';
import { InvalidRequestError, QueueUnavailableError } from '../src/errors.js';
import { described, DISCORD_LIMITS, textsFor, type QueueLine, type Texts } from '../src/texts/index.js';

/** Lines shown at most: the answer stays under Discord's 2000 characters. */
const SHOWN = 15;

/** Room kept for the "…and N more" line. */
const MORE = 40;

/**
 * The title and as many lines as fit: escaped prompts can be twice as long as typed, so fifteen of
 * them may not fit in 2000 characters; the lines left out are counted in the last line.
 */
export function listing(texts: Texts, everyone: boolean, lines: readonly QueueLine[]): string {
	const out = [texts.queue.title(everyone)];
	let length = out[0]?.length ?? 0;
	for (const line of lines.slice(0, SHOWN)) {
		const text = texts.queue.line(line);
		if (length + 1 + text.length > DISCORD_LIMITS.content - MORE) break;
		out.push(text);
		length += 1 + text.length;
	}
	const left = lines.length - (out.length - 1);
	return [...out, ...(left > 0 ? [texts.queue.more(left)] : [])].join('\n');
}

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
		await interaction.reply({
			content: lines.length === 0 ? texts.queue.none(everyone) : listing(texts, everyone, lines),
			flags: MessageFlags.Ephemeral,
			allowedMentions: { parse: [] },
		});
	},
} satisfies Command;
