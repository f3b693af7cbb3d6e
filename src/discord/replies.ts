import { DiscordAPIError, RESTJSONErrorCodes, Routes, SnowflakeUtil, type REST } from 'discord.js';
import { z } from 'zod';
import { cut, DISCORD_LIMITS, fitMessage } from '../texts/index.js';
import type { ReplyRoute, VideoJobData } from '../jobs/index.js';

/** Interaction tokens last 15 minutes from the command. */
export const TOKEN_LIFETIME_MS = 15 * 60_000;
/**
 * A job still running this long after its command moves to a channel message of its own, posted
 * with the bot token, while the token still lives to point the reply at it.
 */
export const MOVE_AFTER_MS = 14 * 60_000;
/** A request is not started on a token about to die: it could end after the token. */
const TOKEN_MARGIN_MS = 20_000;

/**
 * What a worker knows of the command it answers: ids, the short-lived token, and how the job's
 * message is reached now (`ReplyRoute`, saved on the job).
 */
export interface ReplyTarget extends ReplyRoute {
	readonly applicationId: string;
	readonly token: string;
	readonly channelId: string;
	readonly guildId: string | null;
	readonly userId: string;
	readonly createdAt: number;
	/** The command's reply: `@original` for the token, a channel message for the bot. */
	readonly originalId: string;
}

export const replyTargetOf = (data: Pick<VideoJobData, 'interaction' | 'reply'>): ReplyTarget => ({
	applicationId: data.interaction.applicationId,
	token: data.interaction.token,
	channelId: data.interaction.channelId,
	guildId: data.interaction.guildId,
	userId: data.interaction.userId,
	createdAt: data.interaction.createdAt,
	originalId: data.interaction.messageId,
	...data.reply,
});

/** The route part of a target, as the job saves it. */
export const routeOf = (target: ReplyTarget): ReplyRoute => ({
	...(target.tokenDead === true ? { tokenDead: true } : {}),
	...(target.movedTo === undefined ? {} : { movedTo: target.movedTo }),
	...(target.lost === undefined ? {} : { lost: target.lost }),
});

/** The message the job shows its state on now; undefined once it is lost. */
export const currentMessageOf = (target: ReplyTarget): string | undefined =>
	target.lost !== undefined ? undefined : (target.movedTo ?? target.originalId);

/** A link that opens a message in every Discord client. */
export const jumpLink = (target: ReplyTarget, messageId: string): string =>
	`https://discord.com/channels/${target.guildId ?? '@me'}/${target.channelId}/${messageId}`;

export interface OutgoingMessage {
	readonly content: string;
	readonly components?: readonly unknown[];
	/** Whom the message may ping: nobody, or the requester (a new message meant to reach them). */
	readonly ping?: 'nobody' | 'requester';
}

export interface ReplyFile {
	readonly name: string;
	readonly data: Buffer;
	readonly contentType: string;
	/** Alt text. */
	readonly description?: string;
}

/** What a Discord error means for a delivery. */
export type DiscordFailure =
	| 'token-dead' // 401/50027 (or 10015): the interaction token is no longer valid
	| 'message-gone' // 10008: a moderator (or anyone) deleted the message
	| 'edit-capped' // 30046: too many edits of a message older than an hour
	| 'forbidden' // 403/50013: the bot may not do this in this channel
	| 'dm-closed' // 50007: the user does not accept DMs from the bot
	| 'too-large' // 413/40005/50045
	| 'outcome-unknown' // a 5xx, a time-out, a broken connection: it may or may not have happened
	| 'refused'; // any other 4xx: Discord refused it for good

/**
 * A Discord call for a job failed. `target` keeps what was learnt on the way (a dead token, a
 * move, a lost message), so the job saves it even though the call failed.
 */
export class ReplyError extends Error {
	public override readonly name = 'ReplyError';

	public constructor(
		public readonly failure: DiscordFailure,
		public readonly target: ReplyTarget,
		options: ErrorOptions,
	) {
		super(`Discord: ${failure}`, options);
	}
}

const wrapped = (error: unknown, target: ReplyTarget): ReplyError =>
	error instanceof ReplyError ? error : new ReplyError(discordFailure(error), target, { cause: error });

/** The target as a call learns about it, told to the caller at each change. */
class Learning {
	public constructor(
		public target: ReplyTarget,
		private readonly learn: EditOptions['learn'],
	) {}

