import type { ButtonInteraction, ChatInputCommandInteraction, ModalSubmitInteraction } from 'discord.js';
import { InvalidRequestError } from '../errors.js';
import { textsFor } from '../texts/index.js';
import { enqueueVideo, type Checked } from '../generation/intake.js';
import type { ImageRef } from '../video/request.js';
import type { CommandContext } from './command.js';
import { progressButtons } from './components.js';

const EXTENSIONS = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' } as const;

/**
 * While a clip waits, its message shows the first frame as a thumbnail. Later edits leave it in
 * place; the delivery replaces the message's attachments with the clip.
 */
async function thumbnail(context: CommandContext, frame: ImageRef | undefined) {
	const data = frame === undefined ? null : await context.media.get(frame.key);
	if (frame === undefined || data === null) return {};
	const name = `first_frame.${EXTENSIONS[frame.contentType]}`;
	return { files: [{ attachment: data, name }], embeds: [{ thumbnail: { url: `attachment://${name}` } }] };
}

export type StartingInteraction = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;

/**
 * Starts a generation for a checked request, from `/video` or from a clip's buttons: a public
 * reply (deferred within Discord's 3 s), the queued message with its Cancel button, the job.
 */
export async function startVideo(
	interaction: StartingInteraction,
	context: CommandContext,
	checked: Checked,
): Promise<void> {
	if (!interaction.inGuild() || interaction.channelId === null)
		throw new InvalidRequestError({ kind: 'not-in-server' });
	if (!interaction.deferred && !interaction.replied) await interaction.deferReply();
	// The one who starts a clip is its author: the job carries this locale to the worker.
	const texts = textsFor(interaction.locale);
	await enqueueVideo(
		{ ...context, provider: context.config.provider },
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
				components: progressButtons(interaction.id, texts),
				...(await thumbnail(context, request.firstFrame)),
			});
			// Every later edit of this message, by any process, keeps an interval after this one.
			await context.edits.markEdited(reply.id);
			return reply.id;
		},
	);
}
