import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoJobs } from '../../src/jobs/index.js';
import { startDiscordStandIn, type DiscordStandIn, type StandInGuild } from '../standins/discord.js';
import { DEFAULT_MEMBER_PERMISSIONS } from '../standins/discord-payloads.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';
import { ADMINISTRATOR, MANAGER, answerOf, isQueued, type Answer } from '../helpers/answers.js';
import {
	clipOf,
	nextUser,
	startDeployment,
	untilStage,
	withLogs,
	type Deployment,
	closeAll,
} from '../helpers/deployment.js';
import { spendUnits, usedUnits } from '../helpers/quota.js';

/**
 * The server's own controls, through the real bot and worker processes and the Discord stand-in:
 * /admin from members with and without Manage Server, role tiers, budgets per server in clips and
 * dollars, the kill switch, the channel list, the audit log and /queue; and the 50-at-once race.
 */

let discord: DiscordStandIn;
let minimax: MinimaxStandIn;
let deployment: Deployment;
let tiers: StandInGuild;
let budgetA: StandInGuild;
let budgetB: StandInGuild;
let dollars: StandInGuild;
let kill: StandInGuild;

/** One manager per server, so audit lines name who did what. */
const managers = new Map<string, string>();
const managerOf = (guild: StandInGuild) => managers.get(guild.id) ?? '';

interface Where {
	readonly guild: StandInGuild;
	readonly channel?: string;
	readonly userId?: string;
	readonly roles?: readonly string[];
	readonly permissions?: string;
	readonly locale?: string;
}

const actor = (where: Where) => ({
	channelId: where.guild.channels[where.channel ?? 'general'] ?? '',
	userId: where.userId ?? managerOf(where.guild),
	...(where.roles === undefined ? {} : { roles: [...where.roles] }),
	memberPermissions: where.permissions ?? (where.userId === undefined ? MANAGER : undefined),
	...(where.locale === undefined ? {} : { locale: where.locale }),
});

function admin(sub: string, options: unknown[], where: Where) {
	const { memberPermissions, ...rest } = actor(where);
	return discord.slashCommand({
		name: 'admin',
		options: [{ name: sub, type: 1, options }],
		...rest,
		...(memberPermissions === undefined ? {} : { memberPermissions }),
	});
}

const ask = async (sub: string, options: unknown[], where: Where): Promise<Answer> =>
	answerOf(discord, admin(sub, options, where));

function video(prompt: string, where: Where) {
	const { memberPermissions, ...rest } = actor(where);
	return discord.slashCommand({
		name: 'video',
		options: [{ name: 'prompt', type: 3, value: prompt }],
		...rest,
		...(memberPermissions === undefined ? {} : { memberPermissions }),
	});
}

const command = (name: string, where: Where) => {
	const { memberPermissions, ...rest } = actor(where);
	return answerOf(
		discord,
		discord.slashCommand({ name, ...rest, ...(memberPermissions === undefined ? {} : { memberPermissions }) }),
	);
};

/** The text of an answer's first embed. */
const descriptionOf = (answer: Answer): string => {
	const description = answer.embeds[0]?.['description'];
	return typeof description === 'string' ? description : '';
};

const creates = (prompt: string) => minimax.creates.filter((call) => call.body['prompt'] === prompt).length;