	public async become(target: ReplyTarget): Promise<ReplyTarget> {
		this.target = target;
		await this.learn?.(target);
		return target;
	}
}

/** Discord's JSON error codes that decide a delivery's route. */
const CODES: ReadonlyMap<number, DiscordFailure> = new Map<number, DiscordFailure>([
	[RESTJSONErrorCodes.InvalidWebhookToken, 'token-dead'],
	[RESTJSONErrorCodes.UnknownWebhook, 'token-dead'],
	[RESTJSONErrorCodes.UnknownMessage, 'message-gone'],
	[RESTJSONErrorCodes.MaximumNumberOfEditsToMessagesOlderThanOneHourReached, 'edit-capped'],
	[RESTJSONErrorCodes.CannotSendMessagesToThisUser, 'dm-closed'],
	[RESTJSONErrorCodes.MissingPermissions, 'forbidden'],
	[RESTJSONErrorCodes.RequestEntityTooLarge, 'too-large'],
	[RESTJSONErrorCodes.FileUploadedExceedsMaximumSize, 'too-large'],
]);

export function discordFailure(error: unknown): DiscordFailure {
	if (error instanceof ReplyError) return error.failure;
	if (!(error instanceof DiscordAPIError)) return 'outcome-unknown';
	if (error.status >= 500) return 'outcome-unknown';
	const known = typeof error.code === 'number' ? CODES.get(error.code) : undefined;
	if (known !== undefined) return known;
	if (error.status === 401) return 'token-dead';
	if (error.status === 403) return 'forbidden';
	if (error.status === 413) return 'too-large';
	return 'refused';
}

/**
 * Runs one edit of a message within that message's edit budget (see `src/worker/progress.ts`);
 * the default runs it at once.
 */
export type EditPace = <T>(messageId: string, edit: () => Promise<T>, signal?: AbortSignal) => Promise<T>;

const unpaced: EditPace = async (_messageId, edit) => edit();

export interface EditOptions {
	/** The job may move to a channel message of its own (workers); the bot's queue watch may not. */
	readonly mayMove: boolean;
	/**
	 * Called the moment the target changes (a dead token, a move, a lost message), before the next
	 * request: a process killed right after still leaves the change saved.
	 */
	readonly learn?: ((target: ReplyTarget) => Promise<void>) | undefined;
	/** What the command's reply says once the job moved away from it, given the new message's link. */
	readonly pointer?: (jump: string) => OutgoingMessage;
	readonly signal?: AbortSignal | undefined;
}

export interface EditResult {
	/** False when the message could not be edited (it is gone). */
	readonly ok: boolean;
	/** The target after the edit: it may have moved, lost its token or lost its message. */
	readonly target: ReplyTarget;
}

export type Delivery =
	/** The clip is on `messageId`. */
	| { readonly kind: 'delivered'; readonly target: ReplyTarget; readonly messageId: string }
	/** The channel refuses uploads (403/50013): the clip must reach the user another way. */
	| { readonly kind: 'forbidden'; readonly target: ReplyTarget }
	/** Discord found the file larger than the limit it gave. */
	| { readonly kind: 'too-large'; readonly target: ReplyTarget };

const seenMessageSchema = z.object({
	id: z.string(),
	attachments: z
		.array(z.object({ url: z.string(), filename: z.string(), content_type: z.string().optional() }))
		.default([]),
	components: z.array(z.unknown()).default([]),
	/** The message it replies to (a message posted anew replies to the command's reply). */
	message_reference: z.object({ message_id: z.string().optional() }).optional(),
	/** The interaction a response or follow-up answers. */
	interaction_metadata: z.object({ id: z.string() }).optional(),
});

/** A message as the bot reads it back. */
export type SeenMessage = z.infer<typeof seenMessageSchema>;

const postedSchema = z.object({
	id: z.string(),
	attachments: z.array(z.object({ url: z.string() })).default([]),
});

/** The custom ids of a message's components, nested ones included. */
export function customIdsOf(components: readonly unknown[]): string[] {
	return components.flatMap((component) => {
		if (typeof component !== 'object' || component === null) return [];
		const { custom_id: id, components: children } = component as { custom_id?: unknown; components?: unknown };
		return [...(typeof id === 'string' ? [id] : []), ...(Array.isArray(children) ? customIdsOf(children) : [])];
	});
}

