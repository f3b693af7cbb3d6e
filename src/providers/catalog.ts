import { RATIOS, type Ratio } from '../video/request.js';
import type { ProviderName } from './types.js';

export { RATIOS, type Ratio } from '../video/request.js';

/**
 * What every provider and model can do, in one table: the bot refuses a request no model can
 * serve before anything is spent, the worker picks the model from it, and the README prints it
 * (`npm run catalog`). Sources: docs/providers.md, MiniMax's model list and the seed documents.
 */

/** The lengths a model makes: a few fixed choices, or any whole number of seconds in a range. */
export type Durations =
	| { readonly kind: 'choices'; readonly seconds: readonly number[] }
	| { readonly kind: 'range'; readonly min: number; readonly max: number; readonly default: number };

/** Fixed lengths in seconds; the first is the default. */
export const choices = (...seconds: number[]): Durations => ({ kind: 'choices', seconds });

/** Any whole number of seconds from `min` to `max`. */
export const range = (min: number, max: number, fallback: number): Durations => ({
	kind: 'range',
	min,
	max,
	default: fallback,
});

export interface ModelCapabilities {
	/** The provider's own id for the model (or endpoint). */
	readonly id: string;
	/** Short name users see and may type in the `model` option. */
	readonly label: string;
	readonly firstFrame: 'none' | 'optional' | 'required';
	readonly lastFrame: boolean;
	readonly subject: boolean;
	/**
	 * A subject image may come with a first or last frame. MiniMax's v2 API never mixes frames and
	 * references in one request; unset means it may.
	 */
	readonly subjectWithFrames?: boolean;
	/** Follows camera direction (the Director models, Hailuo-02 and later, H3, and the preview). */
	readonly camera: boolean;
	/**
	 * How camera moves reach the model: the documented `[Pan left]` brackets (unset), or plain-English
	 * sentences in their place (H3 reads direction as prose).
	 */
	readonly cameraStyle?: 'prose';
	readonly durations: Durations;
	/** The first is the default. */
	readonly resolutions: readonly string[];
	/** Combinations the model refuses. */
	readonly excluded?: readonly { readonly duration: number; readonly resolution: string }[];
	/**
	 * Shapes the model takes for text-to-video and references (a frame sets its own shape); unset
	 * when the model has no such choice.
	 */
	readonly ratios?: readonly Ratio[];
	/** The provider's default for the prompt optimizer; null when the model has no such switch. */
	readonly promptOptimizer: boolean | null;
	/** Input image types the model takes, when narrower than PNG, JPEG and WebP. */
	readonly imageTypes?: readonly string[];
	/** Which of the provider's APIs serves it, when it has more than one (MiniMax: v1 or v2). */
	readonly api?: 'v2';
	/**
	 * Billed per second of video: the list price in US dollars per second, by resolution. The
	 * provider reports seconds × price as the clip's cost (`PRICE_PER_SECOND_<PROVIDER>_<MODEL>`
	 * overrides it).
	 */
	readonly pricePerSecond?: Readonly<Record<string, number>>;
}

export interface ProviderCapabilities {
	readonly name: ProviderName;
	readonly label: string;
	/** Environment variable of the key; null for a provider that needs none. */
	readonly keyEnv: string | null;
	readonly baseUrlEnv: string | null;
	readonly defaultBaseUrl: string | null;
	/** In order of preference when a request does not name a model. */
	readonly models: readonly ModelCapabilities[];
}

/** The length a model makes when none is asked for. */
export const defaultDuration = (model: ModelCapabilities): number =>
	model.durations.kind === 'range' ? model.durations.default : (model.durations.seconds[0] ?? 6);

/** Whether a model makes clips of this many seconds. */
export function allowsDuration(model: ModelCapabilities, seconds: number): boolean {
	const { durations } = model;
	return durations.kind === 'range'
		? Number.isInteger(seconds) && seconds >= durations.min && seconds <= durations.max
		: durations.seconds.includes(seconds);
}

/** `6, 10` or `4–15`, for tables and logs. */
export const durationsText = (model: ModelCapabilities, separator = ', '): string =>
	model.durations.kind === 'range'
		? `${model.durations.min}–${model.durations.max}`
		: model.durations.seconds.join(separator);

const legacy = { durations: choices(6), resolutions: ['720P'], lastFrame: false } as const;

