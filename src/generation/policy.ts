import { LimitReachedError } from '../errors.js';
import type { GuildSettingsSnapshot } from '../store/guild-settings.js';
import { toMicros } from '../store/quota.js';

/** What the policy needs to know of the member asking. */
export interface Member {
	readonly userId: string;
	/** Their roles in this server. */
	readonly roleIds: readonly string[];
}

/** Where a member's limit comes from, for `/quota` and `/admin quota` to say. */
export type LimitSource = 'user' | 'role' | 'default';

/**
 * A member's limit in a server: their own `/admin quota user` setting; else the largest limit among
 * their roles that have one (not the highest-placed role: a "newcomer" role may be lower than the
 * default, and a member with a better role keeps the better limit); else USER_DAILY_QUOTA.
 */
export function effectiveLimit(
	settings: GuildSettingsSnapshot,
	member: Member,
	fallback: number,
): { readonly limit: number; readonly source: LimitSource } {
	const own = settings.userLimits.get(member.userId);
	if (own !== undefined) return { limit: own, source: 'user' };
	const byRole = member.roleIds.flatMap((id) => {
		const limit = settings.roleLimits.get(id);
		return limit === undefined ? [] : [limit];
	});
	if (byRole.length > 0) return { limit: Math.max(...byRole), source: 'role' };
	return { limit: fallback, source: 'default' };
}

/** A server's budget per rolling 24 h: its `/admin budget`, else GUILD_DAILY_BUDGET (clips only). */
export function budgetOf(
	settings: GuildSettingsSnapshot,
	guildDailyBudget: number | undefined,
): { readonly clips: number | null; readonly dollars: number | null; readonly fromDefault: boolean } {
	const { generations, dollars } = settings.budget;
	return {
		clips: generations ?? guildDailyBudget ?? null,
		dollars: dollars ?? null,
		fromDefault: generations === undefined && guildDailyBudget !== undefined,
	};
}

export const budgetMicros = (dollars: number | null): number | null => (dollars === null ? null : toMicros(dollars));

/**
 * Refuses a generation where this server does not allow one right now: while it is paused, or
 * outside its allowed channels (a thread counts as its parent channel). Throws `LimitReachedError`.
 */
export function checkWhere(
	settings: GuildSettingsSnapshot,
	where: { readonly channelId: string; readonly parentId?: string | null | undefined },
): void {
	if (settings.paused !== null) throw new LimitReachedError({ kind: 'paused' });
	const { channels } = settings;
	if (channels.length === 0) return;
	if (channels.includes(where.channelId)) return;
	if (where.parentId != null && channels.includes(where.parentId)) return;
	throw new LimitReachedError({ kind: 'channel', allowed: channels });
}