/**
 * Which route each message of a job takes, over REST only (a worker opens no gateway session):
 * the command's reply through the interaction token while it lives; then, or once the token has
 * answered 401, a channel message of the job's own posted with the bot token, that the reply
 * points to; and a new message mentioning the requester when the one being edited is gone or
 * refuses edits. Every method returns the target as it is afterwards; the caller saves it.
 */
export class Replies {
	public constructor(
		private readonly rest: REST,
		private readonly now: () => number = Date.now,
		private readonly pace: EditPace = unpaced,
	) {}

	/** The same routes, with every edit run through `pace` (one job's share of the edit budget). */
	public withPace(pace: EditPace): Replies {
		return new Replies(this.rest, this.now, pace);
	}

	/** The token may be used to edit the reply (it is not dead and the job has not run 14 minutes). */
	public tokenUsable(target: ReplyTarget): boolean {
		return target.tokenDead !== true && this.now() - target.createdAt < MOVE_AFTER_MS;
	}

	/** The token still works at all (for a last pointer edit or a private note). */
	public tokenAlive(target: ReplyTarget): boolean {
		return target.tokenDead !== true && this.now() - target.createdAt < TOKEN_LIFETIME_MS - TOKEN_MARGIN_MS;
	}

	/** The attachments of a message in a channel (see `attachmentsOf`). */
	public async attachments(channelId: string, messageId: string): Promise<MessageAttachment[]> {
		return attachmentsOf(this.rest, channelId, messageId);
	}

	/**
	 * Progress, failure and cancellation texts on the job's message. Throws `ReplyError` for what
	 * it cannot judge (an unknown outcome, a refusal).
	 */
	public async edit(target: ReplyTarget, message: OutgoingMessage, options: EditOptions): Promise<EditResult> {
		const learnt = new Learning(target, options.learn);
		try {
			return await this.editOnce(learnt, message, options);
		} catch (error) {
			throw wrapped(error, learnt.target);
		}
	}

	private async editOnce(learnt: Learning, message: OutgoingMessage, options: EditOptions): Promise<EditResult> {
		const body = {
			content: fitMessage(message.content),
			components: message.components ?? [],
			allowed_mentions: mentions(learnt.target, message),
		};
		let current = learnt.target;
		if (current.lost !== undefined) return { ok: false, target: current };
		if (current.movedTo !== undefined) return this.editMoved(learnt, current.movedTo, body, options.signal);
		if (this.tokenUsable(current)) {
			try {
				await this.pace(current.originalId, () => this.patchOriginal(current, body), options.signal);
				return { ok: true, target: current };
			} catch (error) {
				const failure = discordFailure(error);
				if (failure === 'message-gone') {
					return { ok: false, target: await learnt.become(lose(current, current.originalId, false)) };
				}
				if (failure !== 'token-dead') throw error;
				current = await learnt.become({ ...current, tokenDead: true });
			}
		}
		if (!options.mayMove) {
			// The bot's own reply, edited with the bot token (Discord allows it for public replies).
			try {
				await this.pace(
					current.originalId,
					() => this.patchChannelMessage(current, current.originalId, body),
					options.signal,
				);
				return { ok: true, target: current };
			} catch (error) {
				const failure = discordFailure(error);
				if (failure === 'message-gone' || failure === 'edit-capped') {
					return {
						ok: false,
						target: await learnt.become(lose(current, current.originalId, failure === 'edit-capped')),
					};
				}
				if (failure === 'refused' || failure === 'forbidden') return { ok: false, target: current };
				throw error;
			}
		}
		const posted = await this.postInChannel(
			current,
			{ ...message, ping: 'nobody' },
			undefined,
			`m${current.originalId}`,
		);
		const moved = await learnt.become({ ...current, movedTo: posted.id });
		return { ok: true, target: await this.pointToMoved(moved, learnt, options) };
	}

	private async editMoved(
		learnt: Learning,
		messageId: string,
		body: object,
		signal: AbortSignal | undefined,
	): Promise<EditResult> {
		const target = learnt.target;
		try {
			await this.pace(messageId, () => this.patchChannelMessage(target, messageId, body), signal);
			return { ok: true, target };
		} catch (error) {
			const failure = discordFailure(error);
			if (failure === 'message-gone' || failure === 'edit-capped') {
				return { ok: false, target: await learnt.become(lose(target, messageId, failure === 'edit-capped')) };
			}
			throw error;
		}
	}

