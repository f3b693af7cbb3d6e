import { Routes, type APIEmbed, type REST } from 'discord.js';
import { z } from 'zod';
import type { SequenceSnapshot, Shot } from '../store/sequences.js';
import { shotPrompt, type Texts } from '../texts/index.js';

/**
 * A sequence's board and its shot listings: one line per shot, position first, with its author's
 * mention, its prompt shortened and the link to its clip's message. Mentions never ping.
 */

/** Discord's limits: an embed's description, and every embed of a message together. */
const EMBED_DESCRIPTION = 4_000;
const EMBEDS_TOTAL = 5_800;
const MAX_EMBEDS = 10;

/** Blurple, the sequence's colour; grey once it has ended. */
const ACTIVE_COLOUR = 0x5865f2;
const ENDED_COLOUR = 0x99aab5;

export interface ListingMessage {
	readonly content: string;
	readonly embeds: APIEmbed[];
}

/** Mentions in a listing (authors, the owner) never ping anyone. */
const NOBODY = { parse: [] };

/** A link that opens a message in every Discord client. */
export const messageLink = (guildId: string, channelId: string, messageId: string): string =>
	`https://discord.com/channels/${guildId}/${channelId}/${messageId}`;

/** The listing's lines, one per shot, in board order. */
export function shotLines(guildId: string, shots: readonly Shot[], texts: Texts): string[] {
	return shots.map((shot, index) =>
		texts.sequence.shotLine({
			position: index + 1,
			authorId: shot.authorId,
			prompt: shotPrompt(shot.prompt),
			link: messageLink(guildId, shot.channelId, shot.messageId),
		}),
	);
}

/** Lines packed into embed descriptions, never splitting a line. */
function embedsOf(lines: readonly string[], colour: number, footer: string): APIEmbed[] {
	const descriptions: string[] = [];
	let total = 0;
	for (const line of lines) {
		const last = descriptions.at(-1);
		if (total + line.length + 1 > EMBEDS_TOTAL) break;
		if (last !== undefined && last.length + line.length + 1 <= EMBED_DESCRIPTION) {
			descriptions[descriptions.length - 1] = `${last}\n${line}`;
		} else if (descriptions.length < MAX_EMBEDS) {
			descriptions.push(line);
		} else break;
		total += line.length + 1;
	}
	return descriptions.map((description, index) => ({
		description,
		color: colour,
		...(index === descriptions.length - 1 ? { footer: { text: footer } } : {}),
	}));
}

function listingEmbeds(snapshot: SequenceSnapshot, texts: Texts): APIEmbed[] {
	const { sequence, shots } = snapshot;
	const colour = sequence.state === 'active' ? ACTIVE_COLOUR : ENDED_COLOUR;
	const lines = shots.length === 0 ? [texts.sequence.noShots] : shotLines(sequence.guildId, shots, texts);
	return embedsOf(lines, colour, texts.sequence.boardCount(shots.length));
}

/** The board, in its owner's language: the title, who started it, whether it has ended, and every shot. */
export function boardMessage(snapshot: SequenceSnapshot, texts: Texts): ListingMessage {
	const { sequence } = snapshot;
	const content =
		sequence.state === 'active'
			? texts.sequence.boardHead(sequence.title, sequence.ownerId)
			: texts.sequence.boardEnded(sequence.title, sequence.ownerId);
	return { content, embeds: listingEmbeds(snapshot, texts) };
}

/** `/sequence shots`: the same listing, privately, in the reader's language. */
export function shotsMessage(snapshot: SequenceSnapshot, texts: Texts): ListingMessage {
	const content = texts.sequence.listingHead(snapshot.sequence.title, snapshot.shots.length);
	return { content, embeds: listingEmbeds(snapshot, texts) };
}

const postedSchema = z.object({ id: z.string() });

/** Posts the board in the channel with the bot token; returns its message id. */
export async function postBoard(rest: REST, channelId: string, message: ListingMessage): Promise<string> {
	const body = { ...message, allowed_mentions: NOBODY };
	return postedSchema.parse(await rest.post(Routes.channelMessages(channelId), { body })).id;
}

/** Edits the board in place (never a new one). Throws `DiscordAPIError` (10008 when it was deleted). */
export async function editBoard(
	rest: REST,
	channelId: string,
	messageId: string,
	message: ListingMessage,
): Promise<void> {
	await rest.patch(Routes.channelMessage(channelId, messageId), { body: { ...message, allowed_mentions: NOBODY } });
}
