import type { RedisConnection } from '../redis.js';
import { AlertLog } from './alerts.js';
import { AuditLog } from './audit.js';
import { EtaBook } from './eta.js';
import { GuildSettings } from './guild-settings.js';
import { IntakeLog } from './intake.js';
import { JobRecords } from './job-records.js';
import { Ledger } from './ledger.js';
import { ProviderLimits } from './limits.js';
import { MediaStore } from './media.js';
import { MessageEdits } from './message-edits.js';
import { PopularStore } from './popular.js';
import { ShownPositions } from './positions.js';
import { Quota } from './quota.js';
import { Rounds } from './rounds.js';
import { Sequences } from './sequences.js';
import { WorkerBeats } from './workers.js';

/**
 * Everything the project keeps in Redis besides BullMQ's own keys, one module per key family, all
 * under one prefix (the README's key map lists them). Nothing outside `store/` builds a key.
 */
export interface Stores {
	readonly records: JobRecords;
	readonly media: MediaStore;
	readonly quota: Quota;
	readonly intakes: IntakeLog;
	readonly guilds: GuildSettings;
	readonly ledger: Ledger;
	readonly audit: AuditLog;
	readonly limits: ProviderLimits;
	readonly rounds: Rounds;
	readonly eta: EtaBook;
	readonly popular: PopularStore;
	readonly alerts: AlertLog;
	readonly shown: ShownPositions;
	readonly edits: MessageEdits;
	readonly workers: WorkerBeats;
	readonly sequences: Sequences;
}

export function openStores(redis: RedisConnection, prefix: string): Stores {
	return {
		records: new JobRecords(redis, prefix),
		media: new MediaStore(redis, prefix),
		quota: new Quota(redis, prefix),
		intakes: new IntakeLog(redis, prefix),
		guilds: new GuildSettings(redis, prefix),
		ledger: new Ledger(redis, prefix),
		audit: new AuditLog(redis, prefix),
		limits: new ProviderLimits(redis, prefix),
		rounds: new Rounds(redis, prefix),
		eta: new EtaBook(redis, prefix),
		popular: new PopularStore(redis, prefix),
		alerts: new AlertLog(redis, prefix),
		shown: new ShownPositions(redis, prefix),
		edits: new MessageEdits(redis, prefix),
		workers: new WorkerBeats(redis, prefix),
		sequences: new Sequences(redis, prefix),
	};
}
