import { ComponentType } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoJobs } from '../../src/jobs/index.js';
import { textsFor } from '../../src/texts/index.js';
import { deploymentEnv, nextUser, startDeployment, type Deployment, closeAll } from '../helpers/deployment.js';
import { runScript } from '../helpers/processes.js';
import { usedUnits } from '../helpers/quota.js';
import { pick, seeded, type Random } from '../helpers/random.js';
import { uniquePrefix } from '../helpers/redis.js';
import { startDiscordStandIn, type DiscordStandIn, type InteractionHandle } from '../standins/discord.js';

/**
 * The words users read, through the real processes: what `npm run deploy` registers and what
 * `/help` says follow the configured models; crafted and stale interactions are answered "not
 * understood", spend nothing and leave a warning without a stack; an unexpected error shows a
 * reference that is the `ref` of its log line.
 */

let discord: DiscordStandIn;
let deployment: Deployment;

const en = textsFor('en');
const fr = textsFor('fr');

type Registered = { name: string; options?: { name: string; choices?: { value: unknown }[] }[] };

const registeredVideo = (): Registered | undefined =>
	(discord.commands.guild.get(discord.guildId) as Registered[] | undefined)?.find(
		(command) => command.name === 'video',
	);

/** The private answer to an interaction: its first callback, which must be an ephemeral message. */
async function privateAnswer(handle: InteractionHandle): Promise<string> {
	const callback = await discord.waitFor(
		() => discord.callbacks(handle.id).find((request) => request.status !== undefined && request.status < 300),
		10_000,
		'the answer',
	);
	expect(callback.body).toMatchObject({ type: 4, data: { flags: 64 } });
	return String((callback.body as { data: { content: string } }).data.content);
}

type LogLine = Record<string, unknown>;

const botLines = (): LogLine[] =>
	deployment.bot
		.output()
		.split('\n')
		.filter((line) => line.startsWith('{'))
		.map((line) => JSON.parse(line) as LogLine);

/** The bot's log lines about one interaction, once the one with `msg` is there. */
async function logged(interactionId: string, msg: string): Promise<LogLine[]> {
	return discord.waitFor(
		() => {
			const about = botLines().filter((line) => line['interactionId'] === interactionId);
			return about.some((line) => line['msg'] === msg) ? about : undefined;
		},
		10_000,
		`the log line "${msg}"`,
	);
}

/** Answered "not understood", nothing spent or queued, one warning without a stack, no error line. */
async function expectNotUnderstood(handle: InteractionHandle, userId: string, words = en.unrecognised) {
	expect(await privateAnswer(handle)).toBe(words);
	expect(await usedUnits(deployment.redis, deployment.prefix, userId)).toBe(0);
	expect(await new VideoJobs(deployment.redis, deployment.prefix).state(handle.id)).toBe('unknown');
	const lines = await logged(handle.id, 'request not understood');
	const warning = lines.find((line) => line['msg'] === 'request not understood');
	expect(warning?.['level']).toBe(40);
	expect(warning).not.toHaveProperty('err');
	expect(JSON.stringify(warning)).not.toMatch(/stack|\n\s+at /);
	expect(lines.filter((line) => Number(line['level']) >= 50)).toEqual([]);
}

