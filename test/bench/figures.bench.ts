import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Routes } from 'discord.js';
import { afterAll, describe, expect, it } from 'vitest';
import { discordAttachmentGuard } from '../../src/discord/cdn.js';
import { createRest } from '../../src/discord/rest.js';
import { checkVideoOptions, enqueueVideo } from '../../src/generation/intake.js';
import { createSettle } from '../../src/generation/settle.js';
import { VideoJobs, type VideoJobData } from '../../src/jobs/index.js';
import { createLogger } from '../../src/log.js';
import type { Submission, TaskStatus, VideoProvider } from '../../src/providers/types.js';
import { priceTable } from '../../src/providers/prices.js';
import { openStores } from '../../src/store/index.js';
import { startDiscordStandIn, type DiscordStandIn } from '../standins/discord.js';
import { fakeClip, startMinimaxStandIn } from '../standins/minimax.js';
import { startDeployment, type Deployment } from '../helpers/deployment.js';
import { cleanPrefix, connect, uniquePrefix } from '../helpers/redis.js';
import { startHarness } from '../processor/harness.js';
import { fitForDiscord } from '../../src/media/fit.js';
import { CLIPS, makeClip, probeMedia } from '../helpers/ffmpeg.js';

/**
 * `npm run bench`: the figures an operator plans with, measured on this machine through the real
 * processes and loopback stand-ins, printed as a Markdown table and written to docs/benchmarks.md.
 * Targets live in the table, not in assertions: a slow machine prints a slow figure.
 */

interface Figure {
	readonly figure: string;
	readonly value: string;
	readonly target: string;
}

const figures: Figure[] = [];
const record = (figure: string, value: string, target: string) => {
	figures.push({ figure, value, target });
	process.stdout.write(`${figure}: ${value} (target ${target})\n`);
};

