import { z } from 'zod';
import { InvalidRequestError, type RequestProblem } from '../errors.js';
import {
	checkBrackets,
	formatBracket,
	MAX_MOVES_PER_BRACKET,
	normalisePrompt,
	parseCamera,
	type BracketProblem,
	type CameraError,
	type CameraMove,
} from './camera.js';
import { cleanText } from './clean.js';

export const MAX_PROMPT_LENGTH = 2000;

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;

/** The lengths `/video duration` admits, in seconds; each model makes some of them (see the catalog). */
export const MIN_DURATION = 4;
export const MAX_DURATION = 15;

/** The clip shapes `/video ratio` offers (MiniMax's v2 ratios, without `adaptive`). */
export const RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'] as const;
export type Ratio = (typeof RATIOS)[number];

/** An image the bot copied when the command arrived (Discord's attachment links expire). */
export const imageRefSchema = z.object({
	key: z.string().min(1),
	contentType: z.enum(IMAGE_TYPES),
	bytes: z.number().int().positive(),
	filename: z.string(),
});
export type ImageRef = z.infer<typeof imageRefSchema>;

/**
 * A clip whose last frame is the first frame of this one (Extend). The worker reads the frame
 * when the job starts: the bot never downloads a clip or runs ffmpeg.
 */
export const clipFrameSchema = z.object({
	interactionId: z.string(),
	channelId: z.string(),
	messageId: z.string(),
});
export type ClipFrame = z.infer<typeof clipFrameSchema>;

/** The type of the frame the worker takes from a clip. */
export const CLIP_FRAME_TYPE = 'image/png';

export const videoRequestSchema = z.object({
	/** Exactly what is sent to the provider, camera bracket included. */
	prompt: z.string().min(1).max(MAX_PROMPT_LENGTH),
	camera: z.array(z.string()).max(MAX_MOVES_PER_BRACKET),
	/** True when the prompt directs the camera, from the option or from brackets the user wrote. */
	directed: z.boolean(),
	promptOptimizer: z.boolean().optional(),
	/** A model the user named (label or id); the planner holds every provider to it. */
	model: z.string().max(100).optional(),
	/** Seconds and resolution, only when the user asked for them (models have defaults). */
	duration: z.number().int().positive().optional(),
	resolution: z.string().optional(),
	/** The clip's shape, only when the user asked for one. */
	ratio: z.enum(RATIOS).optional(),
	firstFrame: imageRefSchema.optional(),
	/** Extend: the first frame is still to be taken from this clip (then `firstFrame` is set). */
	extendsFrom: clipFrameSchema.optional(),
	lastFrame: imageRefSchema.optional(),
	subject: imageRefSchema.optional(),
});
export type VideoRequest = z.infer<typeof videoRequestSchema>;

/**
 * The prompt as it is sent and shown: no invisible, direction-changing or control characters
 * (MiniMax refuses prompts with many of them, code 1042, and they are never what the user meant),
 * line breaks kept, spaces tidied (see `cleanText`).
 */
export function cleanPrompt(raw: string): string {
	return cleanText(raw, { lines: true });
}

export interface PromptInput {
	readonly prompt: string;
	readonly camera?: string | undefined;
}

/**
 * The problem to report for a refused camera list. `bracket` is the prompt bracket it came from
 * (absent for the `camera` option).
 */
function cameraProblem(error: CameraError, bracket?: string): RequestProblem {
	const where = bracket === undefined ? {} : { bracket };
	switch (error.reason) {
		case 'unknown':
			return {
				kind: 'camera-unknown',
				item: error.item,
				...(error.suggestion === undefined ? {} : { suggestion: error.suggestion }),
				...where,
			};
		case 'duplicate':
			return { kind: 'camera-duplicate', item: error.item, ...where };
		case 'contradiction':
			return { kind: 'camera-contradiction', a: error.a, b: error.b, ...where };
		case 'too-many':
			return { kind: 'camera-too-many', count: error.count, max: MAX_MOVES_PER_BRACKET, ...where };
	}
}

/** The problem to report for brackets that do not pair up; the position counts characters from 1. */
function bracketProblem(problem: BracketProblem, text: string): RequestProblem {
	const slip = { position: [...text.slice(0, problem.index)].length + 1, excerpt: problem.excerpt, fix: problem.fix };
	switch (problem.reason) {
		case 'unclosed':
			return { kind: 'bracket-unclosed', ...slip };
		case 'stray':
			return { kind: 'bracket-stray', ...slip };
		case 'nested':
			return { kind: 'bracket-nested', ...slip };
	}
}

/**
 * Turns the `prompt` and `camera` options into the prompt sent to the provider: the camera option
 * becomes one bracket at the start, so it opens the clip, and camera brackets in the prompt are
 * rewritten in the documented spelling ("[dolly in]" → "[Push in]"), so the prompt the user sees
 * is exactly the one sent. Brackets that are not camera moves ("[red]") stay as written. Brackets
 * must pair up and not nest (`checkBrackets`; a last bracket of moves left open is closed). Throws
 * `InvalidRequestError`.
 */
export function composePrompt(input: PromptInput): { prompt: string; camera: CameraMove[]; directed: boolean } {
	const text = cleanPrompt(input.prompt);
	if (text === '') throw new InvalidRequestError({ kind: 'prompt-empty' });

	let camera: CameraMove[] = [];
	const cameraText = cleanText(input.camera ?? '');
	if (cameraText !== '') {
		const parsed = parseCamera(cameraText);
		if (!parsed.ok) throw new InvalidRequestError(cameraProblem(parsed));
		camera = [...parsed.moves];
	}

	const brackets = checkBrackets(text);
	if (!brackets.ok) throw new InvalidRequestError(bracketProblem(brackets, text));

	const normalised = normalisePrompt(brackets.text);
	if (!normalised.ok) throw new InvalidRequestError(cameraProblem(normalised, normalised.bracket));

	const prompt = camera.length > 0 ? `${formatBracket(camera)} ${normalised.prompt}` : normalised.prompt;
	if (prompt.length > MAX_PROMPT_LENGTH) {
		throw new InvalidRequestError({ kind: 'prompt-too-long', length: prompt.length, max: MAX_PROMPT_LENGTH });
	}
	return { prompt, camera, directed: camera.length > 0 || normalised.shots.length > 0 };
}
