import {
	ApplicationCommandOptionType,
	ApplicationCommandType,
	ApplicationIntegrationType,
	InteractionContextType,
	type APIApplicationCommandOption,
	type Attachment,
	type ChatInputCommandInteraction,
	type RESTPostAPIChatInputApplicationCommandsJSONBody,
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
import { lengthCount, offerOf, type Offer } from '../src/providers/offer.js';
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

const lengthChoices = (offer: Offer): APIApplicationCommandOption[] => {
	const { durations } = offer;
	if (durations.kind === 'choices' && durations.seconds.length <= 25)
		return [
			{
				type: ApplicationCommandOptionType.Integer,
				name: 'duration',
				...described((texts) => texts.commands.video.options.duration),
				choices: durations.seconds.map((seconds) => ({ name: `${seconds} s`, value: seconds })),
			},
		];
	const seconds = durations.kind === 'choices' ? durations.seconds : [durations.min, durations.max];
	return [
		{
			type: ApplicationCommandOptionType.Integer,
			name: 'duration',
			...described((texts) => texts.commands.video.options.duration),
			min_value: Math.max(MIN_DURATION, Math.min(...seconds)),
			max_value: Math.min(MAX_DURATION, Math.max(...seconds)),
		},
	];
};

const choiceOption = (name: 'resolution' | 'ratio', values: readonly string[]): APIApplicationCommandOption => ({
	type: ApplicationCommandOptionType.String,
	name,
	...described((texts) => texts.commands.video.options[name]),
	choices: values.map((value) => ({ name: value, value })),
});

/**
 * `/video` as `npm run deploy` registers it for this deployment: no option that no model offered
 * here takes (a last frame, a subject, a ratio), no choice of one (a single length or resolution),
 * and the lengths and resolutions narrowed to those the models make.
 */
export function forOffer(
	data: RESTPostAPIChatInputApplicationCommandsJSONBody,
	offer: Offer,
): RESTPostAPIChatInputApplicationCommandsJSONBody {
	const options = (data.options ?? []).flatMap((option): APIApplicationCommandOption[] => {
		switch (option.name) {
			case 'camera':
				return offer.camera ? [option] : [];
			case 'first_frame':
				return offer.firstFrame ? [option] : [];
			case 'last_frame':
				return offer.lastFrame ? [option] : [];
			case 'subject':
				return offer.subject ? [option] : [];
			case 'model':
				return offer.models.length > 1 ? [option] : [];
			case 'duration':
				return lengthCount(offer.durations) > 1 ? lengthChoices(offer) : [];
			case 'resolution':
				return offer.resolutions.length > 1 ? [choiceOption('resolution', offer.resolutions)] : [];
			case 'ratio':
				return offer.ratios.length > 0 ? [choiceOption('ratio', offer.ratios)] : [];
			case 'prompt_optimizer':
				return offer.promptOptimizer ? [option] : [];
			default:
				return [option];
		}
	});
	return { ...data, options };
}

/**
 * `data` is every option `/video` can take, and what the interaction handler checks arriving
 * options against (a member whose client shows an older registration is refused in words only when
 * no model here serves the request); `dataFor` is what `npm run deploy` registers here.
 */
const video: Command = {
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

	dataFor: (config) => forOffer(video.data, offerOf(config.provider, config.models)),

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
};

export default video;
