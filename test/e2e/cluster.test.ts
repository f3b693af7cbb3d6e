import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordStandIn, type DiscordStandIn } from '../standins/discord.js';
import { startMinimaxStandIn, type MinimaxStandIn } from '../standins/minimax.js';
import { clipOf, nextUser, startDeployment, type Deployment } from '../helpers/deployment.js';
import { answers, freePort } from '../helpers/servers.js';

/**
 * Redis beyond one box: a three-node Redis Cluster on loopback, and a command through it to a
 * delivered clip. The hash-tagged prefix keeps every key of the project (and BullMQ's) in one
 * slot, so multi-key scripts work.
 */

const NODES = 3;

let discord: DiscordStandIn;
let minimax: MinimaxStandIn;
let deployment: Deployment;
let cluster: Cluster;
const servers: ChildProcess[] = [];
const dirs: string[] = [];
let ports: number[] = [];

async function startClusterNodes(): Promise<void> {
	ports = await Promise.all(Array.from({ length: NODES }, () => freePort()));
	for (const port of ports) {
		const dir = mkdtempSync(join(tmpdir(), 'clapper-cluster-'));
		dirs.push(dir);
		servers.push(
			spawn(
				'redis-server',
				[
					'--port',
					String(port),
					'--bind',
					'127.0.0.1',
					'--cluster-enabled',
					'yes',
					'--cluster-config-file',
					'nodes.conf',
					'--save',
					'',
					'--appendonly',
					'no',
					'--dir',
					dir,
				],
				{
					stdio: 'ignore',
				},
			),
		);
	}
	for (const port of ports)
		for (let i = 0; i < 100 && !(await answers(`redis://127.0.0.1:${port}`)); i++) await sleep(50);
	const created = spawnSync(
		'redis-cli',
		['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'],
		{
			encoding: 'utf8',
		},
	);
	if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
	for (let i = 0; i < 100; i++) {
		const info = spawnSync('redis-cli', ['-p', String(ports[0]), 'cluster', 'info'], { encoding: 'utf8' }).stdout;
		if (info.includes('cluster_state:ok')) return;
		await sleep(100);
	}
	throw new Error('the cluster did not become ok');
}

describe('Redis Cluster', () => {
	beforeAll(async () => {
		await startClusterNodes();
		discord = await startDiscordStandIn();
		minimax = await startMinimaxStandIn({ generationMs: 300 });
		const prefix = `{clapper-${Date.now().toString(36)}}`;
		deployment = await startDeployment(discord, {
			REDIS_MODE: 'cluster',
			REDIS_URL: ports.map((port) => `redis://127.0.0.1:${port}`).join(','),
			REDIS_PREFIX: prefix,
			VIDEO_PROVIDER: 'minimax',
			MINIMAX_API_KEY: minimax.apiKey,
			MINIMAX_BASE_URL: minimax.baseUrl,
		});
		cluster = new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })));
	}, 90_000);
	afterAll(async () => {
		const violations = discord?.violations ?? [];
		await deployment?.stop();
		cluster?.disconnect();
		await minimax?.close();
		await discord?.close();
		for (const server of servers) server.kill('SIGKILL');
		for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
		expect(violations).toEqual([]);
	});

	it('takes a command to a delivered clip, with its keys on the cluster', async () => {
		const user = nextUser();
		const handle = discord.slashCommand({
			name: 'video',
			options: [{ name: 'prompt', type: 3, value: 'snow falling on a tram stop' }],
			userId: user,
		});
		const clip = await clipOf(discord, deployment, handle.token, 30_000);
		expect(clip.attachments.some((file) => file.data.equals(minimax.video))).toBe(true);
		expect(minimax.creates).toHaveLength(1);
		// The unit is spent and the record says done, read back from the cluster.
		const prefix = deployment.env['REDIS_PREFIX'] ?? '';
		expect(await cluster.zcard(`${prefix}:quota:user:${user}`)).toBe(1);
		// The record is settled just after the clip lands.
		const state = async () =>
			(JSON.parse((await cluster.get(`${prefix}:clip:${handle.id}`)) ?? '{}') as { state?: string }).state;
		for (let i = 0; i < 50 && (await state()) !== 'done'; i++) await new Promise((resolve) => setTimeout(resolve, 100));
		expect(await state()).toBe('done');
	});
});
