import {
	ApplicationCommandOptionType,
	InteractionContextType,
	PermissionFlagsBits,
	type Attachment,
	type BaseInteraction,
	type ChatInputCommandInteraction,
} from 'discord.js';
import { BotPermissionError, InvalidRequestError, type BotPermission, type Unserved } from '../errors.js';

/**
 * Checks made when an interaction arrives, before anything is reserved or submitted: where it
 * comes from, whether the bot can deliver there, and whether Discord resolved its attachments.
 * Each reads the interaction itself (Discord's word for this very invocation), never how the
 * command was registered: a stale registration, a user install or a crafted payload can bypass that.
 */

/**
 * Where an interaction comes from, when it is not a server that has added the bot: its `context`
 * (0 server, 1 the bot's DM, 2 a group DM or another DM) and `authorizing_integration_owners`,
 * whose guild-install entry ("0") names the server only when that server installed the bot.
 */
export function unservedWhere(interaction: BaseInteraction): Unserved | undefined {
	const { context, guildId } = interaction;
	if (context === InteractionContextType.PrivateChannel) return 'private-channel';
	if (context === InteractionContextType.BotDM || guildId === null) return 'bot-dm';
	if (interaction.authorizingIntegrationOwners.guildId !== guildId) return 'server-without-bot';
	return undefined;
}

/** Refuses an interaction from where the bot does not serve. */
export function checkServed(interaction: BaseInteraction): void {
	const where = unservedWhere(interaction);
	if (where !== undefined) throw new InvalidRequestError({ kind: 'not-served', where });
}

/**
 * What delivering a clip in this channel needs of the bot: see the channel, post in it (in a
 * thread, Send Messages in Threads instead of Send Messages: a clip moves to a channel message
 * after 14 minutes), attach the MP4, and read messages again (a worker looks for an upload whose
 * answer was lost, and the moved message replies to the command's). No embed carries a clip.
 */
export function deliveryNeeds(inThread: boolean): readonly BotPermission[] {
	return ['ViewChannel', inThread ? 'SendMessagesInThreads' : 'SendMessages', 'AttachFiles', 'ReadMessageHistory'];
}

/**
 * The permissions delivery needs that the interaction's `app_permissions` lacks (Administrator
 * holds them all). A channel the client has not cached (a thread it was never told of) may be
 * either: posting in it takes Send Messages or Send Messages in Threads, whichever it is.
 */
export function missingForDelivery(interaction: BaseInteraction): BotPermission[] {
	const holds = (permission: BotPermission) => interaction.appPermissions.has(PermissionFlagsBits[permission], true);
	const { channel } = interaction;
	const inThread = channel?.isThread() ?? (!holds('SendMessages') && holds('SendMessagesInThreads'));
	return deliveryNeeds(inThread).filter((permission) => !holds(permission));
}

/**
 * Refuses a clip the bot could not deliver in this channel, naming what to grant. A permission
 * taken away after the command was accepted is delivery's to work around (DM, link).
 */
export function checkCanDeliver(interaction: BaseInteraction): void {
	const missing = missingForDelivery(interaction);
	if (missing.length > 0) throw new BotPermissionError(interaction.channelId ?? '', missing);
}

/** Both checks every way of starting a clip makes first: served here, and deliverable here. */
export function checkCanStart(interaction: BaseInteraction): void {
	checkServed(interaction);
	checkCanDeliver(interaction);
}

/**
 * An attachment option, or null when it was not given. One Discord sent without resolving it (its
 * id missing from `resolved.attachments`) is refused: a clip made without the image would be
 * paid for and wrong.
 */
export function attachmentOption(interaction: ChatInputCommandInteraction, name: string): Attachment | null {
	const option = interaction.options.get(name);
	if (option === null || option.type !== ApplicationCommandOptionType.Attachment) return null;
	if (option.attachment === undefined) throw new InvalidRequestError({ kind: 'attachment-unresolved', option: name });
	return option.attachment;
}
