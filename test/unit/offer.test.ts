import { ApplicationCommandOptionType, type APIApplicationCommandOption } from 'discord.js';
import { describe, expect, it } from 'vitest';
import video from '../../commands/video.js';
import { loadConfig } from '../../src/config.js';
import { CATALOG, type ModelCapabilities } from '../../src/providers/catalog.js';
import { offerOf } from '../../src/providers/offer.js';
import { PROVIDER_NAMES, type ModelLists, type ProviderName } from '../../src/providers/types.js';
import { LANGUAGES, textsFor } from '../../src/texts/index.js';
import { pick, seeded } from '../helpers/random.js';

/**
 * `/help` and the `/video` options `npm run deploy` registers follow what one deployment's models
 * serve. Each expectation is worked out here from the catalog's models directly, not from the
 * code under test: an option is offered exactly when some offered model takes it.
 */

interface Configuration {
	readonly provider: ProviderName;
	readonly lists?: ModelLists;
}

const ids = (provider: ProviderName) => CATALOG[provider].models.map((model) => model.id);

/** Hand-picked: each provider whole, and allow-lists that drop an option's every model. */
const TABLE: readonly Configuration[] = [
	...PROVIDER_NAMES.map((provider) => ({ provider })),
	{ provider: 'minimax', lists: { minimax: ['MiniMax-Hailuo-2.3'] } },
	{ provider: 'minimax', lists: { minimax: ['MiniMax-H3'] } },
	{ provider: 'minimax', lists: { minimax: ['MiniMax-H3', 'MiniMax-Hailuo-2.3'] } },
	{ provider: 'minimax', lists: { minimax: ['MiniMax-Hailuo-02', 'S2V-01'] } },
	{ provider: 'minimax', lists: { minimax: ['T2V-01-Director', 'I2V-01-Director'] } },
	{ provider: 'atlascloud', lists: { atlascloud: [ids('atlascloud')[0] ?? ''] } },
];

/** Every offered model of a configuration, straight from the catalog and the allow-list. */
function modelsOf({ provider, lists }: Configuration): ModelCapabilities[] {
	const list = lists?.[provider];
	const all = CATALOG[provider].models;
	return list === undefined ? [...all] : list.flatMap((id) => all.filter((model) => model.id === id));
}

/** Every whole number of seconds some model makes. */
function lengthsOf(models: readonly ModelCapabilities[]): number[] {
	const all = new Set<number>();
	for (const { durations } of models) {
		if (durations.kind === 'choices') for (const seconds of durations.seconds) all.add(seconds);
		else for (let seconds = durations.min; seconds <= durations.max; seconds++) all.add(seconds);
	}
	return [...all].sort((a, b) => a - b);
}

/** The lengths a registered `duration` option lets a member pick. */
function registeredLengths(option: APIApplicationCommandOption): number[] {
	if (option.type !== ApplicationCommandOptionType.Integer) throw new TypeError('duration is not an integer');
	if (option.choices !== undefined && option.choices.length > 0)
		return option.choices.map((c) => c.value).sort((a, b) => a - b);
	const min = option.min_value ?? 0;
	const max = option.max_value ?? 0;
	return Array.from({ length: max - min + 1 }, (_, index) => min + index);
}

const choiceValues = (option: APIApplicationCommandOption | undefined): string[] =>
	option !== undefined && option.type === ApplicationCommandOptionType.String && option.choices !== undefined
		? option.choices.map((choice) => choice.value)
		: [];

const label = (configuration: Configuration) =>
	`${configuration.provider}${configuration.lists === undefined ? '' : ` ${JSON.stringify(configuration.lists)}`}`;