	/**
	 * After a move, the reply points to the new message and no longer offers Cancel: through the
	 * token while it lives, else with the bot token. Best effort: the job has moved either way.
	 */
	private async pointToMoved(
		moved: ReplyTarget,
		learnt: Learning,
		options: Pick<EditOptions, 'pointer'>,
	): Promise<ReplyTarget> {
		if (options.pointer === undefined || moved.movedTo === undefined) return moved;
		const pointer = options.pointer(jumpLink(moved, moved.movedTo));
		const body = { content: fitMessage(pointer.content), components: [], embeds: [], allowed_mentions: { parse: [] } };
		const viaToken = this.tokenAlive(moved);
		const edit = viaToken
			? () => this.patchOriginal(moved, body)
			: () => this.patchChannelMessage(moved, moved.originalId, body);
		try {
			// Not given up when the progress that moved is superseded: the reply must stop offering Cancel.
			await this.pace(moved.originalId, edit);
		} catch (error) {
			if (viaToken && discordFailure(error) === 'token-dead') return learnt.become({ ...moved, tokenDead: true });
		}
		return moved;
	}

	/**
	 * The finished clip on the job's message: the reply while the token may be used, the job's own
	 * channel message after a move, a new message (mentioning the requester) when the message is
	 * gone or refuses edits. Throws what it cannot judge (an unknown outcome, any other refusal).
	 */
	public async deliver(
		target: ReplyTarget,
		message: OutgoingMessage,
		file: ReplyFile,
		options: Pick<EditOptions, 'pointer' | 'signal' | 'learn'> = {},
	): Promise<Delivery> {
		const learnt = new Learning(target, options.learn);
		try {
			return await this.deliverOnce(learnt, message, file, options);
		} catch (error) {
			throw wrapped(error, learnt.target);
		}
	}

	private async deliverOnce(
		learnt: Learning,
		message: OutgoingMessage,
		file: ReplyFile,
		options: Pick<EditOptions, 'pointer' | 'signal'>,
	): Promise<Delivery> {
		let current = learnt.target;
		const body = {
			content: fitMessage(message.content),
			components: message.components ?? [],
			// The clip replaces the first-frame thumbnail shown while waiting.
			attachments: [attachmentOf(file)],
			embeds: [],
			allowed_mentions: mentions(current, message),
		};
		const files = [filePart(file)];
		const judged = (error: unknown): Delivery | undefined => {
			const failure = discordFailure(error);
			if (failure === 'forbidden' || failure === 'too-large') return { kind: failure, target: current };
			return undefined;
		};
		if (current.lost === undefined && current.movedTo !== undefined) {
			const movedTo = current.movedTo;
			try {
				await this.pace(movedTo, () => this.patchChannelMessage(current, movedTo, body, files), options.signal);
				return { kind: 'delivered', target: current, messageId: movedTo };
			} catch (error) {
				const failure = discordFailure(error);
				if (failure !== 'message-gone' && failure !== 'edit-capped') return orThrow(judged(error), error);
				current = await learnt.become(lose(current, movedTo, failure === 'edit-capped'));
			}
		} else if (current.lost === undefined && this.tokenUsable(current)) {
			try {
				await this.pace(current.originalId, () => this.patchOriginal(current, body, files), options.signal);
				return { kind: 'delivered', target: current, messageId: current.originalId };
			} catch (error) {
				const failure = discordFailure(error);
				if (failure === 'token-dead') current = await learnt.become({ ...current, tokenDead: true });
				else if (failure === 'message-gone') current = await learnt.become(lose(current, current.originalId, false));
				else return orThrow(judged(error), error);
			}
		}
		try {
			if (current.lost === undefined) {
				// The token is past its use: the clip goes to a message of the job's own, the reply points to it.
				const posted = await this.postInChannel(
					current,
					{ ...message, ping: 'requester' },
					file,
					`c${current.originalId}`,
				);
				current = await learnt.become({ ...current, movedTo: posted.id });
				current = await this.pointToMoved(current, learnt, options);
				return { kind: 'delivered', target: current, messageId: posted.id };
			}
			// The message is gone or frozen: the clip is posted anew, once, and reaches the requester.
			const lost = current.lost;
			const anew = { ...message, ping: 'requester' as const };
			const posted = this.tokenAlive(current)
				? await this.followUp(current, anew, file, false)
				: await this.postInChannel(current, anew, file, `c${current.originalId}`);
			if (lost.stale) await this.remove(current.channelId, lost.messageId);
			return { kind: 'delivered', target: current, messageId: posted.id };
		} catch (error) {
			return orThrow(judged(error), error);
		}
	}

