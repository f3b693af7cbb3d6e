import {
	ButtonStyle,
	ComponentType,
	TextInputStyle,
	type APIActionRowComponent,
	type APIButtonComponentWithCustomId,
	type APIModalInteractionResponseCallbackData,
} from 'discord.js';
import type { Texts } from '../texts/index.js';

/**
 * Buttons under a clip. Their custom ids carry only the action and the clip's interaction id, so
 * they keep working after any restart: everything else is looked up in Redis when clicked. Labels
 * are in the language of the `texts` passed: the clip author's for buttons under a message, the
 * clicker's for a modal.
 */

export const BUTTON_ACTIONS = ['cancel', 'retry', 'extend', 'remix', 'delete', 'add'] as const;
export type ButtonAction = (typeof BUTTON_ACTIONS)[number];

const PREFIX = 'clap';

export const customId = (action: ButtonAction, interactionId: string): string => `${PREFIX}:${action}:${interactionId}`;

export function parseCustomId(id: string): { action: ButtonAction; interactionId: string } | undefined {
	// Exactly the three parts `customId` writes: anything longer was not made by this bot.
	const parts = id.split(':');
	if (parts.length !== 3) return undefined;
	const [prefix, action, interactionId] = parts;
	if (prefix !== PREFIX || interactionId === undefined || !/^\d{1,20}$/.test(interactionId)) return undefined;
	const known = BUTTON_ACTIONS.find((candidate) => candidate === action);
	return known === undefined ? undefined : { action: known, interactionId };
}

type ButtonRow = APIActionRowComponent<APIButtonComponentWithCustomId>;

const button = (
	action: ButtonAction,
	interactionId: string,
	style: APIButtonComponentWithCustomId['style'],
	texts: Texts,
): APIButtonComponentWithCustomId => ({
	type: ComponentType.Button,
	style,
	label: texts.buttonLabels[action],
	custom_id: customId(action, interactionId),
});

const row = (...buttons: APIButtonComponentWithCustomId[]): ButtonRow[] => [
	{ type: ComponentType.ActionRow, components: buttons },
];

/** While queued or generating. */
export const progressButtons = (interactionId: string, texts: Texts) =>
	row(button('cancel', interactionId, ButtonStyle.Danger, texts));

/** Under a finished clip; with Add to sequence when its channel has an active sequence. */
export const resultButtons = (interactionId: string, texts: Texts, inSequence = false) =>
	row(
		button('retry', interactionId, ButtonStyle.Secondary, texts),
		button('extend', interactionId, ButtonStyle.Primary, texts),
		button('remix', interactionId, ButtonStyle.Secondary, texts),
		button('delete', interactionId, ButtonStyle.Danger, texts),
		...(inSequence ? [button('add', interactionId, ButtonStyle.Success, texts)] : []),
	);

/** Under a clip that reached the channel as a link (there is no file to extend from). */
export const linkButtons = (interactionId: string, texts: Texts) =>
	row(
		button('retry', interactionId, ButtonStyle.Secondary, texts),
		button('remix', interactionId, ButtonStyle.Secondary, texts),
		button('delete', interactionId, ButtonStyle.Danger, texts),
	);

/** True for the custom ids of a message carrying a job's clip or its link: only those offer Delete. */
export const carriesClipOf = (interactionId: string, customIds: readonly string[]): boolean =>
	customIds.includes(customId('delete', interactionId));

/** Under a failed or cancelled job. */
export const retryButtons = (interactionId: string, texts: Texts) =>
	row(button('retry', interactionId, ButtonStyle.Secondary, texts));

/** A modal with the text inputs `prompt` and `camera` (the camera language of `/video`). */
function promptModal(
	customIdOf: string,
	title: string,
	prompt: string,
	camera: string,
	texts: Texts,
): APIModalInteractionResponseCallbackData {
	return {
		custom_id: customIdOf,
		title,
		components: [
			{
				type: ComponentType.ActionRow,
				components: [
					{
						type: ComponentType.TextInput,
						custom_id: 'prompt',
						label: texts.modalPromptLabel,
						style: TextInputStyle.Paragraph,
						required: true,
						max_length: 1900,
						...(prompt === '' ? {} : { value: prompt.slice(0, 1900) }),
					},
				],
			},
			{
				type: ComponentType.ActionRow,
				components: [
					{
						type: ComponentType.TextInput,
						custom_id: 'camera',
						label: texts.modalCameraLabel,
						style: TextInputStyle.Short,
						required: false,
						max_length: 100,
						...(camera === '' ? {} : { value: camera }),
						// Camera moves are typed by their documented (English) names in every language.
						placeholder: 'Truck left, Pan right, Zoom in',
					},
				],
			},
		],
	};
}

/** The Remix and Extend modal: prompt and camera, pre-filled from the clip. */
export const editModal = (
	action: 'remix' | 'extend',
	interactionId: string,
	prompt: string,
	camera: string,
	texts: Texts,
): APIModalInteractionResponseCallbackData =>
	promptModal(customId(action, interactionId), texts.modalTitle(action), prompt, camera, texts);

const ANIMATE = 'animate';

/** Animate's modal carries only the message whose image it animates (in the channel it is submitted in). */
export const animateModalId = (messageId: string): string => `${PREFIX}:${ANIMATE}:${messageId}`;

/** The message id of an Animate modal's custom id, or undefined for any other. */
export function parseAnimateModalId(id: string): string | undefined {
	const parts = id.split(':');
	const [prefix, action, messageId] = parts;
	return parts.length === 3 &&
		prefix === PREFIX &&
		action === ANIMATE &&
		messageId !== undefined &&
		/^\d{1,20}$/.test(messageId)
		? messageId
		: undefined;
}

/** Animate's modal: an empty prompt and camera, like `/video` with the message's image as first frame. */
export const animateModal = (messageId: string, texts: Texts): APIModalInteractionResponseCallbackData =>
	promptModal(animateModalId(messageId), texts.animateModalTitle, '', '', texts);
