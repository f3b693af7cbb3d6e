import type { Redis } from 'ioredis';
import { AdminAlerts } from '../../src/discord/admin-alerts.js';
import { discordAttachmentGuard } from '../../src/discord/cdn.js';
import { Replies } from '../../src/discord/replies.js';
import { createRest, WORKER_REST } from '../../src/discord/rest.js';
import { createReopen, createSettle } from '../../src/generation/settle.js';
import { HandedBackError, PostponedError, type VideoJob, type VideoJobData } from '../../src/jobs/index.js';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics.js';
import type { ProviderName, VideoProvider } from '../../src/providers/types.js';
import { openStores, type Stores } from '../../src/store/index.js';
import type { VideoRequest } from '../../src/video/request.js';
import { NO_PRICES, type PriceTable } from '../../src/providers/prices.js';
import { createAdmission } from '../../src/worker/admission.js';
import { createProcessor } from '../../src/worker/processor.js';
import { intakeOf, openLimits } from '../helpers/quota.js';
import type { DiscordStandIn } from '../standins/discord.js';
import { cleanPrefix, connect, uniquePrefix } from '../helpers/redis.js';

/**
 * The processor tier: the worker's processor itself, with real Redis, provider stand-ins and the
 * Discord stand-in's REST, but no BullMQ worker and no process. A job is a plain handle whose
 * `save` keeps the data, so each case runs in well under a second.
 */

export interface HarnessOptions {
	readonly discord: DiscordStandIn;
	readonly providers: ReadonlyArray<VideoProvider> | ((stores: Stores) => ReadonlyArray<VideoProvider>);
	readonly generationTimeoutMs?: number;
	readonly quota?: number;
	/** USER_MAX_ACTIVE (default: no practical limit). */
	readonly maxActive?: number;
	readonly prices?: PriceTable;
	/** PROGRESS_INTERVAL_MS (default 400). */
	readonly progressIntervalMs?: number;
	/** Whether ADMIN_CHANNEL_ID is set (default: the stand-in's first channel). */
	readonly adminChannel?: boolean;
	/** The processor's clock (default Date.now), for bounds in time that real waits would make slow. */
	readonly now?: () => number;
}

export interface TestJob extends VideoJob {
	/** The interaction's token, to find its reply in the stand-in. */
	readonly token: string;
	/** Whether the job was handed back or postponed. */
	readonly handedOver: () => boolean;
	/** How long the job was last postponed for, if it was. */
	readonly postponedFor: () => number | undefined;
}

export interface JobInput {
	readonly userId: string;
	readonly request?: Partial<VideoRequest>;
	readonly provider?: ProviderName;
	readonly model?: string;
	readonly lastAttempt?: boolean;
	readonly attachmentSizeLimit?: number;
	readonly patch?: Partial<VideoJobData>;
}

export interface Harness {
	readonly redis: Redis;
	readonly prefix: string;
	readonly stores: Stores;
	readonly processor: ReturnType<typeof createProcessor>;
	/** A job as the bot leaves it: a reserved unit, a queued record, an acknowledged reply. */
	job(input: JobInput): Promise<TestJob>;
	/** Runs the job to its end; resolves with what the processor threw, if anything. */
	run(job: TestJob, shutdown?: AbortSignal): Promise<unknown>;
	used(userId: string): Promise<number>;
	close(): Promise<void>;
}

let counter = 0;

