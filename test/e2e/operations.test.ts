import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOT_PERMISSIONS } from '../../src/discord/invite.js';
import { Quota } from '../../src/store/quota.js';
import { startDiscordStandIn, type DiscordStandIn } from '../standins/discord.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';
import {
	clipOf,
	deploymentEnv,
	failureOf,
	nextUser,
	startDeployment,
	type Deployment,
	closeAll,
} from '../helpers/deployment.js';
import { runScript, startScript } from '../helpers/processes.js';
import { uniquePrefix } from '../helpers/redis.js';
import { freePort, startRedisServer, type RedisServer } from '../helpers/servers.js';

/**
 * What an operator meets: plain one-line start-up failures, and the HTTP server every process
 * runs (health, readiness, metrics, the password-protected queue dashboard).
 */

let discord: DiscordStandIn;

beforeAll(async () => {
	discord = await startDiscordStandIn();
});
afterAll(async () => {
	await closeAll(discord);
});

const noStack = (output: string) => expect(output).not.toMatch(/\n\s+at /);

describe('the first day: start-up failures in plain words', () => {
	it('a bot that cannot reach Redis says to start it or set REDIS_URL, and exits 69', async () => {
		const port = await freePort();
		const env = deploymentEnv(discord, uniquePrefix(), { REDIS_URL: `redis://127.0.0.1:${port}` });
		const { code, output } = await runScript('start:bot', env);
		expect(code).toBe(69);
		expect(output).toContain(
			`clapper: Redis at redis://127.0.0.1:${port} is unreachable (ECONNREFUSED): start Redis or set REDIS_URL`,
		);
		noStack(output);
	});

	it('a worker and a bot whose token Discord refuses say where to get one, and exit 78', async () => {
		for (const script of ['start:worker', 'start:bot']) {
			const env = deploymentEnv(discord, uniquePrefix(), { DISCORD_TOKEN: 'not-the-bot-token' });
			const { code, output } = await runScript(script, env);
			expect(code, output).toBe(78);
			expect(output).toContain('clapper: Discord refused DISCORD_TOKEN: copy the bot token from the developer portal');
			expect(output).not.toContain('not-the-bot-token');
			noStack(output);
		}
	});

	it('a deploy to a server the app is not in gives the invite link with the permissions the bot needs', async () => {
		const env = deploymentEnv(discord, uniquePrefix(), { DISCORD_GUILD_ID: '1573597093061328999' });
		const { code, output } = await runScript('deploy', env);
		expect(code).toBe(78);
		const link = /https:\/\/discord\.com\/oauth2\/authorize\?\S+/.exec(output)?.[0] ?? '';
		const query = new URL(link).searchParams;
		expect(query.get('client_id')).toBe(discord.applicationId);
		expect(query.get('scope')).toBe('bot applications.commands');
		// View Channel, Send Messages, Attach Files and Read Message History.
		expect(query.get('permissions')).toBe(String(BOT_PERMISSIONS));
		expect(BOT_PERMISSIONS).toBe(1024n + 2048n + 32768n + 65536n);
		noStack(output);
	});

	it('says in words what a deploy registered, and warns when guild and global commands would both show', async () => {
		const global = await runScript('deploy', { ...deploymentEnv(discord, uniquePrefix(), {}), DISCORD_GUILD_ID: '' });
		expect(global.code, global.output).toBe(0);
		expect(global.output).toMatch(
			/Registered \d+ commands globally for \S+: \/video, \/quota, \/queue, \/help, \/admin/,
		);
		const guild = await runScript('deploy', deploymentEnv(discord, uniquePrefix(), {}));
		expect(guild.code, guild.output).toBe(0);
		expect(guild.output).toContain(`commands in the server ${discord.guildId}`);
		expect(guild.output).toMatch(/Warning: this application also has \d+ global commands/);
		const removed = await runScript('deploy', deploymentEnv(discord, uniquePrefix(), {}), ['--remove-global']);
		expect(removed.code, removed.output).toBe(0);
		expect(discord.commands.global).toEqual([]);
		const again = await runScript('deploy', deploymentEnv(discord, uniquePrefix(), {}));
		expect(again.output).not.toContain('Warning');
	});

	it('a worker without ffmpeg says so at start, not at the first clip, and exits 69', async () => {
		// Only the directory of node itself: no ffmpeg on the way.
		const env = { ...deploymentEnv(discord, uniquePrefix(), {}), PATH: dirname(process.execPath) };
		const { code, output } = await runScript('start:worker', env);
		expect(code).toBe(69);
		expect(output).toMatch(
			/clapper: ffmpeg cannot run \(.*\); workers need it for Extend, renders and the free preview: install it/,
		);
		noStack(output);
	});

	it('an HTTP port already taken is named, with what to do', async () => {
		const port = await freePort();
		const holder = startScript('start:worker', {
			...deploymentEnv(discord, uniquePrefix(), {}),
			HTTP_PORT: String(port),
			HTTP_HOST: '127.0.0.1',
		});
		try {
			await holder.waitForOutput(/http server listening/);
			const env = { ...deploymentEnv(discord, uniquePrefix(), {}), HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' };
			const { code, output } = await runScript('start:worker', env);
			expect(code).toBe(78);
			expect(output).toContain(`clapper: the HTTP server could not start: port ${port} is already in use`);
		} finally {
			holder.signal('SIGTERM');
			await holder.exited();
		}
	});
});

describe('the HTTP server of each process', () => {
	const PASSWORD = 'correct horse battery staple';
	let redis: RedisServer;
	let minimax: MinimaxStandIn;
	let deployment: Deployment;
	let botPort: number;
	let workerPort: number;

	const get = (port: number, path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${port}${path}`, init);
	const basic = (user: string, password: string) => ({
		authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
	});

	beforeAll(async () => {
		redis = await startRedisServer();
		minimax = await startMinimaxStandIn({ generationMs: 300 });
		[botPort, workerPort] = [await freePort(), await freePort()];
		deployment = await startDeployment(
			discord,
			{
				REDIS_URL: redis.url,
				VIDEO_PROVIDER: 'minimax',
				MINIMAX_API_KEY: minimax.apiKey,
				MINIMAX_BASE_URL: minimax.baseUrl,
				DASHBOARD_PASSWORD: PASSWORD,
				HTTP_HOST: '127.0.0.1',
				ADMIN_CHANNEL_ID: discord.channelId,
			},
			{ bot: { HTTP_PORT: String(botPort) }, worker: { HTTP_PORT: String(workerPort) } },
		);
	}, 60_000);
	afterAll(async () => {
		await deployment?.stop();
		await minimax?.close();
		await redis?.remove();
	});

	it('answers /healthz and /readyz on the bot and the worker', async () => {
		for (const port of [botPort, workerPort]) {
			const health = await get(port, '/healthz');
			expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
			expect((await get(port, '/readyz')).status).toBe(200);
		}
	});

	it('serves Prometheus metrics with the process metrics on each process', async () => {
		for (const port of [botPort, workerPort]) {
			const metrics = await get(port, '/metrics');
			expect(metrics.status).toBe(200);
			expect(metrics.headers.get('content-type')).toContain('text/plain');
			const text = await metrics.text();
			expect(text).toContain('process_cpu_user_seconds_total');
			expect(text).toContain('# TYPE clapper_jobs_total counter');
		}
	});

	it('guards the dashboard and its API with Basic auth as admin, on the bot only', async () => {
		for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
			const none = await get(botPort, path);
			expect(none.status).toBe(401);
			expect(none.headers.get('www-authenticate')).toMatch(/^Basic /);
			expect((await get(botPort, path, { headers: basic('admin', 'wrong') })).status).toBe(401);
			expect((await get(botPort, path, { headers: basic('root', PASSWORD) })).status).toBe(401);
			expect((await get(botPort, path, { headers: basic('admin', PASSWORD) })).status).toBe(200);
		}
		expect((await get(workerPort, '/admin/queues', { headers: basic('admin', PASSWORD) })).status).toBe(404);
	});

	it('hides interaction tokens in the dashboard and refuses the actions that would go around /video', async () => {
		const handle = discord.slashCommand({
			name: 'video',
			options: [{ name: 'prompt', type: 3, value: 'a paper boat on a gutter stream' }],
			userId: nextUser(),
		});
		await clipOf(discord, deployment, handle.token);
		const auth = basic('admin', PASSWORD);
		// The clip is posted before its job is settled and moved to completed: wait for the move.
		let text = '';
		for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
			const listed = await get(botPort, '/admin/queues/api/queues?activeQueue=video&status=completed&page=1', {
				headers: auth,
			});
			text = await listed.text();
			if (text.includes(handle.id)) break;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		expect(text).toContain('"token":"[hidden]"');
		expect(text).not.toContain(handle.token);

		const jobId = `video-${handle.id}`;
		const counts = async () => {
			const answer = await get(botPort, '/admin/queues/api/queues', { headers: auth });
			return ((await answer.json()) as { queues: Array<{ counts: Record<string, number> }> }).queues[0]?.counts;
		};
		const before = await counts();
		expect(before).toMatchObject({ completed: expect.any(Number) });
		const json = { ...auth, 'content-type': 'application/json' };
		const attempts = [
			['POST', '/api/queues/video/add', { name: 'generate', data: {} }],
			['PATCH', `/api/queues/video/${jobId}/update-data`, { jobData: {} }],
			['PUT', '/api/queues/video/empty', {}],
			['PUT', '/api/queues/video/obliterate', {}],
		] as const;
		for (const [method, path, body] of attempts) {
			const answer = await get(botPort, `/admin/queues${path}`, { method, headers: json, body: JSON.stringify(body) });
			expect(answer.status, `${method} ${path}`).toBe(403);
			expect(await answer.text()).toContain('jobs are added and changed by /video');
		}
		// Nothing changed: the job keeps its data, and no job came or went.
		const job = await get(botPort, `/admin/queues/api/queues/video/${jobId}`, { headers: auth });
		expect(((await job.json()) as { job: { data: unknown } }).job.data).toMatchObject({
			request: { prompt: 'a paper boat on a gutter stream' },
		});
		expect(await counts()).toEqual(before);
	});

	it('refuses /video at once when no worker is alive, spends nothing, and tells the admins', async () => {
		deployment.worker.signal('SIGTERM');
		await deployment.worker.exited();
		try {
			const user = nextUser();
			const before = discord.channelMessages().length;
			const handle = discord.slashCommand({
				name: 'video',
				options: [{ name: 'prompt', type: 3, value: 'a lantern on a jetty' }],
				userId: user,
			});
			const answer = await discord.waitFor(() => discord.callbacks(handle.id)[0], 5_000, 'the answer');
			const body = answer.body as { type: number; data: { content: string; flags: number } };
			expect(body.data.content).toContain('No video worker is running right now');
			expect(body.data.content).toContain('The bot’s admins have been told.');
			expect(body.data.flags & 64).toBe(64);
			expect(await new Quota(deployment.redis, deployment.prefix).status(user, 3)).toMatchObject({ used: 0 });
			const alerts = discord
				.channelMessages()
				.slice(before)
				.filter((m) => m.content.startsWith('⚠️ No worker'));
			expect(alerts).toHaveLength(1);
		} finally {
			await deployment.restartWorker();
		}
	});

	it('runs a failed job again from the dashboard in a real browser, and its clip reaches the user', async () => {
		const { chromium } = await import('playwright-core');
		const user = nextUser();
		minimax.failNextTask(0);
		const handle = discord.slashCommand({
			name: 'video',
			options: [{ name: 'prompt', type: 3, value: 'a heron lifts off a pond' }],
			userId: user,
		});
		expect(await failureOf(discord, deployment, handle.token)).toContain('could not make this clip');

		const browser = await chromium.launch({
			executablePath: '/usr/bin/chromium',
			args: [
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--no-first-run',
			],
		});
		try {
			const context = await browser.newContext({ httpCredentials: { username: 'admin', password: PASSWORD } });
			const page = await context.newPage();
			await page.goto(`http://127.0.0.1:${botPort}/admin/queues/queue/video?status=failed`);
			// The failed job's card, by its id, and its own Retry button (not "Retry all").
			const card = page.getByText(`video-${handle.id}`, { exact: true }).locator('xpath=ancestor::*[.//button][1]');
			await card.waitFor({ timeout: 15_000 });
			// The job's action buttons are icons that name themselves in a tooltip when hovered.
			const tooltip = page.getByText('Retry', { exact: true });
			let clicked = false;
			for (const button of await card.locator('button:not([role="tab"])').all()) {
				await button.hover();
				const named = await tooltip.waitFor({ state: 'visible', timeout: 2_000 }).then(
					() => true,
					() => false,
				);
				if (named) {
					await button.click();
					clicked = true;
					break;
				}
			}
			expect(clicked).toBe(true);
			const confirm = page.getByRole('button', { name: 'Confirm', exact: true });
			if (await confirm.isVisible({ timeout: 2_000 }).catch(() => false)) await confirm.click();
			const clip = await clipOf(discord, deployment, handle.token, 30_000);
			expect(clip.attachments.some((file) => file.data.equals(minimax.video))).toBe(true);
		} finally {
			await browser.close();
		}
	}, 90_000);

	// Last of its block: the outage must not disturb the cases above.
	it('reports not ready within 3 s while Redis is down, stays healthy, and recovers', async () => {
		await redis.stop();
		try {
			for (const port of [botPort, workerPort]) {
				const started = Date.now();
				const ready = await get(port, '/readyz', { signal: AbortSignal.timeout(5_000) });
				expect(ready.status).toBe(503);
				expect(Date.now() - started).toBeLessThan(3_000);
				expect((await get(port, '/healthz')).status).toBe(200);
			}
		} finally {
			await redis.start();
		}
		await discord.waitFor(
			async () => (await get(botPort, '/readyz')).status === 200 || undefined,
			15_000,
			'ready again',
		);
	});
});

