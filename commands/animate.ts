import { ApplicationCommandType, ApplicationIntegrationType, InteractionContextType } from 'discord.js';
import type { MessageCommand } from '../src/discord/command.js';
import { animateModal } from '../src/discord/components.js';
import { checkCanDeliver } from '../src/discord/intake-guards.js';
import { InvalidRequestError, SequenceError } from '../src/errors.js';
import { localizations, textsFor } from '../src/texts/index.js';
import { firstImageIndex } from '../src/video/images.js';

/**
 * Animate, on a message's context menu: a sketch someone posted becomes a shot. On a message with
 * a PNG, JPEG or WebP image, a modal asks for the prompt and camera; submitting it is `/video`
 * with that image as the first frame, from the one who submits (`discord/buttons.ts`). Without an
 * image, a private answer at once, and no modal.
 */
export default {
	data: {
		name: 'Animate',
		name_localizations: localizations((texts) => texts.commands.animate.name),
		type: ApplicationCommandType.Message,
		contexts: [InteractionContextType.Guild],
		integration_types: [ApplicationIntegrationType.GuildInstall],
	},

	async execute(interaction) {
		if (!interaction.inGuild()) throw new InvalidRequestError({ kind: 'not-in-server' });
		// Refused before the modal, so nobody writes a prompt for a clip that could not be delivered.
		checkCanDeliver(interaction);
		const attachments = [...interaction.targetMessage.attachments.values()];
		const index = firstImageIndex(attachments.map((file) => ({ contentType: file.contentType, name: file.name })));
		if (index === undefined) throw new SequenceError({ kind: 'no-image' });
		await interaction.showModal(animateModal(interaction.targetId, textsFor(interaction.locale)));
	},
} satisfies MessageCommand;
