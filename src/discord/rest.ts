import { createRequire } from 'node:module';
import { REST, type RESTOptions } from 'discord.js';

type DiscordAgent = NonNullable<RESTOptions['agent']>;

let shared: DiscordAgent | undefined;

/**
 * A connection pool from discord.js's own copy of undici. discord.js builds its upload bodies
 * with that copy; sent through another undici (ours is newer, and whichever loads first becomes
 * the process's global dispatcher) they fail or hang (discordjs/discord.js#11525). Giving every
 * Discord client this pool makes uploads independent of module load order.
 */
export function discordAgent(): DiscordAgent {
	if (shared !== undefined) return shared;
	const fromHere = createRequire(import.meta.url);
	const fromDiscord = createRequire(fromHere.resolve('discord.js'));
	const fromRest = createRequire(fromDiscord.resolve('@discordjs/rest'));
	const undici = fromRest('undici') as { Agent: new () => DiscordAgent };
	shared = new undici.Agent();
	return shared;
}

/** REST options of every Discord client this project makes (the bot's gateway client included). */
export const restOptions = (api: string): Partial<RESTOptions> => ({ api, agent: discordAgent() });

/** A REST client with the bot token, for workers and scripts that open no gateway session. */
export const createRest = (api: string, token: string): REST => new REST(restOptions(api)).setToken(token);
