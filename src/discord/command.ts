import type {
	AutocompleteInteraction,
	ChatInputCommandInteraction,
	RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Config } from '../config.js';
import type { Settle } from '../generation/settle.js';
import type { VideoJobs } from '../jobs/index.js';
import type { Logger } from '../log.js';
import type { JobRecords } from '../store/job-records.js';
import type { MediaStore } from '../store/media.js';
import type { MessageEdits } from '../store/message-edits.js';
import type { PopularStore } from '../store/popular.js';
import type { Quota } from '../store/quota.js';

/** What every command may use; built once by the bot's composition root. */
export interface CommandContext {
	readonly config: Config;
	readonly jobs: VideoJobs;
	readonly quota: Quota;
	readonly media: MediaStore;
	readonly records: JobRecords;
	/** The edit budget of every message, shared with the workers. */
	readonly edits: MessageEdits;
	readonly settle: Settle;
	readonly popular: PopularStore;
	readonly logger: Logger;
}

/**
 * One slash command: its definition as plain JSON (what `npm run deploy` registers) and thin
 * handlers. Commands answer within Discord's 3 s themselves (reply or defer) and throw typed
 * errors; the central handler turns those into words.
 */
export interface Command {
	readonly data: RESTPostAPIChatInputApplicationCommandsJSONBody;
	execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void>;
	autocomplete?(interaction: AutocompleteInteraction, context: CommandContext): Promise<void>;
}
