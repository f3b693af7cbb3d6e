import type { RedisConnection } from '../redis.js';
import { AlertLog } from './alerts.js';
import { EtaBook } from './eta.js';
import { JobRecords } from './job-records.js';
import { MediaStore } from './media.js';
import { MessageEdits } from './message-edits.js';
import { PopularStore } from './popular.js';
import { ShownPositions } from './positions.js';
import { Quota } from './quota.js';
import { WorkerBeats } from './workers.js';

/**
 * Everything the project keeps in Redis besides BullMQ's own keys, one module per key family, all
 * under one prefix (the README's key map lists them). Nothing outside `store/` builds a key.
 */
export interface Stores {
	readonly records: JobRecords;
	readonly media: MediaStore;
	readonly quota: Quota;
	readonly eta: EtaBook;
	readonly popular: PopularStore;
	readonly alerts: AlertLog;
	readonly shown: ShownPositions;
	readonly edits: MessageEdits;
	readonly workers: WorkerBeats;
}

export function openStores(
	redis: RedisConnection,
	prefix: string,
	settings: { readonly userDailyQuota: number },
): Stores {
	return {
		records: new JobRecords(redis, prefix),
		media: new MediaStore(redis, prefix),
		quota: new Quota(redis, prefix, settings.userDailyQuota),
		eta: new EtaBook(redis, prefix),
		popular: new PopularStore(redis, prefix),
		alerts: new AlertLog(redis, prefix),
		shown: new ShownPositions(redis, prefix),
		edits: new MessageEdits(redis, prefix),
		workers: new WorkerBeats(redis, prefix),
	};
}
