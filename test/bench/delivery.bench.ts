import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fitForDiscord } from '../../src/media/fit.js';
import { startDiscordStandIn, type DiscordStandIn } from '../standins/discord.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';
import { CLIPS, makeClip, probeMedia } from '../helpers/ffmpeg.js';
import { nextUser, startDeployment, type Deployment } from '../helpers/deployment.js';

// Run with: npm run bench
// Targets: command → clip with a provider that answers at once under one PROGRESS_INTERVAL_MS plus
// 300 ms (the clip waits only what is left of the interval since the "queued" edit); a 12 MB clip
// re-encoded under 10 MiB in seconds, same duration and resolution.

const MiB = 1024 * 1024;
const INTERVAL = 1_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

describe('delivery', () => {
	test('re-encoding a 12 MB clip to fit a 10 MiB limit', async ({ bench }) => {
		const source = await makeClip(CLIPS.twelveMegabytes);
		let output: Buffer | undefined;
		const result = await bench('fitForDiscord, 12 MB → 10 MiB', async () => {
			const fitted = await fitForDiscord(source, { limit: 10 * MiB });
			if (fitted.kind !== 'encoded') throw new Error(`expected a re-encode, got ${fitted.kind}`);
			output = fitted.data;
		}).run({ iterations: 3, time: 0, warmup: false });
		const [before, after] = await Promise.all([probeMedia(source), probeMedia(output!)]);
		console.info(
			`re-encode: ${source.length} → ${output!.length} bytes (limit ${10 * MiB}), mean ${result.latency.mean.toFixed(0)} ms; ` +
				`${before.duration.toFixed(3)} s → ${after.duration.toFixed(3)} s, ${before.video.width}x${before.video.height} → ${after.video.width}x${after.video.height}, ` +
				`${after.video.codec} ${after.video.pixFmt}, audio ${after.audio?.codec ?? 'none'} ${after.audio?.channels ?? 0} ch`,
		);
		expect(output!.length).toBeLessThanOrEqual(10 * MiB);
	}, 300_000);

	describe('command → clip with a provider that answers at once', () => {
		let discord: DiscordStandIn;
		let minimax: MinimaxStandIn;
		let deployment: Deployment;

		beforeAll(async () => {
			discord = await startDiscordStandIn();
			minimax = await startMinimaxStandIn({ generationMs: 0, video: await makeClip(CLIPS.small) });
			deployment = await startDeployment(discord, {
				VIDEO_PROVIDER: 'minimax',
				MINIMAX_API_KEY: minimax.apiKey,
				MINIMAX_BASE_URL: minimax.baseUrl,
				PROGRESS_INTERVAL_MS: String(INTERVAL),
				USER_DAILY_QUOTA: '100',
			});
		}, 60_000);

		afterAll(async () => {
			await deployment?.stop();
			await discord?.close();
			await minimax?.close();
		});

		test(`PROGRESS_INTERVAL_MS=${INTERVAL}`, async ({ bench }) => {
			const times: number[] = [];
			const userId = nextUser();
			await bench('/video → the clip on the reply', async () => {
				const handle = discord.slashCommand({
					name: 'video',
					options: [{ name: 'prompt', type: 3, value: `a spark, take ${times.length}` }],
					userId,
				});
				const upload = await discord.waitFor(
					() => discord.requests.find((r) => r.files.length > 0 && r.status === 200 && r.path.includes(handle.token)),
					30_000,
					'the clip',
				);
				times.push(upload.at - handle.dispatchedAt);
			}).run({ iterations: 10, time: 0, warmup: false });
			console.info(
				`command → clip (arrival at Discord): median ${median(times)} ms, max ${Math.max(...times)} ms, over ${times.length} (target < ${INTERVAL + 300} ms)`,
			);
			expect(median(times)).toBeLessThan(INTERVAL + 300);
		}, 300_000);
	});
});
