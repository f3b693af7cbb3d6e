import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAILURE_POLICY, type FailureClass, type ProviderFailure } from '../../src/failures.js';
import { PermanentJobError } from '../../src/jobs/index.js';
import { ProviderError } from '../../src/providers/errors.js';
import { MinimaxProvider } from '../../src/providers/minimax.js';
import { PreviewProvider } from '../../src/providers/preview.js';
import { priceTable } from '../../src/providers/prices.js';
import { PAUSED_RECHECK_MS, USER_BUSY_RECHECK_MS } from '../../src/worker/admission.js';
import { MALFORMED_POLLS_MAX } from '../../src/worker/generate.js';
import { limitProvider } from '../../src/worker/limits.js';
import type { Submission, TaskStatus, VideoProvider } from '../../src/providers/types.js';
import { english } from '../../src/texts/index.js';
import { startDiscordStandIn, type DiscordStandIn } from '../standins/discord.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';
import { startHarness, type Harness, type TestJob } from './harness.js';
import { closeAll } from '../helpers/deployment.js';

let users = 0;
const nextUser = () => `81234567890125${String(++users).padStart(4, '0')}`;

let discord: DiscordStandIn;
let minimax: MinimaxStandIn;

beforeAll(async () => {
	discord = await startDiscordStandIn();
	minimax = await startMinimaxStandIn({ generationMs: 150 });
});
afterAll(async () => {
	await closeAll(discord, minimax);
});

const minimaxProvider = () => new MinimaxProvider({ apiKey: minimax.apiKey, baseUrl: minimax.baseUrl });

/** As many status answers off the protocol in a row as end a job. */
const malformedRun = () =>
	Array.from({ length: MALFORMED_POLLS_MAX }, () => ({ status: 200, body: { task_id: 42, status: 'Exploded' } }));

/** The reply's text as the user last saw it. */
const shown = (job: TestJob) => discord.original(job.token)?.content ?? '';
const tokenUses = (job: TestJob) => discord.requests.filter((r) => r.path.includes(`/${job.token}`));
const clipOn = (job: TestJob) =>
	discord.original(job.token)?.attachments.find((file) => file.filename.endsWith('.mp4'));

