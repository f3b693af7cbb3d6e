import type { RedisConnection } from '../redis.js';
import { z } from 'zod';

/** Changes kept per server; `/admin audit` shows the latest 25. */
const KEPT = 200;

export const auditEntrySchema = z.object({
	at: z.number(),
	/** Who made the change (a user id). */
	by: z.string(),
	/** The subcommand and its options, as typed: `quota <@123> limit:9`, `channels allow <#456>`. */
	change: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** The changes made with `/admin` in each server, newest first (key `audit:<guild id>`, a list). */
export class AuditLog {
	public constructor(
		private readonly redis: RedisConnection,
		private readonly prefix: string,
	) {}

	private key(guildId: string): string {
		return `${this.prefix}:audit:${guildId}`;
	}

	public async record(guildId: string, entry: AuditEntry): Promise<void> {
		await this.redis
			.multi()
			.lpush(this.key(guildId), JSON.stringify(auditEntrySchema.parse(entry)))
			.ltrim(this.key(guildId), 0, KEPT - 1)
			.exec();
	}

	/** The latest `count` changes, newest first. */
	public async latest(guildId: string, count: number): Promise<AuditEntry[]> {
		const raw = await this.redis.lrange(this.key(guildId), 0, count - 1);
		return raw.flatMap((line) => {
			try {
				const parsed = auditEntrySchema.safeParse(JSON.parse(line));
				return parsed.success ? [parsed.data] : [];
			} catch {
				return [];
			}
		});
	}
}
