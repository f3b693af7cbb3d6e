import { MessageFlags, PermissionFlagsBits, type ButtonInteraction, type ModalSubmitInteraction } from 'discord.js';
import { InvalidRequestError, QueueUnavailableError, SequenceError, UnrecognisedRequestError } from '../errors.js';
import { imageKeysOf } from '../generation/settle.js';
import type { JobRecord as Clip } from '../store/job-records.js';
import { textsFor, type Texts } from '../texts/index.js';
import { formatBracket } from '../video/camera.js';
import { attachment, checkVideoOptions, type ImageSource, type VideoOptions } from '../generation/intake.js';
import { firstImageIndex } from '../video/images.js';
import { promptSent } from '../providers/plan.js';
import type { CommandContext } from './command.js';
import { editModal, parseAnimateModalId, parseCustomId, retryButtons, type ButtonAction } from './components.js';
import { checkCanStart } from './intake-guards.js';
import { discordFailure } from './replies.js';
import { startVideo } from './start-video.js';

/**
 * Cancel, Retry, Extend, Remix, Delete and Add to sequence under a clip, and the modals (Remix,
 * Extend, Animate). Only ids travel in custom ids; the clip's details come from Redis, so buttons
 * work after any restart. Cancel and Delete belong to the clip's author and the server's admins;
 * Retry, Extend and Remix are open to everyone in the channel and spend the clicker's quota; Add
 * to sequence is open to everyone and spends nothing.
 */

const MANAGE = PermissionFlagsBits.Administrator | PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ManageMessages;

const mayManage = (interaction: ButtonInteraction, clip: Clip) =>
	interaction.user.id === clip.userId || (interaction.memberPermissions?.any(MANAGE) ?? false);

const stored = (ref: Clip['request']['firstFrame']): ImageSource | undefined =>
	ref === undefined ? undefined : { kind: 'stored', ref };

/** The first frame a clip started from: a stored image, or (an extension) another clip's last frame. */
function firstFrameOf(request: Clip['request']): ImageSource | undefined {
	if (request.firstFrame !== undefined) return stored(request.firstFrame);
	return request.extendsFrom === undefined ? undefined : { kind: 'clip-frame', clip: request.extendsFrom };
}

/** The clip's settings, with its prompt as sent (camera bracket included) and its stored images. */
function sameSettings(clip: Clip): VideoOptions {
	const { request } = clip;
	return {
		prompt: request.prompt,
		promptOptimizer: request.promptOptimizer,
		model: request.model,
		duration: request.duration,
		resolution: request.resolution,
		ratio: request.ratio,
		firstFrame: firstFrameOf(request),
		lastFrame: stored(request.lastFrame),
		subject: stored(request.subject),
	};
}

/** The prompt as the user wrote it: without the bracket the camera option put in front. */
function userPrompt(clip: Clip): string {
	const bracket = `${formatBracket(clip.request.camera as Parameters<typeof formatBracket>[0])} `;
	const { prompt } = clip.request;
	return clip.request.camera.length > 0 && prompt.startsWith(bracket) ? prompt.slice(bracket.length) : prompt;
}

/**
 * Private answers are in the clicker's language; the clip's public message stays in its author's
 * (`clip.locale`), like every other state of it, whoever clicks.
 */
async function privately(interaction: ButtonInteraction | ModalSubmitInteraction, say: (texts: Texts) => string) {
	await interaction.reply({ content: say(textsFor(interaction.locale)), flags: MessageFlags.Ephemeral });
}

async function cancel(interaction: ButtonInteraction, context: CommandContext, clip: Clip): Promise<void> {
	const outcome = await context.jobs.cancel(clip.interactionId);
	const progress = { prompt: promptSent(context.config.provider, clip.model, clip.request.prompt), model: clip.model };
	const authors = textsFor(clip.locale);
	if (outcome === 'finished') return privately(interaction, (texts) => texts.alreadyFinished);
	if (outcome === 'running') {
		// The worker running it stops at its next look at the provider, and edits the message.
		await context.records.requestCancel(clip.interactionId, interaction.user.id);
		await interaction.update({ content: authors.cancelling(progress), components: [] });
		// The worker's "cancelled" edit of the same message keeps its interval after this one.
		await context.edits.markEdited(interaction.message.id);
		return;
	}
	const settled = await context.settle(
		{ jobId: clip.interactionId, userId: clip.userId, guildId: clip.guildId, imageKeys: imageKeysOf(clip.request) },
		{ kind: 'cancelled', by: interaction.user.id },
	);
	if (settled.first) context.metrics.jobs.inc({ state: 'cancelled', provider: context.config.provider });
	await interaction.update({
		content: authors.cancelled(progress, interaction.user.id),
		components: retryButtons(clip.interactionId, authors),
	});
	await context.edits.markEdited(interaction.message.id);
}

/**
 * Adds the clip to the channel's active sequence, once, as its author's shot whoever clicks; the
 * board follows. Two clicks at the same moment add it once (one step in Redis).
 */