	/**
	 * Looks for a message of the job that `isOurs` recognises: the one it edits, then the channel's
	 * messages since `since` (a clip posted anew). For an upload whose outcome is unknown.
	 */
	public async find(
		target: ReplyTarget,
		isOurs: (message: SeenMessage) => boolean,
		since: number,
	): Promise<SeenMessage | undefined> {
		const current = currentMessageOf(target) ?? target.lost?.messageId;
		if (current !== undefined) {
			const seen = await this.read(target, current).catch((error: unknown) => {
				if (discordFailure(error) === 'outcome-unknown') throw error;
				return undefined;
			});
			if (seen !== undefined && isOurs(seen)) return seen;
		}
		// Discord's ids grow with time: the messages after one made a little before `since`.
		const after = SnowflakeUtil.generate({ timestamp: since - 10_000 }).toString();
		let listed: unknown;
		try {
			listed = await this.rest.get(Routes.channelMessages(target.channelId), {
				query: new URLSearchParams({ after, limit: '50' }),
			});
		} catch (error) {
			// Without Read Message History nothing can be seen; a retry will tell (nonces dedupe posts).
			if (discordFailure(error) === 'outcome-unknown') throw error;
			return undefined;
		}
		const messages = z.array(seenMessageSchema).safeParse(listed);
		return messages.success ? messages.data.find(isOurs) : undefined;
	}

	private async read(target: ReplyTarget, messageId: string): Promise<SeenMessage | undefined> {
		const viaToken = messageId === target.originalId && this.tokenUsable(target);
		const raw = viaToken
			? await this.rest.get(Routes.webhookMessage(target.applicationId, target.token, '@original'), { auth: false })
			: await this.rest.get(Routes.channelMessage(target.channelId, messageId));
		const parsed = seenMessageSchema.safeParse(raw);
		return parsed.success ? parsed.data : undefined;
	}

	/** A message only the requester sees, while the token lives. False when it could not be sent. */
	public async tellPrivately(target: ReplyTarget, message: OutgoingMessage, file?: ReplyFile): Promise<boolean> {
		if (!this.tokenAlive(target)) return false;
		try {
			await this.followUp(target, message, file, true);
			return true;
		} catch (error) {
			if (discordFailure(error) === 'outcome-unknown') throw error;
			return false;
		}
	}

	/**
	 * Sends the clip to the requester by direct message. Returns the link of the sent file, or
	 * undefined when they do not accept DMs from the bot.
	 */
	public async sendDirect(target: ReplyTarget, message: OutgoingMessage, file: ReplyFile): Promise<string | undefined> {
		try {
			const channel = z
				.object({ id: z.string() })
				.parse(await this.rest.post(Routes.userChannels(), { body: { recipient_id: target.userId } }));
			const posted = postedSchema.parse(
				await this.rest.post(Routes.channelMessages(channel.id), {
					body: {
						content: fitMessage(message.content),
						attachments: [attachmentOf(file)],
						allowed_mentions: { parse: [] },
						nonce: `d${target.originalId}`,
						enforce_nonce: true,
					},
					files: [filePart(file)],
				}),
			);
			return posted.attachments[0]?.url ?? jumpLink({ ...target, guildId: null, channelId: channel.id }, posted.id);
		} catch (error) {
			if (discordFailure(error) === 'outcome-unknown') throw error;
			return undefined;
		}
	}

	/** A text message where the job's message was (a new one when it is lost); false if refused. */
	public async say(target: ReplyTarget, message: OutgoingMessage, options: EditOptions): Promise<EditResult> {
		const edited = await this.edit(target, message, options);
		if (edited.ok || edited.target.lost === undefined) return edited;
		try {
			const anew = { ...message, ping: 'requester' as const };
			const { lost } = edited.target;
			if (this.tokenAlive(edited.target)) await this.followUp(edited.target, anew, undefined, false);
			else await this.postInChannel(edited.target, anew, undefined, `t${target.originalId}`);
			if (lost.stale) await this.remove(edited.target.channelId, lost.messageId);
			return { ok: true, target: edited.target };
		} catch (error) {
			if (discordFailure(error) === 'outcome-unknown') throw wrapped(error, edited.target);
			return edited;
		}
	}

