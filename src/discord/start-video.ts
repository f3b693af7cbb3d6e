import type { ButtonInteraction, ChatInputCommandInteraction, ModalSubmitInteraction } from 'discord.js';
import {
	InvalidRequestError,
	LimitReachedError,
	NoWorkerError,
	QueueUnavailableError,
	QuotaExceededError,
} from '../errors.js';
import { textsFor } from '../texts/index.js';
import { checkAttachmentLinks, enqueueVideo, type Checked } from '../generation/intake.js';
import { checkWhere } from '../generation/policy.js';
import { promptSent } from '../providers/plan.js';
import type { ImageRef } from '../video/request.js';
import type { CommandContext } from './command.js';
import { progressButtons } from './components.js';
import { checkCanStart } from './intake-guards.js';
import { roleIdsOf } from './member.js';

const EXTENSIONS = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' } as const;

/**
 * While a clip waits, its message shows the first frame as a thumbnail. Later edits leave it in
 * place; the delivery replaces the message's attachments with the clip.
 */
async function thumbnail(context: CommandContext, frame: ImageRef | undefined) {
	const data = frame === undefined ? null : await context.media.get(frame.key);
	if (frame === undefined || data === null) return {};
	const name = `first_frame.${EXTENSIONS[frame.contentType]}`;
	return { files: [{ attachment: data, name }], embeds: [{ thumbnail: { url: `attachment://${name}` } }] };
}

/**
 * A job with no worker alive would wait silently with the user's unit reserved: refuse at once,
 * and tell the admins (once every few hours). A Redis that cannot answer is the intake's to report.
 */
async function needAWorker(
	context: CommandContext,
	alive: { count: number; lastBeatAt: number | null } | undefined,
): Promise<void> {
	if (alive === undefined || alive.count > 0) return;
	const since =
		alive.lastBeatAt === null
			? 'has ever run here'
			: `has been alive since ${new Date(alive.lastBeatAt).toISOString()}`;
	await context.admins.once(
		'no-worker',
		`No worker ${since}: /video is refused until one runs (npm run start:worker, or the worker service).`,
	);
	throw new NoWorkerError(context.config.discord.adminChannelId !== undefined);
}

export type StartingInteraction = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;

/**
 * Starts a generation for a checked request, from `/video` or from a clip's buttons: refused
 * privately where the server does not allow one now (paused, or outside its channels), else a
 * public reply (deferred within Discord's 3 s), the queued message with its Cancel button, the job.
 */
export async function startVideo(
	interaction: StartingInteraction,
	context: CommandContext,
	checked: Checked,
): Promise<void> {
	// Before anything is read, reserved or shown: served here, and the bot can deliver here.
	checkCanStart(interaction);
	if (!interaction.inGuild() || interaction.channelId === null)
		throw new InvalidRequestError({ kind: 'not-in-server' });
	await checkAttachmentLinks(checked, context.attachmentGuard);
	const { channelId } = interaction;
	// Both reads before the acknowledgement, so side by side.
	const alive = context.workers.alive().catch(() => undefined);
	const guild = await context.guilds.get(interaction.guildId).catch((error: unknown) => {
		throw new QueueUnavailableError({ cause: error });
	});
	checkWhere(guild, { channelId, parentId: interaction.channel?.isThread() ? interaction.channel.parentId : null });
	await needAWorker(context, await alive);
	if (!interaction.deferred && !interaction.replied) await interaction.deferReply();
	// The one who starts a clip is its author: the job carries this locale to the worker.
	const texts = textsFor(interaction.locale);
	const { config } = context;
	const enqueued = enqueueVideo(
		{ ...context, provider: config.provider, models: config.models, limits: config },
		checked,
		{
			id: interaction.id,
			applicationId: interaction.applicationId,
			token: interaction.token,
			channelId,
			guildId: interaction.guildId,
			userId: interaction.user.id,
			roleIds: roleIdsOf(interaction),
			locale: interaction.locale,
			createdAt: interaction.createdTimestamp,
			attachmentSizeLimit: interaction.attachmentSizeLimit,
		},
		guild,
		async (request, model, position) => {
			const reply = await interaction.editReply({
				content: texts.queued({ prompt: promptSent(context.config.provider, model, request.prompt), model }, position),
				components: progressButtons(interaction.id, texts),
				...(await thumbnail(context, request.firstFrame)),
			});
			// Every later edit of this message, by any process, keeps an interval after this one.
			await context.edits.markEdited(reply.id);
			return reply.id;
		},
	);
	await enqueued.catch((error: unknown) => {
		if (error instanceof QuotaExceededError || error instanceof LimitReachedError) context.metrics.quotaRefusals.inc();
		throw error;
	});
	context.metrics.jobs.inc({ state: 'enqueued', provider: config.provider });
}
