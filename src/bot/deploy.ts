import process from 'node:process';
import { DiscordAPIError, Routes, type RESTGetCurrentApplicationResult } from 'discord.js';
import { commands, messageCommands } from '../../commands/index.js';
import type { Config } from '../config.js';
import { explainTokenRefusal, inviteUrl } from '../discord/invite.js';
import { createRest } from '../discord/rest.js';
import { StartupError } from '../errors.js';
import type { Logger } from '../log.js';

/** Discord's "Missing Access" and "Unknown Guild": the application is not in that server. */
const NOT_IN_SERVER = new Set([50_001, 10_004]);

const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * Registers the slash and message commands with one bulk overwrite: in one guild when DISCORD_GUILD_ID is set
 * (instant, for development), globally otherwise, and says what it did in words. Never run at
 * start-up: Discord limits command creations per day. `--remove-global` clears the global
 * commands (after testing in a guild, so they do not show twice).
 */
export async function deployCommands(config: Config, logger: Logger, args: readonly string[] = []): Promise<void> {
	const rest = createRest(config.discord.apiUrl, config.discord.token);
	const application = (await rest.get(Routes.currentApplication()).catch((error: unknown) => {
		throw explainTokenRefusal(error);
	})) as RESTGetCurrentApplicationResult;
	const { guildId } = config.discord;

	if (args.includes('--remove-global')) {
		await rest.put(Routes.applicationCommands(application.id), { body: [] });
		say('Removed every global command of this application. Discord may take a while to hide them everywhere.');
		return;
	}

	// Slash and message commands together: one bulk overwrite replaces every type.
	const body = [
		...commands.map((command) => command.dataFor?.(config) ?? command.data),
		...messageCommands.map((command) => command.data),
	];
	const names = [
		...commands.map((command) => `/${command.data.name}`),
		...messageCommands.map((command) => `${command.data.name} (message menu)`),
	].join(', ');
	if (guildId === undefined) {
		await rest.put(Routes.applicationCommands(application.id), { body });
		say(`Registered ${body.length} commands globally for ${application.name}: ${names}.`);
		say('Global commands reach every server the bot is in; Discord may take a while to show the change everywhere.');
	} else {
		await rest.put(Routes.applicationGuildCommands(application.id, guildId), { body }).catch((error: unknown) => {
			if (error instanceof DiscordAPIError && typeof error.code === 'number' && NOT_IN_SERVER.has(error.code)) {
				throw new StartupError(
					`${application.name} is not in the server ${guildId} (DISCORD_GUILD_ID): invite it first with ${inviteUrl(application.id)}`,
					78,
					{ cause: error },
				);
			}
			throw error;
		});
		say(
			`Registered ${body.length} commands in the server ${guildId} for ${application.name}: ${names}. They show at once there.`,
		);
		const global = (await rest.get(Routes.applicationCommands(application.id))) as readonly unknown[];
		if (global.length > 0) {
			say(
				`Warning: this application also has ${global.length} global commands, so members of that server will see each command twice. ` +
					'Run `npm run deploy -- --remove-global` to remove the global ones, or unset DISCORD_GUILD_ID to deploy globally only.',
			);
		}
	}
	logger.debug(
		{ applicationId: application.id, guildId: guildId ?? null, commands: names },
		'slash commands registered',
	);
}
