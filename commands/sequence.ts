import {
	ApplicationCommandOptionType,
	ApplicationCommandType,
	ApplicationIntegrationType,
	InteractionContextType,
	MessageFlags,
	type ChatInputCommandInteraction,
} from 'discord.js';
import { boardMessage, messageLink, postBoard, shotsMessage } from '../src/discord/board.js';
import type { Command, CommandContext } from '../src/discord/command.js';
import { holds } from '../src/discord/member.js';
import { InvalidRequestError, QueueUnavailableError, SequenceError } from '../src/errors.js';
import { jobLogFields, type RenderShot } from '../src/jobs/index.js';
import { TRANSITIONS, type Transition } from '../src/media/stitch.js';
import type { Actor, ChangeResult, Sequence } from '../src/store/sequences.js';
import { described, named, textsFor, type Texts } from '../src/texts/index.js';
import { cleanText } from '../src/video/clean.js';

/**
 * `/sequence`: a channel (or thread) builds a film together. Anyone starts one (and owns it),
 * lists its shots and renders it; the owner or a member with Manage Server arranges and ends it,
 * and a shot's own author may remove it. Every change is one step in Redis (`store/sequences.ts`);
 * the board follows within seconds (`bot/boards.ts`). Answers are private, but a render's.
 */

/** A Redis that cannot answer is an outage, told as such; a refusal passes as it is. */
const reading = <T>(promise: Promise<T>): Promise<T> =>
	promise.catch((error: unknown) => {
		throw new QueueUnavailableError({ cause: error });
	});

async function activeHere(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<Sequence> {
	const active = await reading(context.sequences.active(interaction.channelId));
	if (active === undefined) throw new SequenceError({ kind: 'none-active' });
	return active;
}

const actorOf = (interaction: ChatInputCommandInteraction): Actor => ({
	userId: interaction.user.id,
	manager: holds(interaction, 'ManageGuild'),
});

/** Turns a refused change into its typed error; returns what a done change carries. */
function done<T>(
	result: ChangeResult<T>,
	action: 'move' | 'remove' | 'end',
	shot: number,
): Extract<ChangeResult<T>, { kind: 'done' }> {
	switch (result.kind) {
		case 'done':
			return result;
		case 'forbidden':
			throw new SequenceError({ kind: 'not-allowed', action, ownerId: result.ownerId });
		case 'no-shot':
			throw new SequenceError({ kind: 'no-shot', shot, count: result.count });
		case 'ended':
			throw new SequenceError({ kind: 'none-active' });
	}
}

const privately = async (interaction: ChatInputCommandInteraction, content: string) =>
	interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });

async function start(interaction: ChatInputCommandInteraction, context: CommandContext, texts: Texts) {
	const title = cleanText(interaction.options.getString('title', true));
	if (title === '') throw new SequenceError({ kind: 'title-empty' });
	const guildId = interaction.guildId ?? '';
	const { channelId } = interaction;
	await interaction.deferReply({ flags: MessageFlags.Ephemeral });
	const id = interaction.id;
	const started = await reading(
		context.sequences.start({
			id,
			title,
			guildId,
			channelId,
			ownerId: interaction.user.id,
			locale: interaction.locale,
			now: Date.now(),
		}),
	);
	if (!started.started) throw new SequenceError({ kind: 'already-active', title: started.active?.title ?? title });
	let boardId: string;
	try {
		const snapshot = await reading(context.sequences.snapshot(id));
		if (snapshot === undefined) throw new QueueUnavailableError();
		// The board is in its owner's language, whoever changes it later.
		boardId = await postBoard(interaction.client.rest, channelId, boardMessage(snapshot, texts));
	} catch (error) {
		await context.sequences.discard(id, channelId).catch(() => undefined);
		if (error instanceof QueueUnavailableError) throw error;
		context.logger.warn({ err: error, channelId }, 'could not post a sequence board');
		throw new SequenceError({ kind: 'board-refused' });
	}
	await reading(context.sequences.setBoard(id, boardId));
	// A change made while the board was being posted shows at the keeper's next look.
	context.boards.nudge();
	context.logger.info({ sequenceId: id, channelId, boardId }, 'sequence started');
	await interaction.editReply({
		content: texts.sequence.started(title, messageLink(guildId, channelId, boardId)),
		allowedMentions: { parse: [] },
	});
}

async function shots(interaction: ChatInputCommandInteraction, context: CommandContext, texts: Texts) {
	const active = await activeHere(interaction, context);
	const snapshot = await reading(context.sequences.snapshot(active.id));
	if (snapshot === undefined) throw new SequenceError({ kind: 'none-active' });
	await interaction.reply({
		...shotsMessage(snapshot, texts),
		flags: MessageFlags.Ephemeral,
		allowedMentions: { parse: [] },
	});
}

async function move(interaction: ChatInputCommandInteraction, context: CommandContext, texts: Texts) {
	const from = interaction.options.getInteger('from', true);
	const to = interaction.options.getInteger('to', true);
	const active = await activeHere(interaction, context);
	done(await reading(context.sequences.move(active.id, actorOf(interaction), from, to)), 'move', from);
	context.boards.nudge();
	await privately(interaction, texts.sequence.moved(active.title, from, to));
}

async function remove(interaction: ChatInputCommandInteraction, context: CommandContext, texts: Texts) {
	const shot = interaction.options.getInteger('shot', true);
	const active = await activeHere(interaction, context);
	done(await reading(context.sequences.remove(active.id, actorOf(interaction), shot)), 'remove', shot);
	context.boards.nudge();
	await privately(interaction, texts.sequence.removed(active.title, shot));
}

