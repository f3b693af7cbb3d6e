import type { ButtonInteraction, ChatInputCommandInteraction, ModalSubmitInteraction } from 'discord.js';
import { InvalidRequestError } from '../errors.js';
import * as texts from '../texts.js';
import { enqueueVideo, type Checked } from '../video/intake.js';
import type { CommandContext } from './command.js';
import { progressButtons } from './components.js';

export type StartingInteraction = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;

/**
 * Starts a generation for a checked request, from `/video` or from a clip's buttons: a public
 * reply (deferred within Discord's 3 s), the queued message with its Cancel button, the job.
 */
export async function startVideo(interaction: StartingInteraction, context: CommandContext, checked: Checked): Promise<void> {
	if (!interaction.inGuild() || interaction.channelId === null) throw new InvalidRequestError({ kind: 'not-in-server' });
	if (!interaction.deferred && !interaction.replied) await interaction.deferReply();
	await enqueueVideo(
		context,
		checked,
		{
			id: interaction.id,
			applicationId: interaction.applicationId,
			token: interaction.token,
			channelId: interaction.channelId,
			guildId: interaction.guildId,
			userId: interaction.user.id,
			locale: interaction.locale,
			createdAt: interaction.createdTimestamp,
			attachmentSizeLimit: interaction.attachmentSizeLimit,
		},
		async (request, model, position) => {
			const reply = await interaction.editReply({
				content: texts.queued({ prompt: request.prompt, model }, position),
				components: progressButtons(interaction.id),
			});
			return reply.id;
		},
	);
}
