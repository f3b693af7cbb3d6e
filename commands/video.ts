import {
	ApplicationCommandOptionType,
	ApplicationCommandType,
	ApplicationIntegrationType,
	InteractionContextType,
	type Attachment,
	type ChatInputCommandInteraction,
} from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { InvalidRequestError } from '../src/errors.js';
import * as texts from '../src/texts.js';
import { suggestCamera } from '../src/video/camera.js';
import type { AttachmentInfo } from '../src/video/images.js';
import { checkVideoOptions, enqueueVideo } from '../src/video/intake.js';
import { MAX_PROMPT_LENGTH } from '../src/video/request.js';

const attachmentInfo = (option: string, attachment: Attachment | null): AttachmentInfo | undefined =>
	attachment === null
		? undefined
		: { option, url: attachment.url, size: attachment.size, contentType: attachment.contentType };

function readOptions(interaction: ChatInputCommandInteraction) {
	const { options } = interaction;
	return {
		prompt: options.getString('prompt', true),
		camera: options.getString('camera') ?? undefined,
		promptOptimizer: options.getBoolean('prompt_optimizer') ?? undefined,
		firstFrame: attachmentInfo('first_frame', options.getAttachment('first_frame')),
		subject: attachmentInfo('subject', options.getAttachment('subject')),
	};
}

export default {
	data: {
		name: 'video',
		description: 'Direct a short AI video clip',
		type: ApplicationCommandType.ChatInput,
		contexts: [InteractionContextType.Guild],
		integration_types: [ApplicationIntegrationType.GuildInstall],
		options: [
			{
				type: ApplicationCommandOptionType.String,
				name: 'prompt',
				description: 'What happens in the clip. Brackets like [Pan left] direct the camera at that point.',
				required: true,
				max_length: MAX_PROMPT_LENGTH,
			},
			{
				type: ApplicationCommandOptionType.String,
				name: 'camera',
				description: 'Up to 3 camera moves that open the clip, e.g. Truck left, Pan right, Zoom in',
				autocomplete: true,
				max_length: 100,
			},
			{
				type: ApplicationCommandOptionType.Attachment,
				name: 'first_frame',
				description: 'An image the clip starts from (PNG, JPEG or WebP)',
			},
			{
				type: ApplicationCommandOptionType.Attachment,
				name: 'subject',
				description: 'A character reference image to feature in the clip',
			},
			{
				type: ApplicationCommandOptionType.Boolean,
				name: 'prompt_optimizer',
				description: 'Let the model rewrite the prompt for quality (on unless you turn it off)',
			},
		],
	},

	async execute(interaction, context) {
		if (!interaction.inGuild()) throw new InvalidRequestError({ kind: 'not-in-server' });
		// Checks without I/O first: bad input is refused privately before anything is spent.
		const checked = checkVideoOptions(context, readOptions(interaction));

		await interaction.deferReply();
		await enqueueVideo(context, checked, {
			id: interaction.id,
			applicationId: interaction.applicationId,
			token: interaction.token,
			channelId: interaction.channelId,
			guildId: interaction.guildId,
			userId: interaction.user.id,
			locale: interaction.locale,
			createdAt: interaction.createdTimestamp,
			attachmentSizeLimit: interaction.attachmentSizeLimit,
		}, async (request, position) => {
			const reply = await interaction.editReply({ content: texts.queued({ prompt: request.prompt, model: checked.model }, position) });
			return reply.id;
		});
	},

	async autocomplete(interaction) {
		const focused = interaction.options.getFocused(true);
		await interaction.respond(focused.name === 'camera' ? suggestCamera(focused.value) : []);
	},
} satisfies Command;