async function end(interaction: ChatInputCommandInteraction, context: CommandContext, texts: Texts) {
	const active = await activeHere(interaction, context);
	const ended = done(await reading(context.sequences.end(active.id, actorOf(interaction), Date.now())), 'end', 0);
	context.boards.nudge();
	context.logger.info({ sequenceId: active.id, shots: ended.count }, 'sequence ended');
	await privately(interaction, texts.sequence.ended(active.title, ended.count));
}

/**
 * A public reply at once, then the render waits on the queue for a worker, like a clip: it says
 * so when none is running. The shots are taken in board order now; the worker reads each clip
 * from its message when it runs.
 */
async function render(interaction: ChatInputCommandInteraction, context: CommandContext, texts: Texts) {
	const active = await activeHere(interaction, context);
	const snapshot = await reading(context.sequences.snapshot(active.id));
	if (snapshot === undefined || snapshot.shots.length === 0)
		throw new SequenceError({ kind: 'empty', title: active.title });
	const chosen = interaction.options.getString('transition');
	const transition: Transition = TRANSITIONS.find((candidate) => candidate === chosen) ?? 'cut';
	await interaction.deferReply();
	const alive = await context.workers.alive().catch(() => undefined);
	const reply = await interaction.editReply({
		content: texts.sequence.renderQueued(active.title, snapshot.shots.length, transition, alive?.count !== 0),
		allowedMentions: { parse: [] },
	});
	// Every later edit of the reply, by any worker, keeps an interval after this one.
	await context.edits.markEdited(reply.id);
	const shotsNow: RenderShot[] = snapshot.shots.map((shot, index) => ({
		position: index + 1,
		clipId: shot.clipId,
		authorId: shot.authorId,
		channelId: shot.channelId,
		messageId: shot.messageId,
	}));
	await reading(
		context.jobs.enqueueRender({
			v: 1,
			kind: 'render',
			interaction: {
				id: interaction.id,
				applicationId: interaction.applicationId,
				token: interaction.token,
				channelId: interaction.channelId,
				guildId: interaction.guildId,
				userId: interaction.user.id,
				locale: interaction.locale,
				createdAt: interaction.createdTimestamp,
				messageId: reply.id,
				attachmentSizeLimit: interaction.attachmentSizeLimit,
			},
			sequenceId: active.id,
			title: active.title,
			transition,
			shots: shotsNow,
			enqueuedAt: Date.now(),
		}),
	);
	context.logger.info(
		{
			...jobLogFields({ id: interaction.id, userId: interaction.user.id, guildId: interaction.guildId }, 'render'),
			sequenceId: active.id,
			shots: shotsNow.length,
			transition,
		},
		'render enqueued',
	);
}

const SUBCOMMANDS = { start, shots, move, remove, render, end } as const;

const positionOption = (name: string, pick: (texts: Texts) => string) => ({
	type: ApplicationCommandOptionType.Integer as const,
	name,
	...described(pick),
	required: true,
	min_value: 1,
});

export default {
	data: {
		name: 'sequence',
		...described((texts) => texts.commands.sequence.description),
		type: ApplicationCommandType.ChatInput,
		contexts: [InteractionContextType.Guild],
		integration_types: [ApplicationIntegrationType.GuildInstall],
		options: [
			{
				type: ApplicationCommandOptionType.Subcommand,
				name: 'start',
				...described((texts) => texts.commands.sequence.start.description),
				options: [
					{
						type: ApplicationCommandOptionType.String,
						name: 'title',
						...described((texts) => texts.commands.sequence.start.title),
						required: true,
						min_length: 1,
						max_length: 100,
					},
				],
			},
			{
				type: ApplicationCommandOptionType.Subcommand,
				name: 'shots',
				...described((texts) => texts.commands.sequence.shots.description),
			},
			{
				type: ApplicationCommandOptionType.Subcommand,
				name: 'move',
				...described((texts) => texts.commands.sequence.move.description),
				options: [
					positionOption('from', (texts) => texts.commands.sequence.move.from),
					positionOption('to', (texts) => texts.commands.sequence.move.to),
				],
			},
			{
				type: ApplicationCommandOptionType.Subcommand,
				name: 'remove',
				...described((texts) => texts.commands.sequence.remove.description),
				options: [positionOption('shot', (texts) => texts.commands.sequence.remove.shot)],
			},
			{
				type: ApplicationCommandOptionType.Subcommand,
				name: 'render',
				...described((texts) => texts.commands.sequence.render.description),
				options: [
					{
						type: ApplicationCommandOptionType.String,
						name: 'transition',
						...described((texts) => texts.commands.sequence.render.transition),
						choices: TRANSITIONS.map((value) => ({
							...named((texts) => texts.commands.sequence.render[value]),
							value,
						})),
					},
				],
			},
			{
				type: ApplicationCommandOptionType.Subcommand,
				name: 'end',
				...described((texts) => texts.commands.sequence.end.description),
			},
		],
	},

	async execute(interaction, context) {
		if (!interaction.inGuild() || interaction.guildId === null)
			throw new InvalidRequestError({ kind: 'not-in-server' });
		const name = interaction.options.getSubcommand(true);
		const run = Object.entries(SUBCOMMANDS).find(([subcommand]) => subcommand === name)?.[1];
		if (run === undefined) throw new Error(`unknown subcommand ${name}`);
		await run(interaction, context, textsFor(interaction.locale));
	},
} satisfies Command;
