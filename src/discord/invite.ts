import { DiscordAPIError, PermissionFlagsBits } from 'discord.js';
import { StartupError } from '../errors.js';

/**
 * What the bot needs in a channel: see it, post, attach clips, and read messages again (Extend
 * reads a clip's message for its last frame).
 */
export const BOT_PERMISSIONS =
	PermissionFlagsBits.ViewChannel |
	PermissionFlagsBits.SendMessages |
	PermissionFlagsBits.AttachFiles |
	PermissionFlagsBits.ReadMessageHistory;

/** The link that adds the bot to a server with its commands and the permissions it needs. */
export function inviteUrl(applicationId: string): string {
	const query = new URLSearchParams({
		client_id: applicationId,
		scope: 'bot applications.commands',
		permissions: BOT_PERMISSIONS.toString(),
	});
	return `https://discord.com/oauth2/authorize?${query.toString()}`;
}

/** Turns Discord refusing the bot token (at login or a first REST call) into the operator's words. */
export function explainTokenRefusal(error: unknown): unknown {
	const refused =
		(error instanceof DiscordAPIError && error.status === 401) ||
		(error instanceof Error && 'code' in error && error.code === 'TokenInvalid');
	if (!refused) return error;
	return new StartupError(
		'Discord refused DISCORD_TOKEN: copy the bot token from the developer portal (your application → Bot → Reset Token) into DISCORD_TOKEN',
		78,
		{ cause: error },
	);
}