describe('processor: generate → deliver → settle, with real Redis and stand-ins', () => {
	let harness: Harness;
	beforeEach(async () => {
		harness = await startHarness({ discord, providers: [minimaxProvider(), new PreviewProvider()] });
	});
	afterEach(async () => harness.close());

	it('delivers a clip once: attached to the reply, the unit spent, the record done', async () => {
		const user = nextUser();
		const job = await harness.job({ userId: user });
		const creates = minimax.creates.length;
		expect(await harness.run(job)).toBeUndefined();
		expect(clipOn(job)?.data.equals(minimax.video)).toBe(true);
		expect(shown(job)).toContain(`<@${user}>, your clip is ready`);
		expect(minimax.creates.length).toBe(creates + 1);
		expect(await harness.used(user)).toBe(1);
		expect((await harness.stores.records.get(job.data.interaction.id))?.state).toBe('done');
	});

	it('resumes a job whose clip landed before its worker died: no create call, no second upload, the unit spent', async () => {
		const user = nextUser();
		const job = await harness.job({ userId: user });
		expect(await harness.run(job)).toBeUndefined();
		// As if the worker had died between the upload and the settlement.
		await harness.redis.del(`${harness.prefix}:settled:${job.data.interaction.id}`);
		expect(job.data.delivery?.startedAt).toBeGreaterThan(0);
		const creates = minimax.creates.length;
		const uploads = () => discord.requests.filter((r) => r.files.length > 0 && r.path.includes(job.token)).length;
		const before = uploads();
		expect(await harness.run(job)).toBeUndefined();
		expect(minimax.creates.length).toBe(creates);
		expect(uploads()).toBe(before);
		expect(await harness.used(user)).toBe(1);
		expect((await harness.stores.records.get(job.data.interaction.id))?.state).toBe('done');
	});

	it('leaves a job that another run already settled exactly as it is', async () => {
		const user = nextUser();
		const job = await harness.job({ userId: user });
		expect(await harness.run(job)).toBeUndefined();
		const requests = discord.requests.length;
		const creates = minimax.creates.length;
		expect(await harness.run(job)).toBeUndefined();
		expect(discord.requests.length).toBe(requests);
		expect(minimax.creates.length).toBe(creates);
		expect(shown(job)).toContain('your clip is ready');
	});

	it('moves to a channel message of its own when the token answers 401, and saves it on the job', async () => {
		const user = nextUser();
		const job = await harness.job({ userId: user });
		discord.failNext(
			{ method: 'PATCH', path: new RegExp(`/${job.token}/messages/@original$`) },
			{ status: 401, body: { code: 50027, message: 'Invalid Webhook Token' } },
		);
		expect(await harness.run(job)).toBeUndefined();
		const moved = job.data.reply?.movedTo;
		expect(job.data.reply?.tokenDead).toBe(true);
		expect(moved).toBeDefined();
		expect(discord.message(moved!)?.attachments[0]?.data.equals(minimax.video)).toBe(true);
		expect(await harness.stores.edits.tokenDead(job.data.interaction.messageId)).toBe(true);
		expect(tokenUses(job).filter((r) => r.status === 401)).toHaveLength(1);
		expect((await harness.stores.records.get(job.data.interaction.id))?.messageId).toBe(moved);
	});

	it('delivers anyway when the channel refuses files: DM, a private note, a link; the unit stays spent', async () => {
		const user = nextUser();
		const job = await harness.job({ userId: user });
		discord.setBotPermissions(discord.channelId, { attachFiles: false });
		try {
			expect(await harness.run(job)).toBeUndefined();
		} finally {
			discord.setBotPermissions(discord.channelId, { attachFiles: true });
		}
		expect(discord.directMessages(user)[0]?.attachments[0]?.data.equals(minimax.video)).toBe(true);
		expect(shown(job)).toContain('Attach Files');
		expect(shown(job)).toContain(`${minimax.origin}/download/`);
		expect(await harness.used(user)).toBe(1);
		expect((await harness.stores.records.get(job.data.interaction.id))?.state).toBe('done');
	});

	it('fails over to the next provider before a task exists, and tells the admins once', async () => {
		const user = nextUser();
		const job = await harness.job({ userId: user });
		const before = discord.channelMessages().length;
		minimax.failNextCreate(1008, 'insufficient balance');
		expect(await harness.run(job)).toBeUndefined();
		expect(job.data.provider).toBe('preview');
		expect(job.data.failedOver).toEqual([{ provider: 'minimax', failure: 'credits' }]);
		expect(clipOn(job)).toBeDefined();
		const alerts = discord
			.channelMessages()
			.slice(before)
			.filter((m) => m.content.startsWith('⚠️'));
		expect(alerts.map((m) => m.content)).toEqual([expect.stringContaining('MiniMax is out of credits')]);
		expect(await harness.used(user)).toBe(1);
	});

	it('follows a submitted task to its end instead of failing over, and resumes it without a second create', async () => {
		const user = nextUser();
		const job = await harness.job({ userId: user });
		// A worker before this one created the task and died.
		const first = await minimaxProvider().submit({ model: 'T2V-01', request: job.data.request });
		if (first.kind !== 'task') throw new Error('expected a task');
		await job.save({ task: { id: first.taskId, submittedAt: Date.now() } });
		const creates = minimax.creates.length;
		expect(await harness.run(job)).toBeUndefined();
		expect(minimax.creates.length).toBe(creates);
		expect(clipOn(job)).toBeDefined();
	});

	it('never runs a delivered job again (a crash kept the queue from hearing it ended)', async () => {
		const user = nextUser();
		const job = await harness.job({ userId: user });
		await harness.run(job);
		const uploads = discord.requests.filter((r) => r.files.length > 0).length;
		const creates = minimax.creates.length;
		expect(await harness.run(job)).toBeUndefined();
		expect(discord.requests.filter((r) => r.files.length > 0).length).toBe(uploads);
		expect(minimax.creates.length).toBe(creates);
		expect(await harness.used(user)).toBe(1);
	});

	it('runs a failed job again when an operator retries it: the unit is taken again and the clip delivered', async () => {
		const user = nextUser();
		const job = await harness.job({ userId: user, provider: 'minimax', model: 'T2V-01' });
		minimax.failNextTask(0);
		expect(await harness.run(job)).toBeInstanceOf(PermanentJobError);
		expect(await harness.used(user)).toBe(0);
		expect(job.data.task).not.toBeNull();
		// The dashboard's Retry moves the failed job back to the queue; a worker picks it up.
		expect(await harness.run(job)).toBeUndefined();
		expect(clipOn(job)).toBeDefined();
		expect(await harness.used(user)).toBe(1);
		expect((await harness.stores.records.get(job.data.interaction.id))?.state).toBe('done');
	});

	it('hands the job back untouched when the worker is shutting down', async () => {
		const user = nextUser();
		const job = await harness.job({ userId: user });
		const shutdown = new AbortController();
		shutdown.abort();
		await harness.run(job, shutdown.signal);
		expect(job.handedOver()).toBe(true);
		expect(await harness.used(user)).toBe(1);
		expect((await harness.stores.records.get(job.data.interaction.id))?.state).toBe('queued');
	});

	describe('cancel at each stage', () => {
		it('before the create call: nothing is submitted and the unit comes back', async () => {
			const user = nextUser();
			const job = await harness.job({ userId: user });
			await harness.stores.records.requestCancel(job.data.interaction.id, user);
			const creates = minimax.creates.length;
			expect(await harness.run(job)).toBeUndefined();
			expect(minimax.creates.length).toBe(creates);
			expect(shown(job)).toContain(`Cancelled by <@${user}>`);
			expect(await harness.used(user)).toBe(0);
			expect((await harness.stores.records.get(job.data.interaction.id))?.state).toBe('cancelled');
		});

		it('while the provider generates: polling stops, no clip is posted, the unit comes back', async () => {
			const user = nextUser();
			const job = await harness.job({ userId: user });
			minimax.generationMs = 5_000;
			try {
				const running = harness.run(job);
				await discord.waitFor(() => job.data.task?.id, 3_000, 'the task');
				const admin = nextUser();
				await harness.stores.records.requestCancel(job.data.interaction.id, admin);
				expect(await running).toBeUndefined();
				expect(clipOn(job)).toBeUndefined();
				expect(shown(job)).toContain(`Cancelled by <@${admin}>`);
				expect(await harness.used(user)).toBe(0);
			} finally {
				minimax.generationMs = 150;
			}
		});

		it('after delivery: a late cancel changes nothing, the unit stays spent', async () => {
			const user = nextUser();
			const job = await harness.job({ userId: user });
			await harness.run(job);
			await harness.stores.records.requestCancel(job.data.interaction.id, user);
			const again = await harness.stores.records.get(job.data.interaction.id);
			expect(again?.state).toBe('done');
			expect(await harness.used(user)).toBe(1);
			expect(clipOn(job)).toBeDefined();
		});
	});

	describe('MiniMax-H3 on the v2 API', () => {
		const h3 = { provider: 'minimax' as const, model: 'MiniMax-H3' };

		it('sends camera moves as prose, shows that exact text, and settles with the cost billed per second', async () => {
			const user = nextUser();
			const job = await harness.job({
				userId: user,
				...h3,
				request: { prompt: '[Pan left] a fox', camera: ['Pan left'], directed: true, duration: 12 },
			});
			expect(await harness.run(job)).toBeUndefined();
			const body = minimax.v2.creates.at(-1)?.body;
			expect(body).toMatchObject({ content: [{ type: 'text', text: 'The camera pans left. A fox' }], duration: 12 });
			expect(shown(job)).toContain('> The camera pans left. A fox');
			expect(clipOn(job)?.data.equals(minimax.v2.video)).toBe(true);
			// 12 s × $0.08 at 768P, recorded by settle.
			const settled = await harness.stores.records.settlement(job.data.interaction.id);
			expect(JSON.parse(settled ?? '{}')).toMatchObject({ kind: 'delivered', costUsd: 0.96 });
		});

		it('asks the same task for a fresh link when the download is refused, never creating a second one', async () => {
			const user = nextUser();
			const job = await harness.job({ userId: user, ...h3 });
			const creates = minimax.v2.creates.length;
			const issued = minimax.v2.links.issued.length;
			minimax.v2.refuseNextDownloads(2, 410);
			expect(await harness.run(job)).toBeUndefined();
			expect(clipOn(job)?.data.equals(minimax.v2.video)).toBe(true);
			expect(minimax.v2.creates.length - creates).toBe(1);
			// The finished task's link, then two fresh ones asked of the same task.
			const links = minimax.v2.links.issued.slice(issued);
			expect(links).toHaveLength(3);
			expect(new Set(links).size).toBe(3);
			expect(minimax.v2.links.downloaded.slice(-3)).toEqual(links);
			expect(await harness.used(user)).toBe(1);
		});

		it('gives up after three fresh links, as link-expired (not a key problem), and gives the unit back', async () => {
			const user = nextUser();
			const job = await harness.job({ userId: user, ...h3 });
			const creates = minimax.v2.creates.length;
			minimax.v2.refuseNextDownloads(4, 403);
			expect(await harness.run(job)).toBeInstanceOf(PermanentJobError);
			expect(minimax.v2.creates.length - creates).toBe(1);
			expect(shown(job)).toBe(
				english.failed('link-expired', { prompt: 'a lighthouse in a storm', model: 'MiniMax-H3' }),
			);
			expect(await harness.used(user)).toBe(0);
		});

		for (const [end, failure] of [
			['failed', 'generation-failed'],
			['cancelled', 'task-cancelled'],
			['expired', 'task-expired'],
		] as const) {
			it(`a task that ends ${end} is told in its own words (${failure}) and the unit comes back`, async () => {
				const user = nextUser();
				const job = await harness.job({ userId: user, ...h3 });
				minimax.v2.endNextTask(end);
				expect(await harness.run(job)).toBeInstanceOf(PermanentJobError);
				expect(shown(job)).toBe(english.failed(failure, { prompt: 'a lighthouse in a storm', model: 'MiniMax-H3' }));
				expect(await harness.used(user)).toBe(0);
			});
		}
	});

	describe('failures from the MiniMax stand-in end the job in their own words and give the unit back', () => {
		const cases: Array<[FailureClass, string, (job: TestJob) => Promise<void> | void]> = [
			['rejected', 'invalid parameters at create', () => minimax.failNextCreate(2013, 'invalid params')],
			['safety-input', 'the prompt filter', () => minimax.failNextCreate(1026, 'input new_sensitive')],
			['safety-output', 'the output filter', () => minimax.failNextTask(1027)],
			['generation-failed', 'a task that fails without a reason', () => minimax.failNextTask(0)],
			[
				'malformed',
				'a run of status answers off the protocol (one alone is asked again)',
				() => minimax.faults.script('poll', ...malformedRun()),
			],
			['outcome-unknown', 'a create call cut off by a crash', (job) => job.save({ submittingAt: Date.now() - 5_000 })],
		];
		it('outcome-unknown without an admin channel: the words do not say the admins were told', async () => {
			const single = await startHarness({ discord, providers: [minimaxProvider()], adminChannel: false });
			try {
				const job = await single.job({ userId: nextUser() });
				await job.save({ submittingAt: Date.now() - 5_000 });
				expect(await single.run(job)).toBeInstanceOf(PermanentJobError);
				const progress = { prompt: job.data.request.prompt, model: job.data.model };
				expect(shown(job)).toBe(english.failed('outcome-unknown', progress, false));
				expect(shown(job)).not.toMatch(/admins/);
			} finally {
				await single.close();
			}
		});

		for (const [failure, what, arrange] of cases) {
			it(`${failure}: ${what}`, async () => {
				const single = await startHarness({ discord, providers: [minimaxProvider()] });
				try {
					const user = nextUser();
					const job = await single.job({ userId: user });
					await arrange(job);
					const thrown = await single.run(job);
					expect(thrown).toBeInstanceOf(PermanentJobError);
					// The harness has an admin channel: the words say the admins were told exactly when the policy alerts them.
					expect(shown(job)).toBe(
						english.failed(
							failure,
							{ prompt: job.data.request.prompt, model: job.data.model },
							FAILURE_POLICY[failure].alert !== null,
						),
					);
					expect(await single.used(user)).toBe(FAILURE_POLICY[failure].refund ? 0 : 1);
					expect((await single.stores.records.get(job.data.interaction.id))?.state).toBe('failed');
				} finally {
					await single.close();
				}
			});
		}

		it('timed-out: a task that outlives GENERATION_TIMEOUT_MS', async () => {
			const single = await startHarness({ discord, providers: [minimaxProvider()], generationTimeoutMs: 200 });
			minimax.generationMs = 5_000;
			try {
				const user = nextUser();
				const job = await single.job({ userId: user });
				expect(await single.run(job)).toBeInstanceOf(PermanentJobError);
				expect(shown(job)).toContain(english.failures['timed-out']);
				expect(await single.used(user)).toBe(0);
			} finally {
				minimax.generationMs = 150;
				await single.close();
			}
		});

		it('undeliverable: Discord refuses the finished clip for good', async () => {
			const user = nextUser();
			const job = await harness.job({ userId: user });
			// Every edit of this reply is refused: progress edits are let go, the delivery cannot be.
			const route = new RegExp(`/${job.token}/messages/@original$`);
			discord.failNext(
				{ method: 'PATCH', path: route },
				{ status: 400, body: { code: 50035, message: 'Invalid Form Body' } },
				1_000,
			);
			const thrown = await harness.run(job);
			expect(thrown).toBeInstanceOf(PermanentJobError);
			expect(await harness.used(user)).toBe(0);
		});
	});

	describe('every failure class, as a provider raises it: retried while attempts remain, then settled by its policy row', () => {
		/** A provider that fails its create call with one failure class. */
		const failing = (failure: ProviderFailure): VideoProvider => ({
			name: 'segmind',
			submit: (): Promise<Submission> => Promise.reject(new ProviderError('segmind', failure, `scripted ${failure}`)),
			poll: (): Promise<TaskStatus> => Promise.reject(new Error('no task')),
		});
		const providerFailures = (Object.keys(FAILURE_POLICY) as FailureClass[]).filter(
			(failure): failure is ProviderFailure => !['source-unreadable', 'undeliverable', 'internal'].includes(failure),
		);
		for (const raised of providerFailures) {
			// A create call answered unreadably may have made a task: it ends as outcome-unknown, never sent again.
			const failure = raised === 'malformed' ? 'outcome-unknown' : raised;
			it(raised === failure ? failure : `${raised} at create: ${failure}`, async () => {
				const single = await startHarness({ discord, providers: [failing(raised)] });
				try {
					const user = nextUser();
					const early = await single.job({
						userId: user,
						provider: 'segmind',
						model: 'minimax-ai',
						lastAttempt: false,
					});
					const thrownEarly = await single.run(early);
					if (FAILURE_POLICY[failure].retry) {
						// Not the last attempt: the job goes back to BullMQ for another, still holding its unit.
						expect(thrownEarly).toBeInstanceOf(ProviderError);
						expect(await single.used(user)).toBe(1);
					} else {
						expect(thrownEarly).toBeInstanceOf(PermanentJobError);
						expect(await single.used(user)).toBe(FAILURE_POLICY[failure].refund ? 0 : 1);
					}
					const other = nextUser();
					const last = await single.job({ userId: other, provider: 'segmind', model: 'minimax-ai', lastAttempt: true });
					expect(await single.run(last)).toBeInstanceOf(PermanentJobError);
					expect(shown(last)).toContain(english.failures[failure]);
					expect(await single.used(other)).toBe(FAILURE_POLICY[failure].refund ? 0 : 1);
				} finally {
					await single.close();
				}
			});
		}
	});

	it('source-unreadable: an Extend whose clip message is gone fails before any create call', async () => {
		const user = nextUser();
		const job = await harness.job({
			userId: user,
			model: 'I2V-01',
			request: {
				extendsFrom: {
					interactionId: '1573597093061328001',
					channelId: discord.channelId,
					messageId: '1573597093061328002',
				},
			},
		});
		const creates = minimax.creates.length;
		expect(await harness.run(job)).toBeInstanceOf(PermanentJobError);
		expect(minimax.creates.length).toBe(creates);
		expect(shown(job)).toContain(english.failures['source-unreadable']);
		expect(await harness.used(user)).toBe(0);
	});

	it('source-unreadable: an Extend whose clip links off Discord’s attachment hosts fetches nothing there', async () => {
		const hits: string[] = [];
		const internal = createServer((request, response) => {
			hits.push(request.url ?? '');
			response.writeHead(200, { 'content-type': 'video/mp4' }).end(minimax.video);
		});
		await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
		try {
			const { port } = internal.address() as AddressInfo;
			const target = `http://127.0.0.1:${port}/clip.mp4`;
			const clip = (extra: { url?: string; redirectTo?: string }) => ({
				filename: 'clip.mp4',
				data: minimax.video,
				contentType: 'video/mp4',
				...extra,
			});
			const uploads = [
				clip({ url: target }),
				clip({ url: `http://${new URL(discord.origin).host}@127.0.0.1:${port}/clip.mp4` }),
				clip({ url: `http://localhost:${port}/clip.mp4` }),
				clip({ url: `http://[::1]:${port}/clip.mp4` }),
				clip({ url: 'http://169.254.169.254/latest/meta-data/' }),
				clip({ redirectTo: target }),
			];
			for (const upload of uploads) {
				const message = discord.memberMessage({ userId: nextUser(), attachments: [upload] });
				const user = nextUser();
				const job = await harness.job({
					userId: user,
					model: 'I2V-01',
					request: {
						extendsFrom: { interactionId: '1573597093061328001', channelId: discord.channelId, messageId: message.id },
					},
				});
				const creates = minimax.creates.length;
				expect(await harness.run(job), upload.url ?? upload.redirectTo).toBeInstanceOf(PermanentJobError);
				expect(minimax.creates.length).toBe(creates);
				expect(shown(job)).toContain(english.failures['source-unreadable']);
				expect(await harness.used(user)).toBe(0);
			}
			expect(hits).toEqual([]);
		} finally {
			await new Promise<void>((resolve) => internal.close(() => resolve()));
		}
	});

	it('abandons a job that stalled too often with the internal failure, once', async () => {
		const user = nextUser();
		const job = await harness.job({ userId: user });
		await harness.processor.abandon(job.data, new Error('job stalled more than allowable limit'));
		await harness.processor.abandon(job.data, new Error('job stalled more than allowable limit'));
		expect(shown(job)).toContain(english.failures.internal);
		expect(await harness.used(user)).toBe(0);
	});
});

