import { existsSync } from 'node:fs';
import process from 'node:process';
import { Routes, type RESTGetAPICurrentUserResult, type RESTGetCurrentApplicationResult } from 'discord.js';
import type { RedisConnection } from '../redis.js';
import { commands, messageCommands } from '../../commands/index.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { createRest } from '../discord/rest.js';
import { runFfmpeg } from '../media/ffmpeg.js';
import { CATALOG } from '../providers/catalog.js';
import { createProviders } from '../providers/index.js';
import { checkKey } from '../providers/key-check.js';
import { FONT_FILE } from '../providers/preview.js';
import { connectRedis, redisAddress, untilReady } from '../redis.js';
import { WorkerBeats } from '../store/workers.js';

/**
 * `npm run doctor`: everything a deployment needs, checked from where it runs, as a checklist.
 * It changes nothing and spends nothing (provider keys are checked by looking up a task that does
 * not exist, which no provider bills). Exits 0 only when every check passes.
 */

interface Check {
	readonly ok: boolean;
	readonly line: string;
}

const pass = (line: string): Check => ({ ok: true, line });
const fail = (line: string): Check => ({ ok: false, line });
const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function redisChecks(config: Config): Promise<{ checks: Check[]; redis?: RedisConnection }> {
	const where = redisAddress(config.redis.url);
	const redis = connectRedis(config.redis, 'fail-fast');
	redis.on('error', () => undefined);
	try {
		await untilReady(redis, config.redis.url);
	} catch (error) {
		redis.disconnect();
		return { checks: [fail(`Redis: ${reason(error)}`)] };
	}
	const info = await redis.info();
	const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
	const checks = [pass(`Redis at ${where} answers (Redis ${field('redis_version') ?? '?'})`)];
	const aof = field('aof_enabled') === '1';
	const save = await redis
		.config('GET', 'save')
		.then((reply) => String(reply[1] ?? ''))
		.catch(() => undefined);
	if (aof) checks.push(pass('Redis keeps the queue on disk (AOF)'));
	else if (save !== undefined && save !== '')
		checks.push(pass(`Redis keeps the queue on disk (snapshots: save ${save}); AOF loses less`));
	else checks.push(fail('Redis keeps nothing on disk, so a restart loses every job: set appendonly yes (AOF)'));
	const policy = field('maxmemory_policy');
	if (policy === 'noeviction') checks.push(pass('Redis never evicts keys (maxmemory-policy noeviction)'));
	else
		checks.push(
			fail(
				`Redis evicts keys under memory pressure (maxmemory-policy ${policy ?? 'unknown'}), which loses jobs: set maxmemory-policy noeviction`,
			),
		);
	return { checks, redis };
}

async function discordChecks(config: Config): Promise<Check[]> {
	const rest = createRest(config.discord.apiUrl, config.discord.token);
	let user: RESTGetAPICurrentUserResult;
	try {
		user = (await rest.get(Routes.user('@me'))) as RESTGetAPICurrentUserResult;
	} catch (error) {
		return [
			fail(`Discord does not accept DISCORD_TOKEN (${reason(error)}): copy the bot token from the developer portal`),
		];
	}
	const checks = [pass(`Discord accepts the token (bot ${user.username})`)];
	const application = (await rest.get(Routes.currentApplication())) as RESTGetCurrentApplicationResult;
	const ours = [...commands, ...messageCommands].map((command) => command.data.name);
	const shown = (name: string) => (messageCommands.some((command) => command.data.name === name) ? name : `/${name}`);
	const names = async (route: `/${string}`) =>
		((await rest.get(route)) as ReadonlyArray<{ readonly name: string }>).map((command) => command.name);
	const global = await names(Routes.applicationCommands(application.id));
	const { guildId } = config.discord;
	const guild =
		guildId === undefined ? [] : await names(Routes.applicationGuildCommands(application.id, guildId)).catch(() => []);
	const missing = ours.filter((name) => !global.includes(name) && !guild.includes(name));
	const where = [
		global.length > 0 ? 'globally' : undefined,
		guild.length > 0 ? `in the server ${guildId ?? ''}` : undefined,
	].filter(Boolean);
	if (missing.length === 0)
		checks.push(pass(`the commands are registered ${where.join(' and ')}: ${ours.map(shown).join(', ')}`));
	else checks.push(fail(`these commands are not registered: ${missing.map(shown).join(', ')}: run npm run deploy`));
	return checks;
}