describe('/admin, limits and the queue', () => {
	beforeAll(async () => {
		discord = await startDiscordStandIn({
			guilds: [
				{ name: 'Tiers', channels: ['general', 'clips', 'chat'], roles: ['newcomer', 'patron'] },
				{ name: 'Budget A' },
				{ name: 'Budget B' },
				{ name: 'Dollars' },
				{ name: 'Kill switch' },
			],
		});
		[tiers, budgetA, budgetB, dollars, kill] = discord.guilds as [
			StandInGuild,
			StandInGuild,
			StandInGuild,
			StandInGuild,
			StandInGuild,
		];
		for (const guild of discord.guilds) managers.set(guild.id, nextUser());
		minimax = await startMinimaxStandIn({ generationMs: 400 });
		deployment = await startDeployment(discord, {
			VIDEO_PROVIDER: 'minimax',
			MINIMAX_API_KEY: minimax.apiKey,
			MINIMAX_BASE_URL: minimax.baseUrl,
			USER_DAILY_QUOTA: '3',
			PRICE_MINIMAX: '0.5',
		});
	}, 60_000);

	afterAll(async () => {
		await closeAll(discord, deployment, minimax);
	});

	it('starts exactly 3 of 50 commands sent at once by a member with 3 left, and refuses the rest privately', async () => {
		const userId = nextUser();
		const prompt = 'a racing pigeon over the rooftops';
		const handles = Array.from({ length: 50 }, () => video(prompt, { guild: tiers, userId }));
		const answers = await Promise.all(handles.map((handle) => answerOf(discord, handle, 30_000)));
		const accepted = answers.filter(isQueued);
		const refused = answers.filter((a) => a.ephemeral);
		expect(accepted).toHaveLength(3);
		expect(refused).toHaveLength(47);
		for (const refusal of refused) expect(refusal.content).toMatch(/^You have used 3 videos, your whole limit/);
		// Every command was acknowledged within Discord's 3 s.
		for (const handle of handles) {
			const [ack] = discord.callbacks(handle.id);
			expect((ack?.at ?? Infinity) - handle.dispatchedAt).toBeLessThan(3_000);
		}
		const jobs = new VideoJobs(deployment.redis, deployment.prefix);
		const states = await Promise.all(handles.map((handle) => jobs.state(handle.id)));
		await jobs.close();
		expect(states.filter((state) => state !== 'unknown')).toHaveLength(3);
		expect(await usedUnits(deployment.redis, deployment.prefix, userId)).toBe(3);
		const quota = await command('quota', { guild: tiers, userId });
		expect(quota.content).toMatch(/^You have \*\*0 of 3\*\* videos left/);
		await discord
			.waitFor(() => creates(prompt) === 3 || undefined, 30_000, 'three create calls')
			.catch(withLogs(deployment));
		console.info(
			`[measure] 50 at once with 3 left: ${accepted.length} started, ${refused.length} refused, ` +
				`${await usedUnits(deployment.redis, deployment.prefix, userId)} units used, ${creates(prompt)} create calls`,
		);
	}, 60_000);

	it('checks Manage Server again when /admin runs: a crafted command from a member without it changes nothing', async () => {
		const member = nextUser();
		const refusal = await ask('pause', [], { guild: kill, userId: member, permissions: DEFAULT_MEMBER_PERMISSIONS });
		expect(refusal.ephemeral).toBe(true);
		expect(refusal.content).toContain('**Manage Server**');
		const french = await ask('budget', [{ name: 'generations', type: 4, value: 0 }], {
			guild: kill,
			userId: member,
			locale: 'fr',
		});
		expect(french.content).toContain('**Gérer le serveur**');
		const target = nextUser();
		await ask(
			'quota',
			[
				{ name: 'user', type: 6, value: target },
				{ name: 'limit', type: 3, value: '50' },
			],
			{ guild: kill, userId: member },
		);
		// Not paused, no budget of 0, no limit of 50: a video still starts, within the default quota.
		const accepted = await answerOf(
			discord,
			video('a crafted pause that did nothing', { guild: kill, userId: target }),
		);
		expect(isQueued(accepted)).toBe(true);
		expect((await command('quota', { guild: kill, userId: target })).content).toMatch(/of 3\*\*/);
		// Nothing was recorded as done.
		expect((await ask('audit', [], { guild: kill })).content).toMatch(/No change has been made/);
		// Administrator alone implies Manage Server.
		const shown = await ask('budget', [], { guild: kill, userId: nextUser(), permissions: ADMINISTRATOR });
		expect(shown.content).toMatch(/This server has no budget/);
	});

	it('gives a member their own limit, else the largest of their roles, else the default', async () => {
		const { newcomer = '', patron = '' } = tiers.roles;
		expect(
			(
				await ask(
					'quota',
					[
						{ name: 'role', type: 8, value: newcomer },
						{ name: 'limit', type: 3, value: '2' },
					],
					{ guild: tiers },
				)
			).content,
		).toContain(`<@&${newcomer}>`);
		await ask(
			'quota',
			[
				{ name: 'role', type: 8, value: patron },
				{ name: 'limit', type: 3, value: '9' },
			],
			{ guild: tiers },
		);
		const newbie = nextUser();
		const both = nextUser();
		const plain = nextUser();
		const limitOf = async (userId: string, roles: string[]) =>
			(await command('quota', { guild: tiers, userId, roles })).content;
		expect(await limitOf(newbie, [newcomer])).toMatch(/^You have \*\*2 of 2\*\*/);
		expect(await limitOf(both, [newcomer, patron])).toMatch(/^You have \*\*9 of 9\*\*/);
		expect(await limitOf(plain, [])).toMatch(/^You have \*\*3 of 3\*\*/);

		await ask(
			'quota',
			[
				{ name: 'user', type: 6, value: newbie },
				{ name: 'limit', type: 3, value: '1' },
			],
			{ guild: tiers },
		);
		expect(await limitOf(newbie, [newcomer])).toMatch(/^You have \*\*1 of 1\*\*/);
		const back = await ask(
			'quota',
			[
				{ name: 'user', type: 6, value: newbie },
				{ name: 'limit', type: 3, value: 'default' },
			],
			{ guild: tiers },
		);
		expect(back.content).toContain(`<@${newbie}> no longer has a setting of their own`);
		expect(await limitOf(newbie, [newcomer])).toMatch(/^You have \*\*2 of 2\*\*/);

		// The newcomer's limit is enforced: two spent, the third refused with their limit in words.
		await spendUnits(deployment.redis, deployment.prefix, newbie, ['tier-1', 'tier-2'], tiers.id);
		const refused = await answerOf(
			discord,
			video('one more for the newcomer', { guild: tiers, userId: newbie, roles: [newcomer] }),
		);
		expect(refused.ephemeral).toBe(true);
		expect(refused.content).toMatch(/^You have used 2 videos, your whole limit/);
		// A bad limit is refused and changes nothing.
		const bad = await ask(
			'quota',
			[
				{ name: 'user', type: 6, value: newbie },
				{ name: 'limit', type: 3, value: 'lots' },
			],
			{ guild: tiers },
		);
		expect(bad.content).toContain('“lots” is neither');
		expect(await limitOf(newbie, [newcomer])).toMatch(/of 2\*\*/);
	});

	it('counts a budget in clips per server, refuses past it, and lifts it with clear:true', async () => {
		expect((await ask('budget', [{ name: 'generations', type: 4, value: 2 }], { guild: budgetA })).content).toMatch(
			/^Saved\. This server’s budget per rolling 24 hours: \*\*2 videos\*\*/,
		);
		await ask('budget', [{ name: 'generations', type: 4, value: 3 }], { guild: budgetB });
		const inA = await Promise.all(
			[1, 2].map((n) => answerOf(discord, video(`budget A clip ${n}`, { guild: budgetA, userId: nextUser() }))),
		);
		expect(inA.every(isQueued)).toBe(true);
		const third = await answerOf(discord, video('budget A clip 3', { guild: budgetA, userId: nextUser() }));
		expect(third.ephemeral).toBe(true);
		expect(third.content).toMatch(
			/^This server’s daily budget of 2 videos is used up\. Another frees up <t:\d+:R>\. This request did not use any of your quota\./,
		);
		const inB = await Promise.all(
			[1, 2, 3].map((n) => answerOf(discord, video(`budget B clip ${n}`, { guild: budgetB, userId: nextUser() }))),
		);
		expect(inB.every(isQueued)).toBe(true);
		const shown = await ask('budget', [], { guild: budgetA });
		expect(shown.content).toMatch(/\*\*2 videos\*\*\. Used so far: 2 videos and \$1\.00/);
		await ask('budget', [{ name: 'clear', type: 5, value: true }], { guild: budgetA });
		expect(
			isQueued(await answerOf(discord, video('budget A after clear', { guild: budgetA, userId: nextUser() }))),
		).toBe(true);
		expect(creates('budget A clip 3')).toBe(0);
	});

	it('counts a budget in dollars: recorded costs plus the expected price of unfinished jobs', async () => {
		await ask('budget', [{ name: 'dollars', type: 10, value: 0.9 }], { guild: dollars });
		expect(isQueued(await answerOf(discord, video('a fifty-cent clip', { guild: dollars, userId: nextUser() })))).toBe(
			true,
		);
		const second = await answerOf(discord, video('a second fifty-cent clip', { guild: dollars, userId: nextUser() }));
		expect(second.ephemeral).toBe(true);
		expect(second.content).toMatch(/^This server’s daily budget of \$0\.90 is used up/);
		expect(creates('a second fifty-cent clip')).toBe(0);
	});

	it('pauses one server: new requests and Retry refused, the running job delivered, a waiting one held until resume', async () => {
		const author = nextUser();
		const earlier = video('a clip made before the pause', { guild: kill, userId: author });
		await clipOf(discord, deployment, earlier.token);
		minimax.generationMs = 3_000;
		try {
			const running = video('running when paused', { guild: kill, userId: author });
			await untilStage(discord, deployment, running.token, /Submitted|Generating|Waiting in the provider/);
			// The same author's next one waits for the first (USER_MAX_ACTIVE=1).
			const waiting = video('waiting when paused', { guild: kill, userId: author });
			expect(isQueued(await answerOf(discord, waiting))).toBe(true);
			expect((await ask('pause', [], { guild: kill })).content).toMatch(/^⏸️/);

			const refused = await answerOf(discord, video('asked while paused', { guild: kill, userId: nextUser() }));
			expect(refused.content).toMatch(/paused in this server/);
			const original = discord.original(earlier.token);
			const retry = discord.component({
				customId: `clap:retry:${earlier.id}`,
				messageId: original?.id ?? '',
				userId: nextUser(),
			});
			expect((await answerOf(discord, retry)).content).toMatch(/paused in this server/);
			// Another server is not paused.
			expect(
				isQueued(await answerOf(discord, video('elsewhere while paused', { guild: tiers, userId: nextUser() }))),
			).toBe(true);

			await clipOf(discord, deployment, running.token, 30_000);
			await new Promise((resolve) => setTimeout(resolve, 2_500));
			expect(creates('waiting when paused')).toBe(0);
			expect(await new VideoJobs(deployment.redis, deployment.prefix).state(waiting.id)).toBe('waiting');

			await ask('resume', [], { guild: kill });
			await clipOf(discord, deployment, waiting.token, 30_000);
			expect(creates('waiting when paused')).toBe(1);
			expect(isQueued(await answerOf(discord, video('after resume', { guild: kill, userId: nextUser() })))).toBe(true);
		} finally {
			minimax.generationMs = 400;
		}
	}, 60_000);

	it('keeps videos to the allowed channels, named as mentions; /quota still answers anywhere', async () => {
		const { clips = '', chat = '' } = tiers.channels;
		expect((await ask('channels', [{ name: 'allow', type: 7, value: clips }], { guild: tiers })).content).toBe(
			`Videos can be made only in <#${clips}>.`,
		);
		const userId = nextUser();
		const refused = await answerOf(discord, video('in the wrong channel', { guild: tiers, channel: 'chat', userId }));
		expect(refused.ephemeral).toBe(true);
		expect(refused.content).toBe(`Videos can only be made in <#${clips}>. This request did not use any of your quota.`);
		expect((await command('quota', { guild: tiers, channel: 'chat', userId })).content).toMatch(
			/^You have \*\*3 of 3\*\*/,
		);
		expect(
			isQueued(await answerOf(discord, video('in the right channel', { guild: tiers, channel: 'clips', userId }))),
		).toBe(true);

		await ask('channels', [{ name: 'allow', type: 7, value: chat }], { guild: tiers });
		expect((await ask('channels', [], { guild: tiers })).content).toMatch(
			new RegExp(`<#(${clips}|${chat})> and <#(${clips}|${chat})>`),
		);
		await ask('channels', [{ name: 'remove', type: 7, value: chat }], { guild: tiers });
		expect((await ask('channels', [], { guild: tiers })).content).toBe(`Videos can be made only in <#${clips}>.`);
		expect((await ask('channels', [{ name: 'clear', type: 5, value: true }], { guild: tiers })).content).toBe(
			'Videos can be made in every channel of this server.',
		);
		expect(
			isQueued(await answerOf(discord, video('anywhere again', { guild: tiers, channel: 'chat', userId: nextUser() }))),
		).toBe(true);
	});

	it('lists this server’s latest changes, newest first, with when, who and what; reading changes nothing', async () => {
		const { newcomer = '', patron = '' } = tiers.roles;
		const { clips = '', chat = '' } = tiers.channels;
		await ask('report', [], { guild: tiers });
		await ask('audit', [], { guild: tiers });
		const audit = await ask('audit', [], { guild: tiers });
		expect(audit.ephemeral).toBe(true);
		const lines = descriptionOf(audit).split('\n');
		const manager = managerOf(tiers);
		const newbieSetting = /^quota <@(\d+)> limit:1$/;
		const whats = lines.map((line) => {
			const match = /^<t:(\d+)(:\w)?> <@(\d+)> (.+)$/.exec(line);
			expect(match, line).not.toBeNull();
			expect(match?.[3]).toBe(manager);
			return match?.[4] ?? '';
		});
		expect(whats).toEqual([
			'channels clear:true',
			`channels remove <#${chat}>`,
			`channels allow <#${chat}>`,
			`channels allow <#${clips}>`,
			expect.stringMatching(/^quota <@\d+> limit:default$/),
			expect.stringMatching(newbieSetting),
			`quota <@&${patron}> limit:9`,
			`quota <@&${newcomer}> limit:2`,
		]);
		const times = lines.map((line) => Number(/<t:(\d+)/.exec(line)?.[1]));
		expect([...times].sort((a, b) => b - a)).toEqual(times);
		// Another server's changes are its own.
		const other = await ask('audit', [], { guild: budgetA });
		const theirs = descriptionOf(other)
			.split('\n')
			.map((line) => line.replace(/^<t:\d+(:\w)?> <@\d+> /, ''));
		expect(theirs).toEqual(['budget clear:true', 'budget generations:2']);
		expect(descriptionOf(audit)).not.toContain('budget');
	});

	it('shows a member their own jobs and places, and a manager every job with its author', async () => {
		minimax.generationMs = 4_000;
		try {
			const alice = nextUser();
			const bob = nextUser();
			const first = video('alice first in line', { guild: tiers, userId: alice });
			await untilStage(discord, deployment, first.token, /Submitted|Generating|Waiting in the provider/);
			await answerOf(discord, video('alice second in line', { guild: tiers, userId: alice }));
			await answerOf(discord, video('bob has one too', { guild: tiers, userId: bob }));
			const mine = await command('queue', { guild: tiers, userId: alice });
			expect(mine.ephemeral).toBe(true);
			expect(mine.content).toMatch(/\*\*generating\*\* · “alice first in line”/);
			expect(mine.content).toMatch(/\*\*#\d+\*\* in line · “alice second in line”/);
			expect(mine.content).not.toContain('bob');
			expect(mine.content).not.toContain('<@');
			const everyone = await command('queue', { guild: tiers });
			expect(everyone.content).toContain(`“alice second in line” by <@${alice}>`);
			expect(everyone.content).toContain(`“bob has one too” by <@${bob}>`);
			// Other servers' jobs are not this server's business.
			expect((await command('queue', { guild: budgetB })).content).not.toContain('alice');
		} finally {
			minimax.generationMs = 400;
		}
	}, 40_000);
});