const percentile = (samples: readonly number[], p: number): number => {
	const sorted = [...samples].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const ms = (value: number) => value.toFixed(value < 10 ? 2 : 0);

let users = 0;
const nextUser = () => `81234567890126${String(++users).padStart(4, '0')}`;

afterAll(() => {
	const table = [
		'| figure | value | target |',
		'| --- | --- | --- |',
		...figures.map((row) => `| ${row.figure} | ${row.value} | ${row.target} |`),
	].join('\n');
	process.stdout.write(`\n${table}\n`);
	const path = new URL('../../docs/benchmarks.md', import.meta.url);
	const intro = readFileSync(path, 'utf8').split('<!-- figures -->')[0] ?? '';
	writeFileSync(path, `${intro}<!-- figures -->\n${table}\n`);
});

describe('benchmarks', () => {
	let discord: DiscordStandIn;
	let deployment: Deployment;

	it('acknowledges commands and answers autocomplete through the Discord stand-in', async () => {
		discord = await startDiscordStandIn();
		// Clips that take their time, as real ones do: the workers submit and poll while the bot is
		// measured, and no delivery's traffic loads the stand-in that timestamps the answers.
		const minimax = await startMinimaxStandIn({ generationMs: 10 * 60_000, video: fakeClip(16 * 1024) });
		deployment = await startDeployment(discord, {
			VIDEO_PROVIDER: 'minimax',
			MINIMAX_API_KEY: minimax.apiKey,
			MINIMAX_BASE_URL: minimax.baseUrl,
			USER_DAILY_QUOTA: '100',
			WORKER_CONCURRENCY: '20',
			PROGRESS_INTERVAL_MS: '3000',
		});
		try {
			const ack = (handle: { id: string; dispatchedAt: number }) =>
				discord
					.waitFor(() => discord.callbacks(handle.id)[0], 10_000, 'the callback')
					.then((callback) => callback.at - handle.dispatchedAt);
			const command = (prompt: string) =>
				discord.slashCommand({
					name: 'video',
					options: [{ name: 'prompt', type: 3, value: prompt }],
					userId: nextUser(),
				});
			// Warm up the processes (JIT, connections) before measuring.
			await Promise.all(Array.from({ length: 20 }, (_, i) => ack(command(`warm-up ${i}`))));

			// Autocomplete first, on a bot with no burst to answer: each keystroke as members type.
			const autocomplete = (typed: string) =>
				discord.autocomplete({
					name: 'video',
					options: [
						{ name: 'prompt', type: 3, value: 'x' },
						{ name: 'camera', type: 3, value: typed, focused: true },
					],
				});
			const typing = ['', 'pan', 'Truck left, pa', 'dolly in, zoom', 'shaek', 'Pan left, Tilt up, ', 'tracking'];
			await Promise.all(Array.from({ length: 50 }, (_, i) => ack(autocomplete(typing[i % typing.length] ?? '')))); // warm-up
			const one: number[] = [];
			for (let i = 0; i < 300; i++) one.push(await ack(autocomplete(typing[i % typing.length] ?? '')));
			const fifty: number[] = [];
			for (let round = 0; round < 10; round++) {
				fifty.push(
					...(await Promise.all(
						Array.from({ length: 50 }, (_, i) => ack(autocomplete(typing[i % typing.length] ?? ''))),
					)),
				);
			}
			record(
				'camera autocomplete p50 / p99, one at a time and 50 at a time (ms)',
				`${ms(percentile(one, 50))} / ${ms(percentile(one, 99))} and ${ms(percentile(fifty, 50))} / ${ms(percentile(fifty, 99))}`,
				'p99 < 5 and < 20',
			);

			// 100 commands a second for 5 s, each from its own member. The stand-in timestamps the
			// answers in this process, so its own event-loop delay is printed beside the figure.
			const lag = monitorEventLoopDelay({ resolution: 1 });
			lag.enable();
			const pending: Promise<number>[] = [];
			const start = Date.now();
			for (let i = 0; i < 500; i++) {
				const due = start + i * 10;
				if (due > Date.now()) await sleep(due - Date.now());
				pending.push(ack(command(`a paper crane takes flight, take ${i}`)));
			}
			const acks = await Promise.all(pending);
			lag.disable();
			record(
				'interaction ack p50 / p99 at 100 commands/s through the Discord stand-in (ms)',
				`${ms(percentile(acks, 50))} / ${ms(percentile(acks, 99))} (the stand-in's own event-loop delay meanwhile: p99 ${ms(lag.percentile(99) / 1e6)}, max ${ms(lag.max / 1e6)})`,
				'p99 < 10',
			);
		} finally {
			await deployment.stop();
			await minimax.close();
			await discord.close();
		}
	});

	it('enqueues through the whole command path nearly as fast as bare BullMQ', async () => {
		const redis = connect();
		const prefix = uniquePrefix();
		const stores = openStores(redis, prefix);
		const jobs = new VideoJobs(redis, prefix, stores.rounds);
		const bare = new Queue('bare', { connection: redis, prefix });
		const logger = createLogger('silent', 'bench');
		const limits = {
			userDailyQuota: 1_000_000,
			userMaxQueued: 1_000_000,
			guildDailyBudget: undefined,
			globalDailyCap: undefined,
			prices: priceTable({}),
		};
		const deps = {
			...stores,
			provider: 'preview' as const,
			limits,
			owner: 'bench',
			jobs,
			attachmentGuard: discordAttachmentGuard('https://discord.com/api'),
			settle: createSettle(stores),
			logger,
		};
		const guild = await stores.guilds.get('1573597093061328898');
		const checked = checkVideoOptions('preview', { prompt: 'a lighthouse in a storm [Push in]' });
		const N = 3_000;
		const batch = 50;
		let id = 1_573_600_000_000_000_000n;
		const facts = () => ({
			id: String(++id),
			applicationId: '1573597093061328896',
			token: 'token',
			channelId: '1573597093061328897',
			guildId: '1573597093061328898',
			userId: nextUser(),
			roleIds: [],
			locale: 'en-US',
			createdAt: Date.now(),
			attachmentSizeLimit: 10_485_760,
		});
		const timed = async (run: () => Promise<unknown>) => {
			const started = performance.now();
			for (let done = 0; done < N; done += batch) await Promise.all(Array.from({ length: batch }, run));
			return N / ((performance.now() - started) / 1000);
		};
		try {
			const payload = (): VideoJobData => ({
				v: 1,
				interaction: { ...facts(), messageId: '1573597093061328899' },
				request: { prompt: checked.prompt, camera: checked.camera, directed: checked.directed },
				provider: 'preview',
				model: checked.model,
				failedOver: [],
				enqueuedAt: Date.now(),
			});
			const bareRate = await timed(() => bare.add('generate', payload(), { jobId: `video-${++id}` }));
			const pathRate = await timed(() =>
				enqueueVideo(deps, checked, facts(), guild, async () => '1573597093061328899'),
			);
			record(
				'enqueue throughput of the whole command path ÷ bare BullMQ `queue.add` on the same Redis',
				`${(pathRate / bareRate).toFixed(2)} (${Math.round(pathRate)} vs ${Math.round(bareRate)} jobs/s)`,
				'≥ 0.8',
			);
		} finally {
			await bare.close();
			await jobs.close();
			await cleanPrefix(redis, prefix);
			redis.disconnect();
		}
	});

	it('spends little of a worker on a job beyond generation and transfer', async () => {
		discord = await startDiscordStandIn();
		let inProvider = 0;
		const clip = fakeClip(64 * 1024);
		// An instant provider: the clip comes back from the create call.
		const instant: VideoProvider = {
			name: 'preview',
			async submit(): Promise<Submission> {
				const started = performance.now();
				await Promise.resolve();
				inProvider += performance.now() - started;
				return { kind: 'video', data: clip, costUsd: 0 };
			},
			poll: (): Promise<TaskStatus> => Promise.reject(new Error('no task')),
		};
		// No spacing between a message's edits: what is left is the worker's own work (the spacing's
		// effect is in the command → clip figure).
		const harness = await startHarness({ discord, providers: [instant], progressIntervalMs: 0 });
		const uploads = () => discord.requests.filter((request) => request.files.length > 0);
		// Transfer: what one upload of the clip through discord.js to the stand-in takes on its own.
		const rest = createRest(discord.apiUrl, discord.token);
		const transfers: number[] = [];
		for (let i = 0; i < 20; i++) {
			const started = performance.now();
			await rest.post(Routes.channelMessages(discord.channelId), {
				body: { content: 'clip' },
				files: [{ name: 'clip.mp4', data: clip }],
			});
			transfers.push(performance.now() - started);
		}
		const inUpload = percentile(transfers, 50);
		try {
			const N = 100;
			const handles = await Promise.all(
				Array.from({ length: N }, () =>
					harness.job({
						userId: nextUser(),
						provider: 'preview',
						model: 'animatic',
						patch: { enqueuedAt: Date.now() - 60_000 },
					}),
				),
			);
			const totals: number[] = [];
			for (const handle of handles) {
				const before = uploads().length;
				const started = performance.now();
				await harness.run(handle);
				totals.push(performance.now() - started);
				expect(uploads().length).toBe(before + 1);
			}
			const perJob = (totals.reduce((a, b) => a + b, 0) - inProvider) / N - inUpload;
			record(
				'worker overhead per job with an instant provider, everything but generation, transfer and edit spacing (ms)',
				ms(perJob),
				'< 300',
			);
		} finally {
			await harness.close();
			await discord.close();
		}
	});

	it('makes no Discord answer 429 with 100 jobs in flight, and posts a ready clip within the interval', async () => {
		discord = await startDiscordStandIn();
		const minimax = await startMinimaxStandIn({ generationMs: 0, video: await makeClip(CLIPS.small) });
		deployment = await startDeployment(discord, {
			VIDEO_PROVIDER: 'minimax',
			MINIMAX_API_KEY: minimax.apiKey,
			MINIMAX_BASE_URL: minimax.baseUrl,
			USER_DAILY_QUOTA: '100',
			WORKER_CONCURRENCY: '50',
			PROGRESS_INTERVAL_MS: '1000',
		});
		await deployment.addWorker();
		try {
			// Command → clip with a provider that answers at once: only what is left of the interval
			// since the "queued" edit is waited, no superseded state is shown.
			const times: number[] = [];
			for (let i = 0; i < 10; i++) {
				const handle = discord.slashCommand({
					name: 'video',
					options: [{ name: 'prompt', type: 3, value: `a spark, take ${i}` }],
					userId: nextUser(),
				});
				const upload = await discord.waitFor(
					() => discord.requests.find((r) => r.files.length > 0 && r.status === 200 && r.path.includes(handle.token)),
					30_000,
					'the clip',
				);
				times.push(upload.at - handle.dispatchedAt);
			}
			record(
				'command → clip with a provider that answers at once, PROGRESS_INTERVAL_MS=1000, median / max (ms)',
				`${ms(percentile(times, 50))} / ${ms(Math.max(...times))}`,
				'< 1300',
			);

			const before = discord.rateLimited().length;
			const handles = Array.from({ length: 100 }, (_, i) =>
				discord.slashCommand({
					name: 'video',
					options: [{ name: 'prompt', type: 3, value: `a hundred lanterns, lantern ${i}` }],
					userId: nextUser(),
				}),
			);
			await discord.waitFor(
				() =>
					handles.every((handle) =>
						discord.requests.some((r) => r.files.length > 0 && r.status === 200 && r.path.includes(handle.token)),
					) || undefined,
				240_000,
				'100 clips',
			);
			record('Discord 429s with 100 jobs in flight', String(discord.rateLimited().length - before), '0');
		} finally {
			await deployment.stop();
			await minimax.close();
			await discord.close();
		}
	}, 300_000);

	it('re-encodes a 12 MB clip to fit a 10 MiB upload limit', async () => {
		const source = await makeClip(CLIPS.twelveMegabytes);
		const limit = 10 * 1024 * 1024;
		const runs: number[] = [];
		let output: Buffer = Buffer.alloc(0);
		for (let i = 0; i < 3; i++) {
			const started = performance.now();
			const fitted = await fitForDiscord(source, { limit });
			runs.push(performance.now() - started);
			if (fitted.kind !== 'encoded') throw new Error(`expected a re-encode, got ${fitted.kind}`);
			output = fitted.data;
		}
		const [before, after] = await Promise.all([probeMedia(source), probeMedia(output)]);
		record(
			're-encoding a 12 MB clip under a 10 MiB limit, mean of 3 (s)',
			`${(runs.reduce((a, b) => a + b, 0) / runs.length / 1000).toFixed(2)} (${(source.length / 1e6).toFixed(1)} MB → ${(output.length / 1e6).toFixed(1)} MB; ${before.duration.toFixed(2)} s → ${after.duration.toFixed(2)} s; ${before.video.width}x${before.video.height} → ${after.video.width}x${after.video.height}, ${after.video.codec}, audio ${after.audio?.codec ?? 'none'})`,
			'fits, same duration and size',
		);
	}, 300_000);

	it('renders a three-shot sequence through the real processes', async () => {
		discord = await startDiscordStandIn();
		// Three 6 s shots as a provider sends them: 720p at 24 fps, hard to compress, with sound.
		const shot = await makeClip({
			codec: 'h264',
			width: 1280,
			height: 720,
			seconds: 6,
			fps: 24,
			bitrate: 4_000_000,
			audio: true,
			noisy: true,
		});
		const minimax = await startMinimaxStandIn({ generationMs: 0, video: shot });
		deployment = await startDeployment(discord, {
			VIDEO_PROVIDER: 'minimax',
			MINIMAX_API_KEY: minimax.apiKey,
			MINIMAX_BASE_URL: minimax.baseUrl,
			USER_DAILY_QUOTA: '100',
			PROGRESS_INTERVAL_MS: '1000',
		});
		try {
			const sequence = (sub: string, options: unknown[] = []) =>
				discord.slashCommand({ name: 'sequence', options: [{ name: sub, type: 1, options }], userId: nextUser() });
			const uploadOn = (token: string, label: string) =>
				discord.waitFor(
					() => discord.requests.find((r) => r.files.length > 0 && r.status === 200 && r.path.includes(token)),
					180_000,
					label,
				);
			sequence('start', [{ name: 'title', type: 3, value: 'Bench' }]);
			await discord.waitFor(
				() => discord.channelMessages().find((m) => m.content.includes('**Bench**')),
				10_000,
				'the board',
			);
			for (let i = 0; i < 3; i++) {
				const handle = discord.slashCommand({
					name: 'video',
					options: [{ name: 'prompt', type: 3, value: `shot ${i + 1}` }],
					userId: nextUser(),
				});
				await uploadOn(handle.token, `shot ${i + 1}`);
				const clip = await discord.waitFor(() => discord.original(handle.token), 10_000, 'the clip');
				const click = discord.component({ customId: `clap:add:${handle.id}`, messageId: clip.id, userId: nextUser() });
				await discord.waitFor(() => discord.callbacks(click.id)[0], 10_000, 'the add');
			}
			const seconds: string[] = [];
			for (const transition of ['cut', 'crossfade']) {
				const handle = sequence('render', [{ name: 'transition', type: 3, value: transition }]);
				const upload = await uploadOn(handle.token, `the ${transition} film`);
				seconds.push(((upload.at - handle.dispatchedAt) / 1000).toFixed(1));
			}
			const stitched = [...deployment.worker.output().matchAll(/"ms":(\d+)[^\n]*"msg":"film stitched"/g)].map((match) =>
				(Number(match[1]) / 1000).toFixed(1),
			);
			record(
				'render of a three-shot sequence (3 × 6 s of 1280×720 at 24 fps with sound), command → film, cut / crossfade (s)',
				`${seconds.join(' / ')} (of which stitching ${stitched.join(' / ')})`,
				'< 30',
			);
		} finally {
			await deployment.stop();
			await minimax.close();
			await discord.close();
		}
	}, 300_000);

	it('keeps a worker small with 500 jobs polling at once', async () => {
		discord = await startDiscordStandIn();
		const minimax = await startMinimaxStandIn({ generationMs: 10 * 60_000 });
		deployment = await startDeployment(discord, {
			VIDEO_PROVIDER: 'minimax',
			MINIMAX_API_KEY: minimax.apiKey,
			MINIMAX_BASE_URL: minimax.baseUrl,
			USER_DAILY_QUOTA: '100',
			WORKER_CONCURRENCY: '500',
			POLL_INTERVAL_MS: '2000',
			PROGRESS_INTERVAL_MS: '10000',
		});
		try {
			for (let i = 0; i < 500; i++) {
				discord.slashCommand({
					name: 'video',
					options: [{ name: 'prompt', type: 3, value: `a tide pool at dawn, take ${i}` }],
					userId: nextUser(),
				});
				if (i % 50 === 49) await sleep(100);
			}
			await discord.waitFor(() => minimax.creates.length >= 500 || undefined, 120_000, '500 tasks at the provider');
			// A few polling rounds for everything to settle into its steady state.
			await sleep(8_000);
			const pid = deployment.worker.child.pid ?? 0;
			const status = readFileSync(`/proc/${pid}/status`, 'utf8');
			const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
			record('worker resident memory with 500 jobs polling at once (MB)', (rssKb / 1024).toFixed(0), '< 250');
		} finally {
			await deployment.stop();
			await minimax.close();
			await discord.close();
		}
	});
});
