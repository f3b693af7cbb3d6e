import {
	ApplicationCommandOptionType,
	ApplicationCommandType,
	ApplicationIntegrationType,
	InteractionContextType,
	type Attachment,
	type ChatInputCommandInteraction,
} from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { startVideo } from '../src/discord/start-video.js';
import { InvalidRequestError } from '../src/errors.js';
import { suggestCamera } from '../src/video/autocomplete.js';
import type { AttachmentInfo } from '../src/video/images.js';
import { attachment, checkVideoOptions } from '../src/video/intake.js';
import { MAX_PROMPT_LENGTH } from '../src/video/request.js';
import { suggestModels } from '../src/providers/describe.js';

const attachmentInfo = (option: string, attachment: Attachment | null): AttachmentInfo | undefined =>
	attachment === null
		? undefined
		: {
				option,
				url: attachment.url,
				size: attachment.size,
				contentType: attachment.contentType,
				width: attachment.width,
				height: attachment.height,
			};

function readOptions(interaction: ChatInputCommandInteraction) {
	const { options } = interaction;
	return {
		prompt: options.getString('prompt', true),
		camera: options.getString('camera') ?? undefined,
		promptOptimizer: options.getBoolean('prompt_optimizer') ?? undefined,
		model: options.getString('model') ?? undefined,
		duration: options.getInteger('duration') ?? undefined,
		resolution: options.getString('resolution') ?? undefined,
		firstFrame: attachment(attachmentInfo('first_frame', options.getAttachment('first_frame'))),
		lastFrame: attachment(attachmentInfo('last_frame', options.getAttachment('last_frame'))),
		subject: attachment(attachmentInfo('subject', options.getAttachment('subject'))),
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
				name: 'last_frame',
				description: 'An image the clip ends on (models that take one, e.g. Hailuo-02)',
			},
			{
				type: ApplicationCommandOptionType.Attachment,
				name: 'subject',
				description: 'A character reference image to feature in the clip',
			},
			{
				type: ApplicationCommandOptionType.String,
				name: 'model',
				description: 'A specific model; by default the bot picks one that fits your options',
				autocomplete: true,
				max_length: 100,
			},
			{
				type: ApplicationCommandOptionType.Integer,
				name: 'duration',
				description: 'Length in seconds (6 unless the model offers more)',
				choices: [
					{ name: '6 seconds', value: 6 },
					{ name: '10 seconds', value: 10 },
				],
			},
			{
				type: ApplicationCommandOptionType.String,
				name: 'resolution',
				description: 'Output resolution, where the model offers a choice',
				choices: ['512P', '720P', '768P', '1080P'].map((value) => ({ name: value, value })),
			},
			{
				type: ApplicationCommandOptionType.Boolean,
				name: 'prompt_optimizer',
				description: 'Let the model rewrite the prompt for quality (the provider’s default when unset)',
			},
		],
	},

	async execute(interaction, context) {
		if (!interaction.inGuild()) throw new InvalidRequestError({ kind: 'not-in-server' });
		// Checks without I/O first: bad input is refused privately before anything is spent.
		const checked = checkVideoOptions(context, readOptions(interaction));
		await startVideo(interaction, context, checked);
		await context.popular.record(interaction.guildId, checked.camera).catch(() => undefined);
	},

	async autocomplete(interaction, context) {
		const focused = interaction.options.getFocused(true);
		if (focused.name === 'camera') {
			return interaction.respond(suggestCamera(focused.value, { popular: context.popular.top(interaction.guildId) }));
		}
		if (focused.name === 'model') return interaction.respond(suggestModels(context.config.provider, focused.value));
		return interaction.respond([]);
	},
} satisfies Command;
