import { Routes, type REST } from 'discord.js';
import type { Logger } from '../log.js';
import type { AlertLog } from '../store/alerts.js';

/** How long one alert stays quiet after it was sent: a problem is reported once, not per job. */
const QUIET_SECONDS = 6 * 3_600;

/**
 * Tells the bot's admins, in a configured channel, about problems only they can fix (credits, an
 * invalid key, a paid task whose fate is unknown). Deduplicated across every worker in Redis.
 *
 * Alerts are in English on purpose, not localised through `src/texts/`: they go to the bot's
 * operators in ADMIN_CHANNEL_ID (and to the logs), never to a user, so no user locale applies.
 */
export class AdminAlerts {
	public constructor(
		private readonly rest: REST,
		private readonly sent: AlertLog,
		private readonly channelId: string | undefined,
		private readonly logger: Logger,
	) {}

	/** Whether alerts reach a channel (ADMIN_CHANNEL_ID); users are told the admins know only then. */
	public get configured(): boolean {
		return this.channelId !== undefined;
	}

	/** Sends `content` unless the same `key` was alerted recently. Never throws. */
	public async once(key: string, content: string): Promise<void> {
		this.logger.warn({ alert: key }, content);
		if (this.channelId === undefined) return;
		try {
			if (!(await this.sent.claim(key, QUIET_SECONDS))) return;
			await this.rest.post(Routes.channelMessages(this.channelId), {
				body: { content: `⚠️ ${content}`, allowed_mentions: { parse: [] } },
			});
		} catch (error) {
			this.logger.error({ err: error, alert: key }, 'could not alert the admins');
		}
	}
}
