import { DiscordAPIError, Routes, type REST } from 'discord.js';
import { z } from 'zod';

/** What a worker knows of the command it answers: ids only, plus the short-lived token. */
export interface ReplyTarget {
	readonly applicationId: string;
	readonly token: string;
	readonly channelId: string;
	readonly userId: string;
	readonly createdAt: number;
	readonly messageId?: string | undefined;
}

export interface ReplyFile {
	readonly name: string;
	readonly data: Buffer;
	readonly contentType: string;
}

// Interaction tokens last 15 minutes; stop using one a minute early so an upload that starts
// just in time does not end after it.
const TOKEN_LIFETIME_MS = 14 * 60_000;

// Webhook-route errors that mean "this token or message can no longer be used".
const TOKEN_GONE = new Set([10008, 10015, 50027]);

const NO_MENTIONS = { parse: [] as string[] };

/**
 * Edits the reply to a command from a worker, over REST only (a worker never opens a gateway
 * session). Uses the interaction token while it is valid and the bot token after that.
 */
export class Replies {
	public constructor(
		private readonly rest: REST,
		private readonly now: () => number = Date.now,
	) {}

	/** The attachments of a message in a channel (see `attachmentsOf`). */
	public async attachments(channelId: string, messageId: string): Promise<MessageAttachment[]> {
		return attachmentsOf(this.rest, channelId, messageId);
	}

	private tokenIsFresh(target: ReplyTarget): boolean {
		return this.now() - target.createdAt < TOKEN_LIFETIME_MS;
	}

	/** Progress and failure texts. Returns false when the message could not be edited. */
	public async edit(target: ReplyTarget, content: string, components: readonly unknown[] = []): Promise<boolean> {
		const body = { content, components, allowed_mentions: NO_MENTIONS };
		if (this.tokenIsFresh(target)) {
			try {
				await this.rest.patch(Routes.webhookMessage(target.applicationId, target.token, '@original'), {
					body,
					auth: false,
				});
				return true;
			} catch (error) {
				if (!isTokenGone(error)) throw error;
			}
		}
		if (target.messageId === undefined) return false;
		try {
			await this.rest.patch(Routes.channelMessage(target.channelId, target.messageId), { body });
			return true;
		} catch (error) {
			if (error instanceof DiscordAPIError && error.status < 500) return false;
			throw error;
		}
	}

	/**
	 * The finished clip, attached to the original reply while the token lasts; afterwards a new
	 * message in the channel that replies to it and mentions the user.
	 */
	public async deliver(
		target: ReplyTarget,
		content: string,
		file: ReplyFile | undefined,
		components: readonly unknown[] = [],
	): Promise<void> {
		const files = file === undefined ? [] : [{ name: file.name, data: file.data, contentType: file.contentType }];
		const attachments = file === undefined ? [] : [{ id: '0', filename: file.name }];
		if (this.tokenIsFresh(target)) {
			try {
				await this.rest.patch(Routes.webhookMessage(target.applicationId, target.token, '@original'), {
					// The clip replaces the first-frame thumbnail shown while waiting.
					body: { content, attachments, components, embeds: [], allowed_mentions: NO_MENTIONS },
					files,
					auth: false,
				});
				return;
			} catch (error) {
				if (!isTokenGone(error)) throw error;
			}
		}
		await this.rest.post(Routes.channelMessages(target.channelId), {
			body: {
				content,
				attachments,
				components,
				allowed_mentions: { parse: [], users: [target.userId] },
				...(target.messageId === undefined
					? {}
					: { message_reference: { message_id: target.messageId, fail_if_not_exists: false } }),
			},
			files,
		});
	}
}

const messageSchema = z.object({
	attachments: z.array(z.object({ url: z.string(), filename: z.string(), content_type: z.string().optional() })),
});

export type MessageAttachment = z.infer<typeof messageSchema>['attachments'][number];

/**
 * A channel message's attachments, read afresh with the bot token (their links are signed and
 * expire). Needs Read Message History. Throws `DiscordAPIError` (10008 when it was deleted).
 */
export async function attachmentsOf(rest: REST, channelId: string, messageId: string): Promise<MessageAttachment[]> {
	const parsed = messageSchema.safeParse(await rest.get(Routes.channelMessage(channelId, messageId)));
	return parsed.success ? parsed.data.attachments : [];
}

export function isTokenGone(error: unknown): boolean {
	return error instanceof DiscordAPIError && typeof error.code === 'number' && TOKEN_GONE.has(error.code);
}
