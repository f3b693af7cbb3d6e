import type { ProviderName } from './types.js';

/**
 * What every provider and model can do, in one table: the bot refuses a request no model can
 * serve before anything is spent, the worker picks the model from it, and the README prints it
 * (`npm run catalog`). Sources: docs/providers.md and the seed documents.
 */

export interface ModelCapabilities {
	/** The provider's own id for the model (or endpoint). */
	readonly id: string;
	/** Short name users see and may type in the `model` option. */
	readonly label: string;
	readonly firstFrame: 'none' | 'optional' | 'required';
	readonly lastFrame: boolean;
	readonly subject: boolean;
	/** Follows [camera] brackets (the Director models, Hailuo-02 and later, and the preview). */
	readonly camera: boolean;
	/** Seconds; the first is the default. */
	readonly durations: readonly number[];
	/** The first is the default. */
	readonly resolutions: readonly string[];
	/** Combinations the model refuses. */
	readonly excluded?: readonly { readonly duration: number; readonly resolution: string }[];
	/** The provider's default for the prompt optimizer; null when the model has no such switch. */
	readonly promptOptimizer: boolean | null;
	/** Input image types the model takes, when narrower than PNG, JPEG and WebP. */
	readonly imageTypes?: readonly string[];
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

const legacy = { durations: [6], resolutions: ['720P'], lastFrame: false } as const;

export const CATALOG: Readonly<Record<ProviderName, ProviderCapabilities>> = {
	minimax: {
		name: 'minimax',
		label: 'MiniMax',
		keyEnv: 'MINIMAX_API_KEY',
		baseUrlEnv: 'MINIMAX_BASE_URL',
		defaultBaseUrl: 'https://api.minimax.io',
		models: [
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
				id: 'T2V-01-Director',
				label: 'T2V-01-Director',
				firstFrame: 'none',
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
				id: 'I2V-01-Director',
				label: 'I2V-01-Director',
				firstFrame: 'required',
				subject: false,
				camera: true,
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
				id: 'MiniMax-Hailuo-02',
				label: 'Hailuo-02',
				firstFrame: 'optional',
				lastFrame: true,
				subject: false,
				camera: true,
				durations: [6, 10],
				resolutions: ['768P', '512P', '1080P'],
				excluded: [{ duration: 10, resolution: '1080P' }],
				promptOptimizer: true,
			},
			{
				id: 'MiniMax-Hailuo-2.3',
				label: 'Hailuo-2.3',
				firstFrame: 'optional',
				lastFrame: false,
				subject: false,
				camera: true,
				durations: [6, 10],
				resolutions: ['768P', '1080P'],
				excluded: [{ duration: 10, resolution: '1080P' }],
				promptOptimizer: true,
			},
			{
				id: 'MiniMax-Hailuo-2.3-Fast',
				label: 'Hailuo-2.3-Fast',
				firstFrame: 'optional',
				lastFrame: false,
				subject: false,
				camera: true,
				durations: [6, 10],
				resolutions: ['768P', '1080P'],
				excluded: [{ duration: 10, resolution: '1080P' }],
				promptOptimizer: true,
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
				durations: [6],
				resolutions: ['360P'],
				promptOptimizer: null,
			},
		],
	},
};
