import {
	ApplicationCommandOptionType,
	ApplicationCommandType,
	ApplicationIntegrationType,
	InteractionContextType,
	type Attachment,
	type ChatInputCommandInteraction,
} from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { attachmentOption, checkCanDeliver } from '../src/discord/intake-guards.js';
import { startVideo } from '../src/discord/start-video.js';
import { InvalidRequestError } from '../src/errors.js';
import { suggestCamera } from '../src/video/autocomplete.js';
import type { AttachmentInfo } from '../src/video/images.js';
import { attachment, checkVideoOptions } from '../src/generation/intake.js';
import { MAX_DURATION, MAX_PROMPT_LENGTH, MIN_DURATION, RATIOS, type Ratio } from '../src/video/request.js';
import { suggestModels } from '../src/providers/describe.js';
import { described, textsFor } from '../src/texts/index.js';

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

/** A choice option: Discord sends only the listed values, so anything else is read as not given. */
const ratioOf = (value: string | null): Ratio | undefined => RATIOS.find((ratio) => ratio === value);

function readOptions(interaction: ChatInputCommandInteraction) {
	const { options } = interaction;
	return {
		prompt: options.getString('prompt', true),
		camera: options.getString('camera') ?? undefined,
		promptOptimizer: options.getBoolean('prompt_optimizer') ?? undefined,
		model: options.getString('model') ?? undefined,
		duration: options.getInteger('duration') ?? undefined,
		resolution: options.getString('resolution') ?? undefined,
		ratio: ratioOf(options.getString('ratio')),
		firstFrame: attachment(attachmentInfo('first_frame', attachmentOption(interaction, 'first_frame'))),
		lastFrame: attachment(attachmentInfo('last_frame', attachmentOption(interaction, 'last_frame'))),
		subject: attachment(attachmentInfo('subject', attachmentOption(interaction, 'subject'))),
	};
}

export default {
	data: {
		name: 'video',
		...described((texts) => texts.commands.video.description),
		type: ApplicationCommandType.ChatInput,
		contexts: [InteractionContextType.Guild],
		integration_types: [ApplicationIntegrationType.GuildInstall],
		options: [
			{
				type: ApplicationCommandOptionType.String,
				name: 'prompt',
				...described((texts) => texts.commands.video.options.prompt),
				required: true,
				max_length: MAX_PROMPT_LENGTH,
			},
			{
				type: ApplicationCommandOptionType.String,
				name: 'camera',
				...described((texts) => texts.commands.video.options.camera),
				autocomplete: true,
				max_length: 100,
			},
			{
				type: ApplicationCommandOptionType.Attachment,
				name: 'first_frame',
				...described((texts) => texts.commands.video.options.first_frame),
			},
			{
				type: ApplicationCommandOptionType.Attachment,
				name: 'last_frame',
				...described((texts) => texts.commands.video.options.last_frame),
			},
			{
				type: ApplicationCommandOptionType.Attachment,
				name: 'subject',
				...described((texts) => texts.commands.video.options.subject),
			},
			{
				type: ApplicationCommandOptionType.String,
				name: 'model',
				...described((texts) => texts.commands.video.options.model),
				autocomplete: true,
				max_length: 100,
			},
			{
				type: ApplicationCommandOptionType.Integer,
				name: 'duration',
				...described((texts) => texts.commands.video.options.duration),
				min_value: MIN_DURATION,
				max_value: MAX_DURATION,
			},
			{
				type: ApplicationCommandOptionType.String,
				name: 'resolution',
				...described((texts) => texts.commands.video.options.resolution),
				choices: ['480P', '512P', '720P', '768P', '1080P', '2K'].map((value) => ({ name: value, value })),
			},
			{
				type: ApplicationCommandOptionType.String,
				name: 'ratio',
				...described((texts) => texts.commands.video.options.ratio),
				choices: RATIOS.map((value) => ({ name: value, value })),
			},
			{
				type: ApplicationCommandOptionType.Boolean,
				name: 'prompt_optimizer',
				...described((texts) => texts.commands.video.options.prompt_optimizer),
			},
		],
	},

	async execute(interaction, context) {
		if (!interaction.inGuild()) throw new InvalidRequestError({ kind: 'not-in-server' });
		checkCanDeliver(interaction);
		// Checks without I/O first: bad input is refused privately before anything is spent.
		const checked = checkVideoOptions(context.config.provider, readOptions(interaction), context.config.models);
		await startVideo(interaction, context, checked);
		await context.popular.record(interaction.guildId, checked.camera).catch(() => undefined);
	},

	async autocomplete(interaction, context) {
		const focused = interaction.options.getFocused(true);
		const texts = textsFor(interaction.locale);
		if (focused.name === 'camera') {
			const popular = context.popular.top(interaction.guildId);
			return interaction.respond(suggestCamera(focused.value, { popular, texts }));
		}
		if (focused.name === 'model') {
			return interaction.respond(suggestModels(context.config.provider, focused.value, texts, context.config.models));
		}
		return interaction.respond([]);
	},
} satisfies Command;