async function addToSequence(interaction: ButtonInteraction, context: CommandContext, clip: Clip): Promise<void> {
	const reading = <T>(promise: Promise<T>) =>
		promise.catch((error: unknown) => {
			throw new QueueUnavailableError({ cause: error });
		});
	const active = await reading(context.sequences.active(interaction.channelId));
	if (active === undefined) throw new SequenceError({ kind: 'none-active' });
	const added = await reading(
		context.sequences.add(active.id, {
			clipId: clip.interactionId,
			authorId: clip.userId,
			addedBy: interaction.user.id,
			prompt: clip.request.prompt,
			channelId: interaction.channelId,
			// The message the button is on carries the clip, wherever the job ended up posting it.
			messageId: interaction.message.id,
			addedAt: Date.now(),
		}),
	);
	switch (added.kind) {
		case 'added':
			context.boards.nudge();
			context.logger.info(
				{ sequenceId: active.id, clipId: clip.interactionId, position: added.position, by: interaction.user.id },
				'shot added',
			);
			return privately(interaction, (texts) => texts.sequence.added(active.title, added.position));
		case 'already':
			throw new SequenceError({ kind: 'already-in', title: active.title, position: added.position });
		case 'full':
			throw new SequenceError({ kind: 'full', title: active.title, max: added.max });
		case 'ended':
			throw new SequenceError({ kind: 'none-active' });
	}
}

export async function handleButton(interaction: ButtonInteraction, context: CommandContext): Promise<void> {
	const parsed = parseCustomId(interaction.customId);
	if (parsed === undefined) throw new UnrecognisedRequestError(`button ${interaction.customId.slice(0, 100)}`);
	const clip = await context.records.get(parsed.interactionId);
	if (clip === undefined) return privately(interaction, (texts) => texts.clipUnknown);

	const owned: readonly ButtonAction[] = ['cancel', 'delete'];
	if (owned.includes(parsed.action) && !mayManage(interaction, clip)) {
		return privately(interaction, (texts) => texts.notYours(parsed.action));
	}
	switch (parsed.action) {
		case 'cancel':
			return cancel(interaction, context, clip);
		case 'delete':
			await interaction.deferUpdate();
			await interaction.deleteReply();
			return;
		case 'retry':
			return startVideo(
				interaction,
				context,
				checkVideoOptions(context.config.provider, sameSettings(clip), context.config.models),
			);
		case 'add':
			return addToSequence(interaction, context, clip);
		case 'remix':
		case 'extend':
			// Refused before the modal, so nobody edits a prompt for a clip that could not start here.
			checkCanStart(interaction);
			await interaction.showModal(
				editModal(
					parsed.action,
					clip.interactionId,
					userPrompt(clip),
					clip.request.camera.join(', '),
					textsFor(interaction.locale),
				),
			);
			return;
	}
}

/**
 * Animate's modal: exactly `/video prompt camera first_frame:<the image>` from the one who submits
 * it. The message is read again now (the link the command saw may have expired), its first image
 * taken as it is now; its bytes are copied and checked like an upload's.
 */
async function animate(interaction: ModalSubmitInteraction, context: CommandContext, messageId: string) {
	if (!interaction.inGuild() || interaction.channelId === null)
		throw new InvalidRequestError({ kind: 'not-in-server' });
	const attachments = await context.replies.attachments(interaction.channelId, messageId).catch((error: unknown) => {
		if (discordFailure(error) === 'outcome-unknown') throw error;
		throw new SequenceError({ kind: 'message-gone' });
	});
	const index = firstImageIndex(attachments.map((file) => ({ contentType: file.content_type, name: file.filename })));
	const image = index === undefined ? undefined : attachments[index];
	if (image === undefined) throw new SequenceError({ kind: 'no-image' });
	const firstFrame = attachment({
		option: 'first_frame',
		url: image.url,
		size: image.size ?? 0,
		contentType: image.content_type ?? null,
		width: image.width ?? null,
		height: image.height ?? null,
	});
	const options: VideoOptions = {
		prompt: interaction.fields.getTextInputValue('prompt'),
		camera: interaction.fields.getTextInputValue('camera'),
		firstFrame,
	};
	await startVideo(interaction, context, checkVideoOptions(context.config.provider, options, context.config.models));
}

export async function handleModal(interaction: ModalSubmitInteraction, context: CommandContext): Promise<void> {
	const animated = parseAnimateModalId(interaction.customId);
	if (animated !== undefined) return animate(interaction, context, animated);
	const parsed = parseCustomId(interaction.customId);
	if (parsed === undefined || (parsed.action !== 'remix' && parsed.action !== 'extend'))
		throw new UnrecognisedRequestError(`modal ${interaction.customId.slice(0, 100)}`);
	const clip = await context.records.get(parsed.interactionId);
	if (clip === undefined) return privately(interaction, (texts) => texts.clipUnknown);
	const edited = {
		...sameSettings(clip),
		prompt: interaction.fields.getTextInputValue('prompt'),
		camera: interaction.fields.getTextInputValue('camera'),
	};
	if (parsed.action === 'remix')
		return startVideo(interaction, context, checkVideoOptions(context.config.provider, edited, context.config.models));

	// The next shot starts on this clip's last frame, which the worker takes when the job starts.
	const firstFrame: ImageSource = {
		kind: 'clip-frame',
		clip: { interactionId: clip.interactionId, channelId: clip.channelId, messageId: clip.messageId },
	};
	const options: VideoOptions = { ...edited, firstFrame, lastFrame: undefined, subject: undefined };
	await startVideo(interaction, context, checkVideoOptions(context.config.provider, options, context.config.models));
}