describe('processor: who may start, and what a clip cost', () => {
	let harness: Harness | undefined;
	afterEach(async () => harness?.close());

	it('holds back a job of a paused server before any create call, and starts it once resumed', async () => {
		harness = await startHarness({ discord, providers: [minimaxProvider()] });
		const user = nextUser();
		const job = await harness.job({ userId: user });
		await harness.stores.guilds.pause(discord.guildId, 'someone', Date.now());
		const creates = minimax.creates.length;
		await harness.run(job);
		expect(job.postponedFor()).toBe(PAUSED_RECHECK_MS);
		expect(minimax.creates.length).toBe(creates);
		expect((await harness.stores.records.get(job.data.interaction.id))?.state).toBe('queued');
		expect(await harness.used(user)).toBe(1);
		await harness.stores.guilds.resume(discord.guildId);
		expect(await harness.run(job)).toBeUndefined();
		expect(clipOn(job)).toBeDefined();
	});

	it('holds back a user’s second job while their first runs (USER_MAX_ACTIVE=1), and starts it after', async () => {
		harness = await startHarness({ discord, providers: [minimaxProvider()], maxActive: 1 });
		const user = nextUser();
		const running = await harness.job({ userId: user });
		const next = await harness.job({ userId: user });
		const { stores } = harness;
		const holder = (job: TestJob) => ({ jobId: job.data.interaction.id, userId: user, guildId: discord.guildId });
		// The first is running on another worker.
		expect(await stores.quota.admit(holder(running), 1, 60_000)).toBe(true);
		await harness.run(next);
		expect(next.postponedFor()).toBe(USER_BUSY_RECHECK_MS);
		// Another user is not held back by it.
		const other = await harness.job({ userId: nextUser() });
		expect(await harness.run(other)).toBeUndefined();
		expect(clipOn(other)).toBeDefined();
		await harness.run(running);
		expect(clipOn(running)).toBeDefined();
		expect(await harness.run(next)).toBeUndefined();
		expect(clipOn(next)).toBeDefined();
	});

	it('waits when the provider is at its rate, without a create call, for as long as the window says', async () => {
		harness = await startHarness({
			discord,
			providers: (stores) => [
				limitProvider(minimaxProvider(), {
					limits: stores.limits,
					settings: { rpm: 1, windowMs: 60_000, leaseMs: 60_000 },
					busyRetryMs: 1_000,
				}),
			],
		});
		const first = await harness.job({ userId: nextUser() });
		const second = await harness.job({ userId: nextUser() });
		expect(await harness.run(first)).toBeUndefined();
		const creates = minimax.creates.length;
		await harness.run(second);
		expect(minimax.creates.length).toBe(creates);
		expect(second.postponedFor()).toBeGreaterThan(55_000);
		expect(second.postponedFor()).toBeLessThanOrEqual(60_000);
		// It has not failed and can still be submitted later: nothing was left half-done.
		expect(second.data.submittingAt).toBeNull();
		expect(second.data.task ?? null).toBeNull();
		expect(await harness.used(second.data.interaction.userId)).toBe(1);
	});

	it('shows the cost on the result and records it in the ledger: the provider’s figure, else the price', async () => {
		harness = await startHarness({
			discord,
			providers: [minimaxProvider(), new PreviewProvider()],
			prices: priceTable({ PRICE_MINIMAX: 0.43, PRICE_PREVIEW: 5 }),
		});
		const priced = await harness.job({ userId: nextUser() });
		expect(await harness.run(priced)).toBeUndefined();
		expect(shown(priced)).toMatch(/ · \$0\.43/);
		// The preview reports its own cost (nothing), which wins over a configured price.
		const free = await harness.job({ userId: nextUser(), provider: 'preview', model: 'animatic' });
		expect(await harness.run(free)).toBeUndefined();
		expect(shown(free)).toMatch(/ · \$0\.00/);
		const rows = await harness.stores.ledger.rows(discord.guildId, 1, Date.now());
		const byUser = new Map(rows.map((row) => [row.userId, row]));
		expect(byUser.get(priced.data.interaction.userId)).toMatchObject({ clips: 1, micros: 430_000, unpriced: 0 });
		expect(byUser.get(free.data.interaction.userId)).toMatchObject({ clips: 1, micros: 0, unpriced: 0 });
	});
});