describe('words users read, through the real processes', () => {
	beforeAll(async () => {
		discord = await startDiscordStandIn();
		deployment = await startDeployment(discord, { VIDEO_PROVIDER: 'preview', NODE_ENV: 'production' });
	}, 60_000);

	afterAll(async () => {
		await closeAll(discord, deployment);
	});

	it('registers only the /video options the configured models serve, with their own choices', async () => {
		const hailuo = await runScript(
			'deploy',
			deploymentEnv(discord, uniquePrefix(), {
				VIDEO_PROVIDER: 'minimax',
				MINIMAX_API_KEY: 'a-key',
				MINIMAX_MODELS: 'MiniMax-Hailuo-2.3',
			}),
		);
		expect(hailuo.code, hailuo.output).toBe(0);
		const options = new Map((registeredVideo()?.options ?? []).map((option) => [option.name, option]));
		expect([...options.keys()]).toEqual([
			'prompt',
			'camera',
			'first_frame',
			'duration',
			'resolution',
			'prompt_optimizer',
		]);
		expect(options.get('duration')?.choices?.map((choice) => choice.value)).toEqual([6, 10]);
		expect(options.get('resolution')?.choices?.map((choice) => choice.value)).toEqual(['768P', '1080P']);

		const preview = await runScript('deploy', deploymentEnv(discord, uniquePrefix(), { VIDEO_PROVIDER: 'preview' }));
		expect(preview.code, preview.output).toBe(0);
		expect((registeredVideo()?.options ?? []).map((option) => option.name)).toEqual([
			'prompt',
			'camera',
			'first_frame',
		]);
		expect(discord.violations).toEqual([]);
	}, 60_000);

	it('names the provider by its label in /help and offers only what it serves, in English and French', async () => {
		const english = await privateAnswer(discord.slashCommand({ name: 'help', userId: nextUser() }));
		expect(english).toContain('Clips are made by Preview (free animatic).');
		expect(english).toContain('**Model:** animatic.');
		for (const absent of ['`last_frame`', '`subject`', '`resolution:`', '`duration:`', '`ratio:`', '1080P'])
			expect(english).not.toContain(absent);
		expect(english).toContain('`first_frame`');
		const french = await privateAnswer(discord.slashCommand({ name: 'help', userId: nextUser(), locale: 'fr' }));
		expect(french).toContain('Les clips sont réalisés par Preview (free animatic).');
		expect(french).not.toContain('`last_frame`');
	});

	it('answers an unknown command as not understood', async () => {
		const userId = nextUser();
		await expectNotUnderstood(discord.slashCommand({ name: 'nuke', userId }), userId);
	});

	it.each([
		['a prompt that is a number', [{ name: 'prompt', type: 4, value: 5 }]],
		['a string option carrying a number', [{ name: 'prompt', type: 3, value: 42 }]],
		[
			'a duration that is text',
			[
				{ name: 'prompt', type: 3, value: 'a kite' },
				{ name: 'duration', type: 3, value: 'ten' },
			],
		],
		[
			'an option never registered',
			[
				{ name: 'prompt', type: 3, value: 'a kite' },
				{ name: 'seed', type: 4, value: 7 },
			],
		],
		['no prompt at all', [{ name: 'camera', type: 3, value: 'Pan left' }]],
		[
			'a ratio outside its choices',
			[
				{ name: 'prompt', type: 3, value: 'a kite' },
				{ name: 'ratio', type: 3, value: '7:5' },
			],
		],
	])('answers /video with %s as not understood', async (_name, options) => {
		const userId = nextUser();
		await expectNotUnderstood(discord.slashCommand({ name: 'video', options, userId }), userId);
	});

	it('answers a stale select, an unknown modal and an unknown message command as not understood', async () => {
		const message = discord.memberMessage({ userId: nextUser(), content: 'an old message' });
		const selector = nextUser();
		await expectNotUnderstood(
			discord.component({
				customId: 'clap:pick-model',
				messageId: message.id,
				componentType: ComponentType.StringSelect,
				values: ['H3'],
				userId: selector,
			}),
			selector,
		);
		const submitter = nextUser();
		await expectNotUnderstood(
			discord.modalSubmit({
				customId: 'clap:nuke:812345678901234567',
				fields: { prompt: 'a kite' },
				userId: submitter,
			}),
			submitter,
		);
		const commander = nextUser();
		await expectNotUnderstood(
			discord.messageCommand({ name: 'Explode', messageId: message.id, userId: commander, locale: 'fr' }),
			commander,
			fr.unrecognised,
		);
	});

	const SEED = 0x7a3e;
	const TAMPERED = 12;
	it(`answers ${TAMPERED} seeded random tampered button ids as not understood (seed ${SEED})`, async () => {
		const random = seeded(SEED);
		const message = discord.memberMessage({ userId: nextUser(), content: 'a message with buttons once' });
		const ids = Array.from({ length: TAMPERED }, () => tampered(random));
		for (const customId of ids) {
			const userId = nextUser();
			await expectNotUnderstood(discord.component({ customId, messageId: message.id, userId }), userId);
		}
	}, 60_000);

	it('shows an unexpected error’s reference, the ref of its error log line', async () => {
		// Discord fails the answer to /quota with a 500, four times: discord.js tries once and retries
		// three times, then the bot's own answer of the failure goes through.
		discord.failNext({ method: 'POST', path: /\/interactions\/\d+\/[^/]+\/callback$/ }, { status: 500 }, 4);
		const handle = discord.slashCommand({ name: 'quota', userId: nextUser() });
		const answer = await privateAnswer(handle);
		const ref = /`([0-9a-f]{8})`/.exec(answer)?.[1];
		expect(ref, answer).toBeDefined();
		expect(answer).toBe(en.unexpected(ref));
		const lines = await logged(handle.id, 'interaction failed');
		const failure = lines.find((line) => line['msg'] === 'interaction failed');
		expect(failure).toMatchObject({ level: 50, ref, command: 'quota' });
		expect(discord.callbacks(handle.id)).toHaveLength(5);
	});
});

/** A button id no version of the bot wrote: a near miss of `clap:<action>:<id>`, or junk (≤ 100 characters). */
function tampered(random: Random): string {
	const digits = String(Math.floor(random() * 1e15));
	const junk = Array.from({ length: 1 + Math.floor(random() * 30) }, () =>
		pick(random, [...'abcXYZ019_-. /%é中🎥', '\u202e']),
	).join('');
	return pick(random, [
		`clap:retry:${digits}:${junk}`,
		`clap:nuke:${digits}`,
		`clap:retry:${junk}x`,
		`clap:${junk}`,
		`Clap:retry:${digits}`,
		`clap:retry:${'9'.repeat(21)}`,
		junk,
		`clap:animate:${digits}`,
	]).slice(0, 100);
}
