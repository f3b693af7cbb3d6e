import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordStandIn, type DiscordStandIn } from '../standins/discord.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';
import { clipOf, nextUser, startDeployment, type Deployment } from '../helpers/deployment.js';
import { startScript, type RunningScript } from '../helpers/processes.js';

/**
 * Shards split across machines: two bot processes (SHARD_IDS=0 and 1, the count Discord's
 * recommendation) and three workers, against a Discord that routes each of two servers to its own
 * shard. Every shard is opened by exactly one process, every interaction answered once, every clip
 * made with one create call and delivered once.
 */

let discord: DiscordStandIn;
let minimax: MinimaxStandIn;
let deployment: Deployment;
let secondBot: RunningScript;

describe('two bot processes, one shard each, and three workers', () => {
	beforeAll(async () => {
		discord = await startDiscordStandIn({ shards: 2, guilds: [{ shard: 0 }, { shard: 1 }] });
		minimax = await startMinimaxStandIn({ generationMs: 300 });
		deployment = await startDeployment(
			discord,
			{
				VIDEO_PROVIDER: 'minimax',
				MINIMAX_API_KEY: minimax.apiKey,
				MINIMAX_BASE_URL: minimax.baseUrl,
				USER_DAILY_QUOTA: '10',
			},
			{ bot: { SHARD_IDS: '0' } },
		);
		secondBot = startScript('start:bot', { ...deployment.env, SHARD_IDS: '1' });
		await secondBot.waitForOutput(/bot ready/);
		await deployment.addWorker();
		await deployment.addWorker();
	}, 90_000);
	afterAll(async () => {
		const violations = discord?.violations ?? [];
		secondBot?.signal('SIGTERM');
		await secondBot?.exited();
		await deployment?.stop();
		await minimax?.close();
		await discord?.close();
		expect(violations).toEqual([]);
	});

	it('opens each shard in exactly one process', () => {
		expect(discord.identifiedShards().sort()).toEqual([
			[0, 2],
			[1, 2],
		]);
		expect(deployment.bot.output()).toMatch(/"shards":\[0\],"shardCount":2/);
		expect(secondBot.output()).toMatch(/"shards":\[1\],"shardCount":2/);
	});

	it('answers every interaction once, from the shard of its server, and delivers each clip once', async () => {
		const [first, second] = discord.guilds;
		const channels = [first?.channels['general'] ?? '', second?.channels['general'] ?? ''];
		const handles = Array.from({ length: 6 }, (_, i) =>
			discord.slashCommand({
				name: 'video',
				options: [{ name: 'prompt', type: 3, value: `a ferry crossing, shot ${i}` }],
				userId: nextUser(),
				channelId: channels[i % 2] ?? '',
			}),
		);
		for (const handle of handles) await clipOf(discord, deployment, handle.token, 40_000);
		for (const handle of handles) {
			expect(discord.callbacks(handle.id)).toHaveLength(1);
			const uploads = discord.requests.filter((r) => r.files.length > 0 && r.path.includes(handle.token));
			expect(uploads).toHaveLength(1);
		}
		expect(minimax.creates).toHaveLength(handles.length);
		// Each bot enqueued the jobs of its own server only.
		const enqueued = (output: string) =>
			[...output.matchAll(/"guildId":"(\d+)"[^\n]*"msg":"video job enqueued"/g)].map((m) => m[1]);
		expect(new Set(enqueued(deployment.bot.output()))).toEqual(new Set([first?.id]));
		expect(new Set(enqueued(secondBot.output()))).toEqual(new Set([second?.id]));
		expect(enqueued(deployment.bot.output())).toHaveLength(3);
		expect(enqueued(secondBot.output())).toHaveLength(3);
	}, 90_000);
});