async function providerChecks(config: Config): Promise<Check[]> {
	const providers = createProviders(config);
	const checks: Check[] = [];
	for (const [name, provider] of providers) {
		const label = CATALOG[name].label;
		if (name === 'preview') {
			checks.push(pass(`${label} needs no key`));
			continue;
		}
		const result = await checkKey(provider, config.remote[name].baseUrl, AbortSignal.timeout(15_000)).catch(
			(error: unknown) => ({
				verdict: 'unreachable' as const,
				detail: reason(error),
			}),
		);
		if (result.verdict === 'accepted') checks.push(pass(`${label} accepts its key (checked for free)`));
		else if (result.verdict === 'refused')
			checks.push(fail(`${label} refuses its key: check ${CATALOG[name].keyEnv ?? 'its key'}`));
		else if (result.verdict === 'no-credits')
			checks.push(fail(`${label} accepts its key but the account is out of credits: top it up`));
		else
			checks.push(
				fail(
					`${label} cannot be reached (${result.detail}): check ${CATALOG[name].baseUrlEnv ?? 'its address'} and the network`,
				),
			);
	}
	return checks;
}

async function toolChecks(): Promise<Check[]> {
	const checks: Check[] = [];
	for (const binary of ['ffmpeg', 'ffprobe']) {
		const version = await runFfmpeg({ binary, args: ['-version'], timeoutMs: 10_000 }).then(
			(out) => out.toString().split('\n')[0] ?? binary,
			() => undefined,
		);
		checks.push(
			version === undefined
				? fail(
						`${binary} is missing: workers need it for Extend, fitting clips to Discord and the preview (Debian: apt-get install ffmpeg)`,
					)
				: pass(version.trim()),
		);
	}
	checks.push(
		existsSync(FONT_FILE)
			? pass('the preview’s font is installed (DejaVu Sans)')
			: fail('the preview’s font is missing, so its title cards fall back to any font: install fonts-dejavu-core'),
	);
	return checks;
}

async function workerCheck(redis: RedisConnection, config: Config): Promise<Check> {
	const { count, lastBeatAt } = await new WorkerBeats(redis, config.redis.prefix).alive();
	if (count > 0) return pass(`${count} worker${count === 1 ? ' is' : 's are'} alive`);
	const last = lastBeatAt === null ? 'none has run yet' : `the last beat was at ${new Date(lastBeatAt).toISOString()}`;
	return fail(`no worker is alive (${last}): start one with npm run start:worker`);
}

async function doctor(): Promise<boolean> {
	const checks: Check[] = [];
	const say = (check: Check) => process.stdout.write(`${check.ok ? '✔' : '✘'} ${check.line}\n`);
	let config: Config;
	try {
		config = loadConfig(process.env, 'all');
	} catch (error) {
		if (!(error instanceof ConfigError)) throw error;
		for (const problem of error.problems) say(fail(`configuration: ${problem}`));
		return false;
	}
	say(pass(`configuration: providers ${config.providers.join(', ')} (default ${config.provider})`));
	const { checks: redis, redis: connection } = await redisChecks(config);
	for (const group of [redis, await discordChecks(config), await providerChecks(config), await toolChecks()]) {
		for (const check of group) {
			checks.push(check);
			say(check);
		}
	}
	if (connection !== undefined) {
		const workers = await workerCheck(connection, config);
		checks.push(workers);
		say(workers);
		connection.disconnect();
	}
	return checks.every((check) => check.ok) && connection !== undefined;
}

const healthy = await doctor().catch((error: unknown) => {
	process.stdout.write(`✘ the doctor itself failed: ${reason(error)}\n`);
	return false;
});
process.stdout.write(
	healthy
		? '\nEverything this deployment needs is in place.\n'
		: '\nFix the ✘ lines above, then run npm run doctor again.\n',
);
process.exit(healthy ? 0 : 1);
