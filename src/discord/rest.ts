import { REST, type RESTOptions } from 'discord.js';

/**
 * How every discord.js REST client of ours sends its requests: through Node's own fetch.
 * discord.js builds file uploads with Node's global FormData and, by default, sends them with its
 * own undici 6 through the process-wide undici dispatcher; whichever undici is imported first owns
 * that, and our own undici (for the providers) refuses a FormData it did not make, so uploads
 * failed or hung when it came first (discordjs/discord.js#11525, #10946). Node's fetch makes the
 * body from its own FormData itself, so uploads work whatever the import order.
 */
const transport: Pick<RESTOptions, 'makeRequest'> = {
	// discord.js types the init with its undici 6's classes (we set no agent, so no dispatcher);
	// at run time its body is the global FormData, fetch's own.
	makeRequest: async (url, init) => fetch(url, init as unknown as RequestInit),
};

/** REST options of every Discord client this project makes (the bot's gateway client included). */
export const restOptions = (api: string, overrides: Partial<RESTOptions> = {}): Partial<RESTOptions> => ({
	api,
	...overrides,
	...transport,
});

/** A REST client with the bot token, for workers and scripts that open no gateway session. */
export const createRest = (api: string, token: string, overrides: Partial<RESTOptions> = {}): REST =>
	new REST(restOptions(api, overrides)).setToken(token);

/**
 * The workers' client: discord.js sends a request again by itself after a 5xx or a time-out,
 * which for an upload could post a clip twice; the workers look for it first instead
 * (`worker/deliver.ts`). Uploads of tens of megabytes get time to finish. 429s are still waited
 * out by discord.js, as the bucket headers say.
 */
export const WORKER_REST: Partial<RESTOptions> = { retries: 0, timeout: 60_000 };