/**
 * MiniMax-H3 and H3-Max, on MiniMax's v2 API. Sources: MiniMax's model list
 * (platform.minimax.io/docs/faq/models: H3 "768P / 2K … 4 to 15 seconds", H3-Max "480P / 768P,
 * 5 to 15 seconds", no references for H3-Max); the v2 create schema (ratio: adaptive, 21:9, 16:9,
 * 4:3, 1:1, 3:4, 9:16; frames and references never mixed).
 */
const v2 = {
	api: 'v2',
	firstFrame: 'optional',
	lastFrame: true,
	camera: true,
	cameraStyle: 'prose',
	ratios: RATIOS,
	promptOptimizer: null,
	subjectWithFrames: false,
} as const;

export const CATALOG: Readonly<Record<ProviderName, ProviderCapabilities>> = {
	minimax: {
		name: 'minimax',
		label: 'MiniMax',
		keyEnv: 'MINIMAX_API_KEY',
		baseUrlEnv: 'MINIMAX_BASE_URL',
		defaultBaseUrl: 'https://api.minimax.io',
		// Today's models first: MiniMax's v1 guide lists only Hailuo-2.3, 2.3-Fast and 02, so the 01
		// family comes last and is picked only by name (S2V-01 still takes subject images, as
		// MiniMax's own CLI routes them).
		models: [
			{
				id: 'MiniMax-Hailuo-2.3',
				label: 'Hailuo-2.3',
				firstFrame: 'optional',
				lastFrame: false,
				subject: false,
				camera: true,
				durations: choices(6, 10),
				resolutions: ['768P', '1080P'],
				excluded: [{ duration: 10, resolution: '1080P' }],
				promptOptimizer: true,
			},
			// Image-to-video only: MiniMax's CLI refuses text-to-video with it.
			{
				id: 'MiniMax-Hailuo-2.3-Fast',
				label: 'Hailuo-2.3-Fast',
				firstFrame: 'required',
				lastFrame: false,
				subject: false,
				camera: true,
				durations: choices(6, 10),
				resolutions: ['768P', '1080P'],
				excluded: [{ duration: 10, resolution: '1080P' }],
				promptOptimizer: true,
			},
			{
				id: 'MiniMax-Hailuo-02',
				label: 'Hailuo-02',
				firstFrame: 'optional',
				lastFrame: true,
				subject: false,
				camera: true,
				durations: choices(6, 10),
				resolutions: ['768P', '512P', '1080P'],
				excluded: [{ duration: 10, resolution: '1080P' }],
				promptOptimizer: true,
			},
			{
				id: 'S2V-01',
				label: 'S2V-01',
				firstFrame: 'none',
				subject: true,
				camera: false,
				promptOptimizer: true,
				...legacy,
			},
			{
				id: 'MiniMax-H3',
				label: 'H3',
				subject: true,
				durations: range(4, 15, 6),
				resolutions: ['768P', '2K'],
				// List prices on MiniMax's pay-as-you-go page as quoted on 2026-10-24 (second-hand, via
				// docs.laozhang.ai; Vercel's gateway also shows $0.08/s). Re-check before relying on them.
				pricePerSecond: { '768P': 0.08, '2K': 0.13 },
				...v2,
			},
			{
				id: 'MiniMax-H3-Max',
				label: 'H3-Max',
				subject: false,
				durations: range(5, 15, 6),
				resolutions: ['768P', '480P'],
				// MiniMax's own H3-Max price was not found; these are fal's H3-Max figures. Re-check.
				pricePerSecond: { '480P': 0.05, '768P': 0.08 },
				...v2,
			},
			{
				id: 'T2V-01-Director',
				label: 'T2V-01-Director',
				firstFrame: 'none',
				subject: false,
				camera: true,
				promptOptimizer: true,
				...legacy,
			},
			{
				id: 'T2V-01',
				label: 'T2V-01',
				firstFrame: 'none',
				subject: false,
				camera: false,
				promptOptimizer: true,
				...legacy,
			},
			{
				id: 'I2V-01-Director',
				label: 'I2V-01-Director',
				firstFrame: 'required',
				subject: false,
				camera: true,
				promptOptimizer: true,
				...legacy,
			},
			{
				id: 'I2V-01',
				label: 'I2V-01',
				firstFrame: 'required',
				subject: false,
				camera: false,
				promptOptimizer: true,
				...legacy,
			},
			{
				id: 'I2V-01-live',
				label: 'I2V-01-live',
				firstFrame: 'required',
				subject: false,
				camera: false,
				promptOptimizer: true,
				...legacy,
			},
		],
	},
	segmind: {
		name: 'segmind',
		label: 'Segmind',
		keyEnv: 'SEGMIND_API_KEY',
		baseUrlEnv: 'SEGMIND_BASE_URL',
		defaultBaseUrl: 'https://api.segmind.com',
		models: [
			{
				id: 'minimax-ai',
				label: 'video-01',
				firstFrame: 'optional',
				subject: true,
				camera: false,
				promptOptimizer: true,
				...legacy,
			},
			{
				id: 'minimax-ai-director',
				label: 'video-01-director',
				firstFrame: 'required',
				subject: false,
				camera: true,
				promptOptimizer: true,
				...legacy,
			},
		],
	},
	runware: {
		name: 'runware',
		label: 'Runware',
		keyEnv: 'RUNWARE_API_KEY',
		baseUrlEnv: 'RUNWARE_BASE_URL',
		defaultBaseUrl: 'https://api.runware.ai',
		models: [
			{
				id: 'minimax:1@1',
				label: 'video-01',
				firstFrame: 'optional',
				subject: true,
				camera: false,
				promptOptimizer: false,
				...legacy,
			},
			{
				id: 'minimax:2@1',
				label: 'video-01-director',
				firstFrame: 'optional',
				subject: false,
				camera: true,
				promptOptimizer: false,
				...legacy,
			},
		],
	},
	atlascloud: {
		name: 'atlascloud',
		label: 'AtlasCloud',
		keyEnv: 'ATLASCLOUD_API_KEY',
		baseUrlEnv: 'ATLASCLOUD_BASE_URL',
		defaultBaseUrl: 'https://api.atlascloud.ai',
		models: [
			// AtlasCloud documents bracket camera control for its video-01 ("mirror operation" instructions).
			{
				id: 'minimax/video-01',
				label: 'video-01',
				firstFrame: 'optional',
				subject: false,
				camera: true,
				promptOptimizer: false,
				imageTypes: ['image/png', 'image/jpeg'],
				...legacy,
			},
		],
	},
	replicate: {
		name: 'replicate',
		label: 'Replicate',
		keyEnv: 'REPLICATE_API_TOKEN',
		baseUrlEnv: 'REPLICATE_BASE_URL',
		defaultBaseUrl: 'https://api.replicate.com',
		models: [
			{
				id: 'minimax/video-01',
				label: 'video-01',
				firstFrame: 'optional',
				subject: true,
				camera: false,
				promptOptimizer: true,
				...legacy,
			},
			{
				id: 'minimax/video-01-director',
				label: 'video-01-director',
				firstFrame: 'optional',
				subject: false,
				camera: true,
				promptOptimizer: true,
				...legacy,
			},
		],
	},
	fal: {
		name: 'fal',
		label: 'fal',
		keyEnv: 'FAL_KEY',
		baseUrlEnv: 'FAL_BASE_URL',
		defaultBaseUrl: 'https://queue.fal.run',
		models: [
			{
				id: 'fal-ai/minimax/video-01',
				label: 'video-01',
				firstFrame: 'none',
				subject: false,
				camera: false,
				promptOptimizer: true,
				...legacy,
			},
			{
				id: 'fal-ai/minimax/video-01-director',
				label: 'video-01-director',
				firstFrame: 'none',
				subject: false,
				camera: true,
				promptOptimizer: true,
				...legacy,
			},
			{
				id: 'fal-ai/minimax/video-01/image-to-video',
				label: 'video-01 image-to-video',
				firstFrame: 'required',
				subject: false,
				camera: false,
				promptOptimizer: true,
				...legacy,
			},
			{
				id: 'fal-ai/minimax/video-01-director/image-to-video',
				label: 'video-01-director image-to-video',
				firstFrame: 'required',
				subject: false,
				camera: true,
				promptOptimizer: true,
				...legacy,
			},
			{
				id: 'fal-ai/minimax/video-01-subject-reference',
				label: 'video-01 subject reference',
				firstFrame: 'none',
				subject: true,
				camera: false,
				promptOptimizer: true,
				...legacy,
			},
		],
	},
	preview: {
		name: 'preview',
		label: 'Preview (free animatic)',
		keyEnv: null,
		baseUrlEnv: null,
		defaultBaseUrl: null,
		models: [
			{
				id: 'animatic',
				label: 'animatic',
				firstFrame: 'optional',
				lastFrame: false,
				subject: false,
				camera: true,
				durations: choices(6),
				resolutions: ['360P'],
				promptOptimizer: null,
			},
		],
	},
};
