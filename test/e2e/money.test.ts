import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordStandIn, type DiscordStandIn, type StandInGuild } from '../standins/discord.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';
import { startRunwareStandIn, type RunwareStandIn } from '../standins/runware.js';
import { MANAGER, answerOf, isQueued } from '../helpers/answers.js';
import { clipOf, nextUser, startDeployment, type Deployment, closeAll } from '../helpers/deployment.js';

/**
 * Money through the real processes: each delivered clip records its cost (Runware's own figure,
 * even with PRICE_RUNWARE set; MiniMax priced from PRICE_MINIMAX after a failover), shows it on the
 * result, and `/admin report` adds it up in an embed and a CSV whose rows sum to the totals. Then
 * GUILD_DAILY_BUDGET and GLOBAL_DAILY_CAP refuse the clip past them, in their own words.
 */

const RUNWARE_COST = 0.333;
const MINIMAX_PRICE = 0.43;

let discord: DiscordStandIn;
let runware: RunwareStandIn;
let minimax: MinimaxStandIn;
let deployment: Deployment;
let reported: StandInGuild;
let second: StandInGuild;
let third: StandInGuild;

function video(guild: StandInGuild, userId: string, prompt: string, locale?: string) {
	return discord.slashCommand({
		name: 'video',
		channelId: guild.channels['general'] ?? '',
		userId,
		...(locale === undefined ? {} : { locale }),
		options: [{ name: 'prompt', type: 3, value: prompt }],
	});
}

/** Makes a clip and returns its result message. */
async function deliveredClip(guild: StandInGuild, userId: string, prompt: string) {
	const handle = video(guild, userId, prompt);
	return clipOf(discord, deployment, handle.token, 30_000);
}

/** Parses the CSV into rows of its header's columns. */
function parseCsv(text: string): Array<Record<string, string>> {
	const [header = '', ...lines] = text.trim().split('\n');
	const columns = header.split(',');
	return lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i] ?? '', cell])));
}

describe('the cost ledger, the report and the deployment’s limits', () => {
	beforeAll(async () => {
		discord = await startDiscordStandIn({ guilds: [{ name: 'Reported' }, { name: 'Second' }, { name: 'Third' }] });
		[reported, second, third] = discord.guilds as [StandInGuild, StandInGuild, StandInGuild];
		runware = await startRunwareStandIn({ generationMs: 400, cost: RUNWARE_COST });
		minimax = await startMinimaxStandIn({ generationMs: 400 });
		deployment = await startDeployment(discord, {
			VIDEO_PROVIDERS: 'runware,minimax',
			RUNWARE_API_KEY: runware.apiKey,
			RUNWARE_BASE_URL: runware.baseUrl,
			MINIMAX_API_KEY: minimax.apiKey,
			MINIMAX_BASE_URL: minimax.baseUrl,
			// Runware reports its own cost, which wins over this.
			PRICE_RUNWARE: '9.99',
			PRICE_MINIMAX: String(MINIMAX_PRICE),
			GUILD_DAILY_BUDGET: '5',
			GLOBAL_DAILY_CAP: '8',
		});
	}, 60_000);

	afterAll(async () => {
		await closeAll(discord, deployment, runware, minimax);
	});

	it('records each clip’s cost, shows it, and reports totals the CSV rows add up to, across two providers', async () => {
		const [ann, ben] = [nextUser(), nextUser()];
		const fromRunware = await deliveredClip(reported, ann, 'a kite priced by Runware');
		expect(fromRunware.content).toContain(' · $0.33');
		// Runware out of credits: the next job fails over to MiniMax, priced from PRICE_MINIMAX.
		runware.failNextCreate(402, { code: 'insufficientCredits', message: 'Insufficient credits' });
		const fromMinimax = await deliveredClip(reported, ann, 'a kite priced from the configuration');
		expect(fromMinimax.content).toContain(' · $0.43');
		await deliveredClip(reported, ben, 'a boat priced by Runware');
		runware.failNextCreate(402, { code: 'insufficientCredits', message: 'Insufficient credits' });
		await deliveredClip(reported, ben, 'a boat priced from the configuration');
		expect(minimax.creates).toHaveLength(2);

		const handle = discord.slashCommand({
			name: 'admin',
			channelId: reported.channels['general'] ?? '',
			userId: nextUser(),
			memberPermissions: MANAGER,
			options: [{ name: 'report', type: 1, options: [{ name: 'days', type: 4, value: 7 }] }],
		});
		const report = await answerOf(discord, handle);
		expect(report.ephemeral).toBe(true);
		const fields = (report.embeds[0]?.['fields'] ?? []) as Array<{ name: string; value: string }>;
		const field = (name: string) => fields.find((f) => f.name === name)?.value;
		expect(field('Generations')).toBe('4');
		const total = 2 * RUNWARE_COST + 2 * MINIMAX_PRICE;
		expect(field('Cost')).toBe(`$${total.toFixed(2)}`);
		expect(field('Top users')).toContain(`<@${ann}>: 2 videos, $0.76`);

		const csv = report.files.find((file) => file.filename.endsWith('.csv'));
		expect(csv).toBeDefined();
		const rows = parseCsv(csv?.data.toString('utf8') ?? '');
		expect(Object.keys(rows[0] ?? {})).toEqual(expect.arrayContaining(['user_id', 'generations', 'cost_usd']));
		expect(rows.map((row) => row['user_id']).sort()).toEqual([ann, ben].sort());
		const sum = (column: string) => rows.reduce((acc, row) => acc + Number(row[column]), 0);
		expect(sum('generations')).toBe(Number(field('Generations')));
		expect(sum('cost_usd')).toBeCloseTo(total, 6);
		expect(`$${sum('cost_usd').toFixed(2)}`).toBe(field('Cost'));
	}, 90_000);

	it('refuses a server’s sixth clip under GUILD_DAILY_BUDGET=5, and the deployment’s ninth under GLOBAL_DAILY_CAP=8', async () => {
		expect(isQueued(await answerOf(discord, video(reported, nextUser(), 'the fifth clip here')))).toBe(true);
		const sixth = await answerOf(discord, video(reported, nextUser(), 'the sixth clip here'));
		expect(sixth.ephemeral).toBe(true);
		expect(sixth.content).toMatch(/^This server’s daily budget of 5 videos is used up\./);

		// Three more elsewhere make eight for the deployment.
		for (const n of [1, 2, 3])
			expect(isQueued(await answerOf(discord, video(second, nextUser(), `elsewhere ${n}`)))).toBe(true);
		const ninth = await answerOf(discord, video(third, nextUser(), 'the ninth for everyone'));
		expect(ninth.ephemeral).toBe(true);
		expect(ninth.content).toMatch(/^The bot has reached its daily limit of videos for everyone\./);
		expect(ninth.content).not.toMatch(/server/i);
		const french = await answerOf(discord, video(third, nextUser(), 'la neuvième', 'fr'));
		expect(french.content).toMatch(/^Le bot a atteint sa limite quotidienne de vidéos, pour tout le monde\./);
		expect(french.content).not.toMatch(/serveur/i);
	}, 60_000);
});