/** Checks one configuration's registered `/video` and its `/help` in every language. */
function check(configuration: Configuration): void {
	const models = modelsOf(configuration);
	const offer = offerOf(configuration.provider, configuration.lists);
	const data = forConfig(configuration);
	const options = new Map((data.options ?? []).map((option) => [option.name, option]));
	const where = label(configuration);

	const some = (test: (model: ModelCapabilities) => boolean) => models.some(test);
	const lengths = lengthsOf(models);
	// Lengths a model makes between the least and the most that no fixed choice covers count as a span.
	const spans = models.some((model) => model.durations.kind === 'range');
	const resolutions = [...new Set(models.flatMap((model) => model.resolutions))];
	const ratios = [...new Set(models.flatMap((model) => model.ratios ?? []))];
	const expected = {
		prompt: true,
		camera: some((model) => model.camera),
		first_frame: some((model) => model.firstFrame !== 'none'),
		last_frame: some((model) => model.lastFrame),
		subject: some((model) => model.subject),
		model: models.length > 1,
		duration: lengths.length > 1,
		resolution: resolutions.length > 1,
		ratio: ratios.length > 0,
		prompt_optimizer: some((model) => model.promptOptimizer !== null),
	};
	expect(Object.fromEntries([...Object.keys(expected)].map((name) => [name, options.has(name)])), where).toEqual(
		expected,
	);
	if (expected.resolution) expect(choiceValues(options.get('resolution')).sort(), where).toEqual(resolutions.sort());
	if (expected.ratio) expect(choiceValues(options.get('ratio')).sort(), where).toEqual(ratios.sort());
	const duration = options.get('duration');
	if (duration !== undefined) {
		const registered = registeredLengths(duration);
		if (spans) {
			expect(registered[0], where).toBe(lengths[0]);
			expect(registered.at(-1), where).toBe(lengths.at(-1));
		} else expect(registered, where).toEqual(lengths);
	}

	for (const language of LANGUAGES) {
		const help = textsFor(language).help({ quota: 3, offer });
		const at = `${where} (${language})`;
		expect(help, at).toContain(CATALOG[configuration.provider].label);
		if (CATALOG[configuration.provider].label !== configuration.provider)
			expect(help, at).not.toMatch(new RegExp(`(by|par) ${configuration.provider}\\.`));
		expect(help.includes('`first_frame`'), at).toBe(expected.first_frame);
		expect(help.includes('`last_frame`'), at).toBe(expected.last_frame);
		expect(help.includes('`subject`'), at).toBe(expected.subject);
		expect(help.includes('`duration:`'), at).toBe(expected.duration);
		expect(help.includes('`resolution:`'), at).toBe(expected.resolution);
		expect(help.includes('`ratio:`'), at).toBe(expected.ratio);
		expect(help.includes('**Camera moves**') || help.includes('**Mouvements de caméra**'), at).toBe(expected.camera);
		for (const resolution of ['360P', '480P', '512P', '720P', '768P', '1080P', '2K'])
			expect(help.includes(resolution), `${at} ${resolution}`).toBe(
				expected.resolution && resolutions.includes(resolution),
			);
		// The models line lists exactly the offered models, in order.
		const line = help.split('\n').find((row) => /^\*\*(Models?|Modèles?) ?:\*\*/.test(row)) ?? '';
		const listed = /^\*\*[^*]+\*\* (.*?)\.(?: |$)/.exec(line)?.[1];
		expect(listed, at).toBe(models.map((model) => model.label).join(', '));
		expect(help.length, at).toBeLessThan(2000);
	}
}

/** `/video` as `npm run deploy` registers it for this configuration, through the real config loader. */
function forConfig({ provider, lists }: Configuration) {
	const env: NodeJS.ProcessEnv = { DISCORD_TOKEN: 'discord-secret-token', VIDEO_PROVIDER: provider };
	const keyEnv = CATALOG[provider].keyEnv;
	if (keyEnv !== null) env[keyEnv] = 'a-key';
	const list = lists?.[provider];
	if (list !== undefined) env[`${provider.toUpperCase()}_MODELS`] = list.join(',');
	const config = loadConfig(env, 'all');
	if (video.dataFor === undefined) throw new TypeError('/video registers the same options everywhere');
	return video.dataFor(config);
}

describe('what /help and the registered /video offer follow the configured models', () => {
	it.each(TABLE.map((configuration) => [label(configuration), configuration] as const))(
		'%s',
		(_name, configuration) => {
			check(configuration);
		},
	);

	const SEED = 0x5eed_0ff3;
	const RUNS = 300;
	it(`holds for ${RUNS} random allow-lists (seed ${SEED})`, () => {
		const random = seeded(SEED);
		const remote = PROVIDER_NAMES.filter((provider) => CATALOG[provider].keyEnv !== null);
		for (let run = 0; run < RUNS; run++) {
			const provider = pick(random, remote);
			const shuffled = ids(provider).sort(() => random() - 0.5);
			const list = shuffled.slice(0, 1 + Math.floor(random() * shuffled.length));
			check({ provider, lists: { [provider]: list } });
		}
	});

	it('names the provider by its label, never by its configuration id', () => {
		const help = textsFor('en').help({ quota: 1, offer: offerOf('preview') });
		expect(help).toContain('Clips are made by Preview (free animatic).');
		expect(help).not.toContain('made by preview.');
		expect(textsFor('fr').help({ quota: 1, offer: offerOf('fal') })).toContain('réalisés par fal.');
	});
});
