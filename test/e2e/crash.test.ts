import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoJobs } from '../../src/jobs/index.js';
import { startDiscordStandIn, type DiscordStandIn, type InteractionHandle } from '../standins/discord.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';
import {
	clipOf,
	contentOf,
	nextUser,
	originalEdits,
	startDeployment,
	type Deployment,
	closeAll,
} from '../helpers/deployment.js';
import { usedUnits } from '../helpers/quota.js';

/**
 * The bot SIGKILLed in the middle of a burst of commands, at the very moment it shows one as
 * accepted (its "Queued" edit reaches Discord, the job not yet enqueued): once it is back, every
 * user's used units equal their jobs that exist, within 60 s. A reservation whose job never reached
 * the queue is given back (and its user told), none is spent twice, and the jobs that did reach
 * the queue are delivered.
 */

let discord: DiscordStandIn;
let minimax: MinimaxStandIn;
let deployment: Deployment;

describe('a bot killed mid-burst', () => {
	beforeAll(async () => {
		discord = await startDiscordStandIn();
		minimax = await startMinimaxStandIn({ generationMs: 300 });
		deployment = await startDeployment(discord, {
			VIDEO_PROVIDER: 'minimax',
			MINIMAX_API_KEY: minimax.apiKey,
			MINIMAX_BASE_URL: minimax.baseUrl,
			USER_DAILY_QUOTA: '3',
		});
	}, 60_000);

	afterAll(async () => {
		await closeAll(discord, deployment, minimax);
	});

	it('gives back within 60 s of its restart every unit whose job never reached the queue, and no other', async () => {
		const users = [nextUser(), nextUser(), nextUser(), nextUser()];
		const burst = new Map<string, InteractionHandle[]>(users.map((user) => [user, []]));
		const jobs = new VideoJobs(deployment.redis, deployment.prefix);
		const send = (round: number) => {
			for (const user of users) {
				const handle = discord.slashCommand({
					name: 'video',
					userId: user,
					options: [{ name: 'prompt', type: 3, value: `burst ${round} from ${user}` }],
				});
				burst.get(user)?.push(handle);
			}
		};
		// The first half of the burst; some of it reaches the queue.
		send(0);
		send(1);
		const firstHalf = [...burst.values()].flat();
		for (let tries = 0; ; tries++) {
			const states = await Promise.all(firstHalf.map((handle) => jobs.state(handle.id)));
			if (states.some((state) => state !== 'unknown')) break;
			if (tries > 200) throw new Error('no job of the first half reached the queue');
			await new Promise((resolve) => setTimeout(resolve, 25));
		}
		// The second half: the bot is killed synchronously when its first "Queued" edit arrives,
		// before Discord answers it.
		let killedAt = 0;
		const stop = discord.watchRequests((request) => {
			const mine = [...burst.values()].flat().slice(firstHalf.length);
			if (
				killedAt === 0 &&
				request.method === 'PATCH' &&
				contentOf(request).startsWith('🎬 Queued') &&
				mine.some((handle) => request.path.includes(handle.token))
			) {
				deployment.bot.signal('SIGKILL');
				killedAt = Date.now();
			}
		});
		send(2);
		send(3);
		await discord.waitFor(() => killedAt > 0, 10_000, 'the bot killed at a Queued edit of the second half');
		stop();
		expect(await deployment.bot.exited()).toBeNull();

		const existing = async (user: string) =>
			(await Promise.all((burst.get(user) ?? []).map((handle) => jobs.state(handle.id)))).filter(
				(state) => state !== 'unknown',
			).length;
		const units = async (user: string) => usedUnits(deployment.redis, deployment.prefix, user);
		const totals = async () => {
			let spent = 0;
			let made = 0;
			for (const user of users) {
				spent += await units(user);
				made += await existing(user);
			}
			return { spent, made };
		};
		const atKill = await totals();
		// The command shown as accepted holds a unit without a job: there is something to give back,
		// and there are jobs in the queue whose units must stay.
		expect(atKill.spent).toBeGreaterThan(atKill.made);
		expect(atKill.made).toBeGreaterThan(0);

		await deployment.restartKilledBot();
		const restartedAt = Date.now();
		const settledAt = await (async () => {
			for (;;) {
				const mismatched = [];
				for (const user of users) if ((await units(user)) !== (await existing(user))) mismatched.push(user);
				if (mismatched.length === 0) return Date.now();
				if (Date.now() - restartedAt > 60_000)
					throw new Error(`units still differ from jobs for ${mismatched.join(', ')}\n${deployment.bot.output()}`);
				await new Promise((resolve) => setTimeout(resolve, 250));
			}
		})();
		const after = await totals();
		console.info(
			`[measure] bot SIGKILLed mid-burst: at the kill ${atKill.spent} units for ${atKill.made} jobs; ` +
				`${after.spent} units for ${after.made} jobs ${settledAt - restartedAt} ms after the restart`,
		);
		expect(after.spent).toBe(after.made);
		expect(deployment.bot.output()).toMatch(/gave back a request its bot never enqueued/);

		// The user whose command was shown as accepted is told it was lost.
		const lost = [...burst.values()]
			.flat()
			.filter((handle) =>
				originalEdits(discord, handle.token).some((edit) => contentOf(edit).includes('lost when the bot restarted')),
			);
		expect(lost.length).toBeGreaterThanOrEqual(1);
		for (const handle of lost) expect(await jobs.state(handle.id)).toBe('unknown');

		// Every job that reached the queue is delivered, and its unit stays spent.
		const queued = [];
		for (const handle of [...burst.values()].flat())
			if ((await jobs.state(handle.id)) !== 'unknown') queued.push(handle);
		for (const handle of queued) await clipOf(discord, deployment, handle.token, 40_000);
		expect((await totals()).spent).toBe(queued.length);
		expect(minimax.creates.length).toBe(queued.length);
		await jobs.close();
	}, 120_000);
});
