import { PermissionFlagsBits } from 'discord.js';
import { DEFAULT_MEMBER_PERMISSIONS } from '../standins/discord-payloads.js';
import type { DiscordStandIn, InteractionHandle, RecordedFile, RecordedRequest } from '../standins/discord.js';

/** What a member saw in answer to an interaction. */
export interface Answer {
	readonly content: string;
	readonly embeds: ReadonlyArray<Record<string, unknown>>;
	readonly files: readonly RecordedFile[];
	/** Only the member saw it. */
	readonly ephemeral: boolean;
}

/** An @everyone member's permissions, plus Manage Server. */
export const MANAGER = String(BigInt(DEFAULT_MEMBER_PERMISSIONS) | PermissionFlagsBits.ManageGuild);
/** Administrator alone implies Manage Server. */
export const ADMINISTRATOR = String(PermissionFlagsBits.Administrator | PermissionFlagsBits.ViewChannel);

const record = (value: unknown): Record<string, unknown> =>
	typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

function answer(body: unknown, files: readonly RecordedFile[], ephemeral: boolean): Answer {
	const fields = record(body);
	const embeds = Array.isArray(fields['embeds']) ? (fields['embeds'] as Array<Record<string, unknown>>) : [];
	return { content: typeof fields['content'] === 'string' ? fields['content'] : '', embeds, files, ephemeral };
}

/**
 * Waits for the bot's answer to an interaction, however it gave it: a direct reply; or, after
 * deferring, an edit of the deferred reply or (a refusal) a private follow-up.
 */
export async function answerOf(
	discord: DiscordStandIn,
	handle: InteractionHandle,
	timeoutMs = 15_000,
): Promise<Answer> {
	const isFollowUp = (r: RecordedRequest) =>
		r.method === 'POST' && r.path.endsWith(`/webhooks/${discord.applicationId}/${handle.token}`);
	const isEdit = (r: RecordedRequest) => r.method === 'PATCH' && r.path.endsWith(`/${handle.token}/messages/@original`);
	return discord.waitFor(
		() => {
			const [callback] = discord.callbacks(handle.id);
			if (callback === undefined) return undefined;
			const { type, data } = record(callback.body) as { type?: number; data?: unknown };
			if (type === 4) return answer(data, callback.files, (Number(record(data)['flags'] ?? 0) & 64) !== 0);
			const deferredPrivately = (Number(record(data)['flags'] ?? 0) & 64) !== 0;
			const followUp = discord.requests.find(isFollowUp);
			if (followUp !== undefined)
				return answer(followUp.body, followUp.files, (Number(record(followUp.body)['flags'] ?? 0) & 64) !== 0);
			const edit = discord.requests.find(isEdit);
			return edit === undefined ? undefined : answer(edit.body, edit.files, deferredPrivately);
		},
		timeoutMs,
		`the answer to interaction ${handle.id}`,
	);
}

/** True when a /video was accepted: its public reply shows it queued. */
export const isQueued = (answer: Answer): boolean => !answer.ephemeral && answer.content.startsWith('🎬 Queued');
