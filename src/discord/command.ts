import type {
	AutocompleteInteraction,
	ChatInputCommandInteraction,
	MessageContextMenuCommandInteraction,
	RESTPostAPIChatInputApplicationCommandsJSONBody,
	RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord.js';
import type { Config } from '../config.js';
import type { RequiredPermission } from '../errors.js';
import type { Settle } from '../generation/settle.js';
import type { VideoJobs } from '../jobs/index.js';
import type { Logger } from '../log.js';
import type { DownloadGuard } from '../media/download.js';
import type { Metrics } from '../metrics.js';
import type { AuditLog } from '../store/audit.js';
import type { GuildSettings } from '../store/guild-settings.js';
import type { IntakeLog } from '../store/intake.js';
import type { JobRecords } from '../store/job-records.js';
import type { Ledger } from '../store/ledger.js';
import type { MediaStore } from '../store/media.js';
import type { MessageEdits } from '../store/message-edits.js';
import type { PopularStore } from '../store/popular.js';
import type { Quota } from '../store/quota.js';
import type { Sequences } from '../store/sequences.js';
import type { WorkerBeats } from '../store/workers.js';
import type { AdminAlerts } from './admin-alerts.js';
import type { Replies } from './replies.js';

/** Keeps every sequence's board up to date; told after each change so it need not wait for its next look. */
export interface BoardKeeper {
	nudge(): void;
}

/** What every command may use; built once by the bot's composition root. */
export interface CommandContext {
	readonly config: Config;
	readonly jobs: VideoJobs;
	readonly quota: Quota;
	readonly intakes: IntakeLog;
	/** This bot process, as named in the reservations it makes. */
	readonly owner: string;
	readonly guilds: GuildSettings;
	readonly ledger: Ledger;
	readonly audit: AuditLog;
	readonly media: MediaStore;
	/** Where members' attachments may be downloaded from (Discord's attachment hosts). */
	readonly attachmentGuard: DownloadGuard;
	readonly records: JobRecords;
	/** The edit budget of every message, shared with the workers. */
	readonly edits: MessageEdits;
	readonly settle: Settle;
	readonly popular: PopularStore;
	readonly workers: WorkerBeats;
	readonly sequences: Sequences;
	readonly boards: BoardKeeper;
	/** Messages read again with the bot token (Animate's image). */
	readonly replies: Replies;
	/** Problems only the bot's operators can fix, told once in ADMIN_CHANNEL_ID. */
	readonly admins: AdminAlerts;
	/** This process's metrics (the bot counts enqueued jobs, refusals and cancels of waiting jobs). */
	readonly metrics: Metrics;
	readonly logger: Logger;
}

/**
 * One slash command: its definition as plain JSON (what `npm run deploy` registers) and thin
 * handlers. Commands answer within Discord's 3 s themselves (reply or defer) and throw typed
 * errors; the central handler turns those into words.
 */
export interface Command {
	readonly data: RESTPostAPIChatInputApplicationCommandsJSONBody;
	/**
	 * The definition `npm run deploy` registers for this configuration, when it depends on it (the
	 * options only the models offered here serve); `data` otherwise. `data` stays the widest form.
	 */
	dataFor?(config: Config): RESTPostAPIChatInputApplicationCommandsJSONBody;
	/**
	 * A permission the member must hold, checked again by the interaction handler when the command
	 * runs (Discord's `default_member_permissions` can be bypassed: a stale registration, an
	 * integration override, a crafted interaction).
	 */
	readonly requires?: RequiredPermission;
	/**
	 * Works wherever it is invoked (a DM, a server that has not added the bot): it spends nothing
	 * and shows only the caller's own. Every other command needs a server that installed the bot.
	 */
	readonly anywhere?: boolean;
	execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void>;
	autocomplete?(interaction: AutocompleteInteraction, context: CommandContext): Promise<void>;
}

/**
 * A message command (a context-menu entry on a message, application command type 3): registered
 * with the slash commands by the same bulk overwrite, answered by the same handler.
 */
export interface MessageCommand {
	readonly data: RESTPostAPIContextMenuApplicationCommandsJSONBody;
	execute(interaction: MessageContextMenuCommandInteraction, context: CommandContext): Promise<void>;
}
