import type { LedgerRow } from '../store/ledger.js';

/** One user's totals over a report's period. */
export interface UserTotals {
	readonly userId: string;
	readonly clips: number;
	readonly micros: number;
	readonly unpriced: number;
}

/** A server's usage over a period: totals, its biggest spenders, and every row as CSV. */
export interface UsageReport {
	readonly days: number;
	readonly clips: number;
	readonly micros: number;
	/** Clips whose cost is unknown: counted in `clips`, not in `micros`. */
	readonly unpriced: number;
	/** At most five users, by cost then clips. */
	readonly top: readonly UserTotals[];
	/** `date,user_id,generations,cost_usd,unpriced_generations`, one row per user per day, no total row. */
	readonly csv: string;
}

const TOP = 5;

/** Micro-dollars as an exact decimal: `1.49`, `0.185`, `12.00`. */
export function exactDollars(micros: number): string {
	const whole = Math.floor(micros / 1_000_000);
	const fraction = String(micros % 1_000_000)
		.padStart(6, '0')
		.replace(/0+$/, '')
		.padEnd(2, '0');
	return `${whole}.${fraction}`;
}

/**
 * Totals and rows from the ledger. The totals are sums of the rows' exact amounts, so the CSV
 * adds up to them whatever mix of provider-reported and configured prices it holds.
 */
export function buildReport(rows: readonly LedgerRow[], days: number): UsageReport {
	const users = new Map<string, UserTotals>();
	for (const row of rows) {
		const before = users.get(row.userId) ?? { userId: row.userId, clips: 0, micros: 0, unpriced: 0 };
		users.set(row.userId, {
			userId: row.userId,
			clips: before.clips + row.clips,
			micros: before.micros + row.micros,
			unpriced: before.unpriced + row.unpriced,
		});
	}
	const all = [...users.values()];
	const top = [...all].sort((a, b) => b.micros - a.micros || b.clips - a.clips).slice(0, TOP);
	const lines = [
		'date,user_id,generations,cost_usd,unpriced_generations',
		...rows.map((row) => [row.day, row.userId, row.clips, exactDollars(row.micros), row.unpriced].join(',')),
	];
	return {
		days,
		clips: all.reduce((sum, user) => sum + user.clips, 0),
		micros: all.reduce((sum, user) => sum + user.micros, 0),
		unpriced: all.reduce((sum, user) => sum + user.unpriced, 0),
		top,
		csv: `${lines.join('\n')}\n`,
	};
}
