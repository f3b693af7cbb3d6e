import { REST, Routes, type RESTGetCurrentApplicationResult } from 'discord.js';
import { commands } from '../commands/index.js';
import type { Config } from './config.js';
import { restTransport } from './discord/rest.js';
import type { Logger } from './log.js';

/**
 * Registers the slash commands with one bulk overwrite: in one guild when DISCORD_GUILD_ID is set
 * (instant, for development), globally otherwise. Never run at start-up: Discord limits command
 * creations per day.
 */
export async function deployCommands(config: Config, logger: Logger): Promise<void> {
	const rest = new REST({ api: config.discord.apiUrl, ...restTransport }).setToken(config.discord.token);
	const application = (await rest.get(Routes.currentApplication())) as RESTGetCurrentApplicationResult;
	const body = commands.map((command) => command.data);
	const route =
		config.discord.guildId === undefined
			? Routes.applicationCommands(application.id)
			: Routes.applicationGuildCommands(application.id, config.discord.guildId);
	await rest.put(route, { body });
	logger.info(
		{ applicationId: application.id, guildId: config.discord.guildId ?? null, commands: body.map((c) => c.name) },
		'slash commands registered',
	);
}