describe('metrics and logs', () => {
	let minimax: MinimaxStandIn;
	let deployment: Deployment;
	let botPort: number;
	let workerPort: number;

	beforeAll(async () => {
		minimax = await startMinimaxStandIn({ generationMs: 300 });
		[botPort, workerPort] = [await freePort(), await freePort()];
		deployment = await startDeployment(
			discord,
			{
				VIDEO_PROVIDER: 'minimax',
				MINIMAX_API_KEY: minimax.apiKey,
				MINIMAX_BASE_URL: minimax.baseUrl,
				PRICE_MINIMAX: '0.5',
				USER_DAILY_QUOTA: '2',
				HTTP_HOST: '127.0.0.1',
				NODE_ENV: 'production',
				DASHBOARD_PASSWORD: 'a dashboard secret',
			},
			{ bot: { HTTP_PORT: String(botPort) }, worker: { HTTP_PORT: String(workerPort) } },
		);
	}, 60_000);
	afterAll(async () => {
		await deployment?.stop();
		await minimax?.close();
	});

	/** The value of one series, by its name and labels (in any order); 0 when absent. */
	async function series(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
		const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
		for (const line of text.split('\n')) {
			const match = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
			if (match?.[1] !== name) continue;
			const found: Record<string, string> = Object.fromEntries(
				[...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
			);
			if (
				Object.entries(labels).every(([key, value]) => found[key] === value) &&
				Object.keys(found).length === Object.keys(labels).length
			)
				return Number(match[3]);
		}
		return 0;
	}

	it('moves each counter by exactly its events, in the process where they happen', async () => {
		const video = (userId: string, prompt: string) =>
			discord.slashCommand({ name: 'video', options: [{ name: 'prompt', type: 3, value: prompt }], userId });
		const ann = nextUser();
		// Two delivered clips.
		for (const prompt of ['a kite over a beach', 'a kite under a bridge'])
			await clipOf(discord, deployment, video(ann, prompt).token);
		// One refusal: Ann's limit is 2.
		const refused = video(ann, 'a third kite');
		await discord.waitFor(() => discord.callbacks(refused.id)[0], 5_000, 'the refusal');
		// One failure at the provider.
		minimax.failNextTask(0);
		await failureOf(discord, deployment, video(nextUser(), 'a kite that will not fly').token);
		// One 429 from Discord on an edit, waited out.
		discord.failNext(
			{ method: 'PATCH', path: /messages\/@original$/ },
			{
				status: 429,
				body: { message: 'You are being rate limited.', retry_after: 0.2, global: false },
				headers: { 'retry-after': '1', 'x-ratelimit-scope': 'user' },
			},
		);
		await clipOf(discord, deployment, video(nextUser(), 'a kite at night').token);

		const provider = { provider: 'minimax' };
		// The bot: what it accepted and refused, and the queue it sees.
		expect(await series(botPort, 'clapper_jobs_total', { state: 'enqueued', ...provider })).toBe(4);
		expect(await series(botPort, 'clapper_quota_refusals_total')).toBe(1);
		expect(await (await fetch(`http://127.0.0.1:${botPort}/metrics`)).text()).toMatch(
			/^clapper_queue_depth\{state="waiting"\} 0$/m,
		);
		// The worker: how the jobs ended, what they cost, how long they took, what the provider said.
		expect(await series(workerPort, 'clapper_jobs_total', { state: 'delivered', ...provider })).toBe(3);
		expect(await series(workerPort, 'clapper_jobs_total', { state: 'failed', ...provider })).toBe(1);
		expect(await series(workerPort, 'clapper_cost_usd_total', provider)).toBeCloseTo(1.5, 6);
		expect(await series(workerPort, 'clapper_provider_errors_total', { ...provider, class: 'generation-failed' })).toBe(
			1,
		);
		expect(await series(workerPort, 'clapper_job_wait_seconds_count', provider)).toBe(4);
		expect(await series(workerPort, 'clapper_generation_seconds_count', provider)).toBe(3);
		expect(await series(workerPort, 'clapper_delivery_seconds_count', provider)).toBe(3);
		// Nothing counted where it did not happen.
		expect(await series(botPort, 'clapper_jobs_total', { state: 'delivered', ...provider })).toBe(0);
		expect(await series(workerPort, 'clapper_jobs_total', { state: 'enqueued', ...provider })).toBe(0);
		const limited =
			(await series(botPort, 'clapper_discord_rate_limited_total')) +
			(await series(workerPort, 'clapper_discord_rate_limited_total'));
		expect(limited).toBe(1);
	}, 60_000);

	it('logs one JSON object per line, every line about a job with its ids, and never a secret', async () => {
		const user = nextUser();
		const video = (prompt: string) =>
			discord.slashCommand({ name: 'video', options: [{ name: 'prompt', type: 3, value: prompt }], userId: user });
		const delivered = video('a lantern on a pier');
		await clipOf(discord, deployment, delivered.token);
		minimax.failNextTask(0);
		const failed = video('a lantern in the rain');
		await failureOf(discord, deployment, failed.token);

		const secrets = [discord.token, minimax.apiKey, 'a dashboard secret', delivered.token, failed.token];
		const linesOf = (output: string) =>
			output
				.split('\n')
				.filter((line) => line !== '')
				.map((line) => JSON.parse(line) as Record<string, unknown>);
		const bot = linesOf(deployment.bot.output());
		const worker = linesOf(deployment.worker.output());
		for (const line of [...bot, ...worker]) {
			expect(line).toMatchObject({ level: expect.any(Number), time: expect.any(Number), msg: expect.any(String) });
			for (const secret of secrets) expect(JSON.stringify(line)).not.toContain(secret);
		}
		const ids = (interactionId: string) => ({
			jobId: `video-${interactionId}`,
			interactionId,
			userId: user,
			guildId: discord.guildId,
		});
		// In the bot: the job's enqueue. In the worker: every line of both jobs, from start to end.
		expect(bot.filter((line) => line['msg'] === 'video job enqueued')).toEqual(
			expect.arrayContaining([expect.objectContaining(ids(delivered.id)), expect.objectContaining(ids(failed.id))]),
		);
		for (const interaction of [delivered, failed]) {
			const about = worker.filter((line) => JSON.stringify(line).includes(interaction.id));
			expect(about.length).toBeGreaterThan(1);
			for (const line of about) expect(line).toMatchObject(ids(interaction.id));
		}
		// A worker line without a job is about the process itself.
		const processLines = new Set(worker.filter((line) => line['jobId'] === undefined).map((line) => line['msg']));
		expect(processLines).toContain('worker ready');
		const aboutTheProcess = ['worker ready', 'http server listening', 'discord rate limit'];
		for (const msg of processLines) expect(aboutTheProcess).toContain(msg);
	}, 60_000);
});

describe('npm run doctor', () => {
	let minimax: MinimaxStandIn;
	let redis: RedisServer;

	beforeAll(async () => {
		minimax = await startMinimaxStandIn();
		redis = await startRedisServer(['--appendonly', 'yes']);
	});
	afterAll(async () => {
		await minimax.close();
		await redis.remove();
	});

	it('passes every check of a healthy deployment and exits 0', async () => {
		const overrides = {
			REDIS_URL: redis.url,
			VIDEO_PROVIDER: 'minimax',
			MINIMAX_API_KEY: minimax.apiKey,
			MINIMAX_BASE_URL: minimax.baseUrl,
		};
		expect((await runScript('deploy', deploymentEnv(discord, uniquePrefix(), overrides))).code).toBe(0);
		const deployment = await startDeployment(discord, overrides);
		try {
			const creates = minimax.creates.length;
			const { code, output } = await runScript('doctor', { ...deployment.env });
			expect(output).not.toContain('✘');
			expect(code, output).toBe(0);
			for (const line of [
				'✔ configuration: providers minimax',
				`✔ Redis at ${redis.url} answers`,
				'✔ Redis keeps the queue on disk (AOF)',
				'✔ Redis never evicts keys (maxmemory-policy noeviction)',
				'✔ Discord accepts the token',
				'✔ MiniMax accepts its key (checked for free)',
				'✔ ffmpeg version',
				'✔ ffprobe version',
				'✔ 1 worker is alive',
			]) {
				expect(output).toContain(line);
			}
			expect(output).toMatch(/✔ the commands are registered (globally and )?in the server \d+: \/video/);
			expect(minimax.creates.length).toBe(creates);
		} finally {
			await deployment.stop();
		}
	});

	it('names each problem with what to do, and exits 1', async () => {
		// The tests' own Redis keeps nothing on disk; no worker runs; the key is wrong.
		const env = deploymentEnv(discord, uniquePrefix(), {
			VIDEO_PROVIDER: 'minimax',
			MINIMAX_API_KEY: 'wrong-key',
			MINIMAX_BASE_URL: minimax.baseUrl,
		});
		const { code, output } = await runScript('doctor', env);
		expect(code).toBe(1);
		expect(output).toContain('✘ Redis keeps nothing on disk, so a restart loses every job: set appendonly yes (AOF)');
		expect(output).toContain('✘ MiniMax refuses its key: check MINIMAX_API_KEY');
		expect(output).toContain('✘ no worker is alive (none has run yet): start one with npm run start:worker');
		expect(output).not.toContain('wrong-key');
	});

	it('lists configuration problems and stops there', async () => {
		const { code, output } = await runScript('doctor', {
			...deploymentEnv(discord, uniquePrefix(), {}),
			DISCORD_TOKEN: '',
			POLL_INTERVAL_MS: 'often',
		});
		expect(code).toBe(1);
		expect(output).toContain('✘ configuration: DISCORD_TOKEN is required');
		expect(output).toContain('✘ configuration: POLL_INTERVAL_MS must be a whole number');
	});
});