	/** Deletes a message of the bot's (a stale progress message). Best effort. */
	public async remove(channelId: string, messageId: string): Promise<void> {
		await this.rest.delete(Routes.channelMessage(channelId, messageId)).catch(() => undefined);
	}

	private async patchOriginal(target: ReplyTarget, body: object, files?: ReturnType<typeof filePart>[]) {
		return this.rest.patch(Routes.webhookMessage(target.applicationId, target.token, '@original'), {
			body,
			...(files === undefined ? {} : { files }),
			auth: false,
		});
	}

	private async patchChannelMessage(
		target: ReplyTarget,
		messageId: string,
		body: object,
		files?: ReturnType<typeof filePart>[],
	) {
		return this.rest.patch(Routes.channelMessage(target.channelId, messageId), {
			body,
			...(files === undefined ? {} : { files }),
		});
	}

	/**
	 * A new channel message with the bot token, replying to the command's reply (which may be
	 * gone: then without the reference). The nonce makes a repeat within minutes return the first.
	 */
	private async postInChannel(
		target: ReplyTarget,
		message: OutgoingMessage,
		file: ReplyFile | undefined,
		nonce: string,
	): Promise<z.infer<typeof postedSchema>> {
		const posted = await this.rest.post(Routes.channelMessages(target.channelId), {
			body: {
				content: fitMessage(message.content),
				components: message.components ?? [],
				...(file === undefined ? {} : { attachments: [attachmentOf(file)] }),
				allowed_mentions: mentions(target, message),
				message_reference: { message_id: target.originalId, fail_if_not_exists: false },
				nonce,
				enforce_nonce: true,
			},
			...(file === undefined ? {} : { files: [filePart(file)] }),
		});
		return postedSchema.parse(posted);
	}

	/** A follow-up of the interaction: public, or only for the requester (`ephemeral`). */
	private async followUp(
		target: ReplyTarget,
		message: OutgoingMessage,
		file: ReplyFile | undefined,
		ephemeral: boolean,
	): Promise<z.infer<typeof postedSchema>> {
		const posted = await this.rest.post(Routes.webhook(target.applicationId, target.token), {
			body: {
				content: fitMessage(message.content),
				components: message.components ?? [],
				...(file === undefined ? {} : { attachments: [attachmentOf(file)] }),
				allowed_mentions: mentions(target, message),
				...(ephemeral ? { flags: 64 } : {}),
			},
			...(file === undefined ? {} : { files: [filePart(file)] }),
			query: new URLSearchParams({ wait: 'true' }),
			auth: false,
		});
		return postedSchema.parse(posted);
	}
}

/** Prompts are quoted back into the channel: nobody is pinged but the requester, where meant. */
function mentions(target: ReplyTarget, message: OutgoingMessage) {
	return message.ping === 'requester' ? { parse: [], users: [target.userId] } : { parse: [] };
}

const lose = (target: ReplyTarget, messageId: string, stale: boolean): ReplyTarget => ({
	...target,
	lost: { messageId, stale },
});

function orThrow(delivery: Delivery | undefined, error: unknown): Delivery {
	if (delivery === undefined) throw error;
	return delivery;
}

const attachmentOf = (file: ReplyFile) => ({
	id: '0',
	filename: file.name,
	...(file.description === undefined ? {} : { description: cut(file.description, DISCORD_LIMITS.altText) }),
});

const filePart = (file: ReplyFile) => ({ name: file.name, data: file.data, contentType: file.contentType });

const messageSchema = z.object({
	attachments: z.array(
		z.object({
			url: z.string(),
			filename: z.string(),
			content_type: z.string().optional(),
			size: z.number().optional(),
			width: z.number().nullable().optional(),
			height: z.number().nullable().optional(),
		}),
	),
});

export type MessageAttachment = z.infer<typeof messageSchema>['attachments'][number];

/**
 * A channel message's attachments, read afresh with the bot token (their links are signed and
 * expire). Needs Read Message History. Throws `DiscordAPIError` (10008 when it was deleted). Extend,
 * Animate and a sequence's render read clips and images this way.
 */
export async function attachmentsOf(rest: REST, channelId: string, messageId: string): Promise<MessageAttachment[]> {
	const parsed = messageSchema.safeParse(await rest.get(Routes.channelMessage(channelId, messageId)));
	return parsed.success ? parsed.data.attachments : [];
}