export async function startHarness(options: HarnessOptions): Promise<Harness> {
	const { discord } = options;
	const redis = connect();
	const prefix = uniquePrefix();
	const stores = openStores(redis, prefix);
	const quotaLimit = options.quota ?? 5;
	const rest = createRest(discord.apiUrl, discord.token, WORKER_REST);
	const providers = typeof options.providers === 'function' ? options.providers(stores) : options.providers;
	const logger = createLogger('silent', 'processor-test');
	const metrics = createMetrics();
	const processor = createProcessor({
		metrics,
		...stores,
		providers: new Map(providers.map((provider) => [provider.name, provider])),
		replies: new Replies(rest),
		attachmentGuard: discordAttachmentGuard(discord.apiUrl),
		settle: createSettle(stores),
		reopen: createReopen(stores),
		admit: createAdmission({ ...stores, maxActive: options.maxActive ?? 100, staleAfterMs: 3_600_000 }),
		prices: options.prices ?? NO_PRICES,
		alerts: new AdminAlerts(
			rest,
			stores.alerts,
			options.adminChannel === false ? undefined : discord.channelId,
			logger,
		),
		logger,
		pollIntervalMs: 30,
		// One edit per 400 ms is what the stand-in's webhook bucket allows (5 per 2 s): no job waits on a 429.
		progressIntervalMs: options.progressIntervalMs ?? 400,
		generationTimeoutMs: options.generationTimeoutMs ?? 20_000,
		...(options.now === undefined ? {} : { now: options.now }),
	});

	async function job(input: JobInput): Promise<TestJob> {
		const handle = discord.receivedCommand({ name: 'video', options: [], userId: input.userId });
		const callback = `${discord.apiUrl}/v10/interactions/${handle.id}/${handle.token}/callback`;
		const acked = await fetch(callback, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ type: 5 }),
		});
		if (!acked.ok) throw new Error(`defer answered ${acked.status}`);
		const queued = await fetch(
			`${discord.apiUrl}/v10/webhooks/${discord.applicationId}/${handle.token}/messages/@original`,
			{
				method: 'PATCH',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ content: '🎬 Queued.' }),
			},
		);
		const messageId = ((await queued.json()) as { id: string }).id;
		const request: VideoRequest = { prompt: 'a lighthouse in a storm', camera: [], directed: false, ...input.request };
		const holder = { jobId: handle.id, userId: input.userId, guildId: discord.guildId };
		const reservation = await stores.quota.reserve(holder, openLimits(quotaLimit), 0, intakeOf(holder));
		if (!reservation.granted) throw new Error('no quota left for the test job');
		await stores.intakes.enqueued(handle.id);
		const provider = input.provider ?? providers[0]?.name ?? 'preview';
		const model = input.model ?? 'T2V-01';
		await stores.records.save({
			interactionId: handle.id,
			userId: input.userId,
			guildId: discord.guildId,
			channelId: discord.channelId,
			messageId,
			request,
			model,
			state: 'queued',
			locale: 'en-US',
		});
		let data: VideoJobData = {
			v: 1,
			interaction: {
				id: handle.id,
				applicationId: discord.applicationId,
				token: handle.token,
				channelId: discord.channelId,
				guildId: discord.guildId,
				userId: input.userId,
				locale: 'en-US',
				createdAt: Date.now(),
				messageId,
				attachmentSizeLimit: input.attachmentSizeLimit ?? 10 * 1024 * 1024,
			},
			request,
			provider,
			model,
			failedOver: [],
			enqueuedAt: Date.now() - 1_000,
			...input.patch,
		};
		let handedOver = false;
		let postponedFor: number | undefined;
		return {
			id: `video-${handle.id}-${++counter}`,
			token: handle.token,
			get data() {
				return data;
			},
			round: 1,
			lastAttempt: input.lastAttempt ?? true,
			save: async (patch) => {
				data = { ...data, ...patch };
			},
			handBack: async () => {
				handedOver = true;
				throw new HandedBackError('handed back');
			},
			postpone: async (ms) => {
				handedOver = true;
				postponedFor = ms;
				throw new PostponedError('postponed');
			},
			handedOver: () => handedOver,
			postponedFor: () => postponedFor,
		};
	}

	return {
		redis,
		prefix,
		stores,
		processor,
		job,
		async run(handle, shutdown = new AbortController().signal) {
			try {
				await processor.process(handle, shutdown);
				return undefined;
			} catch (error) {
				return error;
			}
		},
		used: async (userId) => (await stores.quota.status(userId, quotaLimit)).used,
		async close() {
			await cleanPrefix(redis, prefix);
			redis.disconnect();
		},
	};
}
