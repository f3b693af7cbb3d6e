import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Where a job ended up, as `clapper_jobs_total` counts it. */
export type JobCountState = 'enqueued' | 'delivered' | 'failed' | 'cancelled';

/**
 * This process's Prometheus metrics. A series lives where its event happens (the bot counts
 * enqueued jobs and refusals, a worker deliveries and provider errors), and each counter moves by
 * exactly its events; `GET /metrics` on the process serves them with the default process metrics.
 */
export interface Metrics {
	readonly registry: Registry;
	readonly jobs: Counter<'state' | 'provider'>;
	readonly queueDepth: Gauge<'state'>;
	readonly jobWait: Histogram<'provider'>;
	readonly generation: Histogram<'provider'>;
	readonly delivery: Histogram<'provider'>;
	readonly providerErrors: Counter<'provider' | 'class'>;
	readonly quotaRefusals: Counter;
	readonly costUsd: Counter<'provider'>;
	readonly discordRateLimited: Counter;
	/** Where `clapper_queue_depth` reads from; unset, the gauge stays empty. */
	readQueueDepthFrom(source: QueueDepthSource): void;
}

/** How many jobs are in each state of the queue, read at scrape time (the bot sets it). */
export type QueueDepthSource = () => Promise<Readonly<Record<string, number>>>;

/** Generations take minutes; waits and deliveries seconds. */
const LONG = [5, 15, 30, 60, 120, 180, 300, 600, 1200];
const SHORT = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export function createMetrics(): Metrics {
	const registry = new Registry();
	collectDefaultMetrics({ register: registry });
	const registers = [registry];
	let queueDepth: QueueDepthSource | undefined;
	return {
		registry,
		jobs: new Counter({
			name: 'clapper_jobs_total',
			help: 'Video jobs by state reached',
			labelNames: ['state', 'provider'],
			registers,
		}),
		queueDepth: new Gauge({
			name: 'clapper_queue_depth',
			help: 'Video jobs in the queue by state, read at scrape time',
			labelNames: ['state'],
			registers,
			async collect() {
				if (queueDepth === undefined) return;
				const counts = await queueDepth();
				for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
			},
		}),
		jobWait: new Histogram({
			name: 'clapper_job_wait_seconds',
			help: 'From enqueue to a worker starting the job',
			labelNames: ['provider'],
			buckets: SHORT.concat(LONG.slice(4)),
			registers,
		}),
		generation: new Histogram({
			name: 'clapper_generation_seconds',
			help: 'From the create call to the clip being ready at the provider',
			labelNames: ['provider'],
			buckets: LONG,
			registers,
		}),
		delivery: new Histogram({
			name: 'clapper_delivery_seconds',
			help: 'From the clip being ready to it being posted on Discord (download, fit, upload)',
			labelNames: ['provider'],
			buckets: SHORT,
			registers,
		}),
		providerErrors: new Counter({
			name: 'clapper_provider_errors_total',
			help: 'Errors answered by providers, by failure class',
			labelNames: ['provider', 'class'],
			registers,
		}),
		quotaRefusals: new Counter({
			name: 'clapper_quota_refusals_total',
			help: 'Commands refused for a used-up quota or budget',
			registers,
		}),
		costUsd: new Counter({
			name: 'clapper_cost_usd_total',
			help: 'US dollars spent on delivered clips (the provider’s figure, else the configured price)',
			labelNames: ['provider'],
			registers,
		}),
		discordRateLimited: new Counter({
			name: 'clapper_discord_rate_limited_total',
			help: '429 answers received from Discord',
			registers,
		}),
		readQueueDepthFrom(source) {
			queueDepth = source;
		},
	};
}
