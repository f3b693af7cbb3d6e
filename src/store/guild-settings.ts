import type { RedisConnection } from '../redis.js';
import { z } from 'zod';

/** What `/admin` set for one server. Absent settings fall back to the deployment's defaults. */
export interface GuildSettingsSnapshot {
	/** `/admin quota user`: a member's own limit. */
	readonly userLimits: ReadonlyMap<string, number>;
	/** `/admin quota role`: limits of roles. */
	readonly roleLimits: ReadonlyMap<string, number>;
	/** `/admin budget`: clips and US dollars per rolling 24 h. */
	readonly budget: { readonly generations?: number; readonly dollars?: number };
	/** `/admin pause`: who paused generation, and when. */
	readonly paused: { readonly by: string; readonly at: number } | null;
	/** `/admin channels`: where videos may be made; empty means everywhere. */
	readonly channels: readonly string[];
}

const pausedSchema = z.object({ by: z.string(), at: z.number() });

function parsePaused(raw: string): GuildSettingsSnapshot['paused'] {
	try {
		const parsed = pausedSchema.safeParse(JSON.parse(raw));
		return parsed.success ? parsed.data : { by: '', at: 0 };
	} catch {
		// Unreadable, but present: the server is paused all the same.
		return { by: '', at: 0 };
	}
}

const count = (raw: string): number | undefined => {
	const value = Number(raw);
	return Number.isInteger(value) && value >= 0 ? value : undefined;
};

/**
 * Every server's settings in one hash per server (key `guild:<guild id>`), read in one round trip
 * when a command arrives: fields `user:<id>`, `role:<id>`, `budget:generations`, `budget:dollars`,
 * `paused` and `channel:<id>`.
 */
export class GuildSettings {
	public constructor(
		private readonly redis: RedisConnection,
		private readonly prefix: string,
	) {}

	private key(guildId: string): string {
		return `${this.prefix}:guild:${guildId}`;
	}

	public async get(guildId: string): Promise<GuildSettingsSnapshot> {
		const fields = await this.redis.hgetall(this.key(guildId));
		const userLimits = new Map<string, number>();
		const roleLimits = new Map<string, number>();
		const channels: string[] = [];
		const budget: { generations?: number; dollars?: number } = {};
		let paused: GuildSettingsSnapshot['paused'] = null;
		for (const [field, value] of Object.entries(fields)) {
			const [kind, id = ''] = field.split(':');
			const limit = count(value);
			if (kind === 'user' && limit !== undefined) userLimits.set(id, limit);
			else if (kind === 'role' && limit !== undefined) roleLimits.set(id, limit);
			else if (kind === 'channel') channels.push(id);
			else if (field === 'budget:generations' && limit !== undefined) budget.generations = limit;
			else if (field === 'budget:dollars' && Number.isFinite(Number(value))) budget.dollars = Number(value);
			else if (field === 'paused') paused = parsePaused(value);
		}
		return { userLimits, roleLimits, budget, paused, channels: channels.sort() };
	}

	/** A member's or a role's limit; `null` removes it. */
	public async setLimit(guildId: string, target: 'user' | 'role', id: string, limit: number | null): Promise<void> {
		const field = `${target}:${id}`;
		if (limit === null) await this.redis.hdel(this.key(guildId), field);
		else await this.redis.hset(this.key(guildId), field, limit);
	}

	/** Sets the parts of the budget given; `clear` removes both. */
	public async setBudget(
		guildId: string,
		budget: { readonly generations?: number; readonly dollars?: number } | 'clear',
	): Promise<void> {
		const key = this.key(guildId);
		if (budget === 'clear') {
			await this.redis.hdel(key, 'budget:generations', 'budget:dollars');
			return;
		}
		const fields: Record<string, string> = {};
		if (budget.generations !== undefined) fields['budget:generations'] = String(budget.generations);
		if (budget.dollars !== undefined) fields['budget:dollars'] = String(budget.dollars);
		if (Object.keys(fields).length > 0) await this.redis.hset(key, fields);
	}

	public async pause(guildId: string, by: string, at: number): Promise<void> {
		await this.redis.hset(this.key(guildId), 'paused', JSON.stringify({ by, at }));
	}

	public async resume(guildId: string): Promise<void> {
		await this.redis.hdel(this.key(guildId), 'paused');
	}

	public async isPaused(guildId: string): Promise<boolean> {
		return (await this.redis.hexists(this.key(guildId), 'paused')) === 1;
	}

	public async allowChannel(guildId: string, channelId: string): Promise<void> {
		await this.redis.hset(this.key(guildId), `channel:${channelId}`, '1');
	}

	public async removeChannel(guildId: string, channelId: string): Promise<void> {
		await this.redis.hdel(this.key(guildId), `channel:${channelId}`);
	}

	public async clearChannels(guildId: string): Promise<void> {
		const channels = (await this.get(guildId)).channels.map((id) => `channel:${id}`);
		if (channels.length > 0) await this.redis.hdel(this.key(guildId), ...channels);
	}
}
