import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordAttachmentGuard } from '../../src/discord/cdn.js';
import { isPublicAddress } from '../../src/media/address.js';
import {
	fetchCapped,
	originGuard,
	UnsafeUrlError,
	type DownloadGuard,
	type Resolve,
	type UnsafeReason,
} from '../../src/media/download.js';
import { pick, seeded, type Random } from '../helpers/random.js';

/*
 * The one guarded download every member's file goes through: only Discord's attachment hosts (or
 * the configured API's origin), every redirect checked, private addresses refused unless the
 * configured base is itself private. Real loopback servers stand for the CDN and for an internal
 * service that must never be reached; each counts the requests it got.
 */

const PNG = Buffer.from('89504e470d0a1a0a', 'hex');

interface Counting {
	server: Server;
	origin: string;
	hits: string[];
}

async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<Counting> {
	const hits: string[] = [];
	const server = createServer((request, response) => {
		hits.push(request.url ?? '');
		handler(request, response);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

let cdn: Counting;
let internal: Counting;
/** The guard a deployment against a local stand-in has: its API (and CDN) on loopback. */
let local: DownloadGuard;
/** The guard of a deployment against Discord itself. */
const publicGuard = discordAttachmentGuard('https://discord.com/api');

beforeAll(async () => {
	internal = await serve((_request, response) => response.writeHead(200, { 'content-type': 'image/png' }).end(PNG));
	cdn = await serve((request, response) => {
		const url = new URL(request.url ?? '/', 'http://x');
		const to = url.searchParams.get('to');
		if (to !== null) response.writeHead(302, { location: to }).end();
		else response.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
	});
	local = discordAttachmentGuard(`${cdn.origin}/api`);
});

afterAll(async () => {
	for (const { server } of [cdn, internal]) await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function refusal(guard: DownloadGuard, url: string): Promise<UnsafeReason | 'fetched' | 'other'> {
	try {
		const result = await fetchCapped(url, 1024, { guard, timeoutMs: 2_000 });
		return result.ok ? 'fetched' : 'other';
	} catch (error) {
		return error instanceof UnsafeUrlError ? error.reason : 'other';
	}
}

async function checked(guard: DownloadGuard, url: string): Promise<UnsafeReason | 'allowed'> {
	try {
		await guard.check(new URL(url));
		return 'allowed';
	} catch (error) {
		if (error instanceof UnsafeUrlError) return error.reason;
		throw error;
	}
}

describe('attachment hosts with Discord as the base', () => {
	const ALLOWED = [
		'https://cdn.discordapp.com/attachments/1/2/frame.png?ex=6a&is=69&hm=ab&',
		'https://media.discordapp.net/attachments/1/2/frame.png',
		'https://cdn.discordapp.com:443/attachments/1/2/frame.png',
		'https://CDN.DiscordApp.COM/attachments/1/2/frame.png',
		// A backslash is a slash in an http(s) URL: this goes to the CDN, path /@evil.example.
		'https://cdn.discordapp.com\\@evil.example/frame.png',
	];
	const REFUSED: ReadonlyArray<readonly [string, UnsafeReason]> = [
		['http://cdn.discordapp.com/attachments/1/2/frame.png', 'scheme'],
		['ftp://cdn.discordapp.com/frame.png', 'scheme'],
		['file:///etc/passwd', 'scheme'],
		['data:image/png;base64,iVBORw0KGgo=', 'scheme'],
		['javascript:alert(1)', 'scheme'],
		['https://cdn.discordapp.com@evil.example/frame.png', 'credentials'],
		['https://cdn.discordapp.com:443@127.0.0.1/frame.png', 'credentials'],
		['https://user:secret@cdn.discordapp.com/frame.png', 'credentials'],
		['https://cdn.discordapp.com.evil.example/frame.png', 'host'],
		['https://cdn.discordapp.com./frame.png', 'host'],
		['https://evil-cdn.discordapp.com/frame.png', 'host'],
		['https://discordapp.com/frame.png', 'host'],
		['https://discord.com/api/v10/users/@me', 'host'],
		['https://cdn.discordapp.net/frame.png', 'host'],
		['https://evil.example/cdn.discordapp.com/frame.png', 'host'],
		['https://cdn.discordapp.com:8443/frame.png', 'port'],
		['https://cdn.discordapp.com:80/frame.png', 'port'],
		['https://media.discordapp.net:6379/frame.png', 'port'],
		['https://127.0.0.1/frame.png', 'host'],
		['https://127.1/frame.png', 'host'],
		['https://0x7f000001/frame.png', 'host'],
		['https://2130706433/frame.png', 'host'],
		['https://017700000001/frame.png', 'host'],
		['https://[::1]/frame.png', 'host'],
		['https://[::ffff:127.0.0.1]/frame.png', 'host'],
		['https://10.0.0.1/frame.png', 'host'],
		['https://172.16.5.4/frame.png', 'host'],
		['https://192.168.1.1/frame.png', 'host'],
		['https://169.254.169.254/latest/meta-data/', 'host'],
		['https://100.64.0.1/frame.png', 'host'],
		['https://[fc00::1]/frame.png', 'host'],
		['https://[fe80::1]/frame.png', 'host'],
		['https://localhost/frame.png', 'host'],
	];

	it(`allows Discord's CDN and media proxy over HTTPS (${ALLOWED.length} URLs)`, async () => {
		for (const url of ALLOWED) expect(await checked(publicGuard, url), url).toBe('allowed');
	});

	it(`refuses every other scheme, host, port and credential trick (${REFUSED.length} URLs), each for its reason`, async () => {
		for (const [url, reason] of REFUSED) expect(await checked(publicGuard, url), url).toBe(reason);
	});

	it('refuses what is not a URL at all', async () => {
		for (const url of ['', 'not a url', 'cdn.discordapp.com/frame.png', '//cdn.discordapp.com/x', 'https://'])
			expect(await refusal(publicGuard, url), url).toBe('malformed');
	});
});

/** The private and special ranges, written here independently of the code, as [first, last] integers. */
const PRIVATE_V4: ReadonlyArray<readonly [string, number]> = [
	['0.0.0.0', 8],
	['10.0.0.0', 8],
	['100.64.0.0', 10],
	['127.0.0.0', 8],
	['169.254.0.0', 16],
	['172.16.0.0', 12],
	['192.168.0.0', 16],
	['224.0.0.0', 4],
	['240.0.0.0', 4],
];
const v4 = (text: string) => text.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
const dotted = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
const inside = (random: Random, [network, prefix]: readonly [string, number]) =>
	dotted(v4(network) + Math.floor(random() * 2 ** (32 - prefix)));

describe('which addresses are public', () => {
	const PRIVATE = [
		'127.0.0.1',
		'127.255.255.254',
		'10.1.2.3',
		'172.16.0.1',
		'172.31.255.255',
		'192.168.0.1',
		'169.254.169.254',
		'100.64.0.1',
		'100.127.255.255',
		'0.0.0.0',
		'::1',
		'::',
		'::ffff:127.0.0.1',
		'::ffff:10.0.0.1',
		'::ffff:169.254.169.254',
		'fc00::1',
		'fd12:3456::1',
		'fe80::1',
		'febf::1',
		'ff02::1',
		'64:ff9b::a00:1',
		'2002:a00:1::1',
	];
	const PUBLIC = [
		'8.8.8.8',
		'1.1.1.1',
		'162.159.128.233',
		'172.15.255.255',
		'172.32.0.1',
		'100.63.255.255',
		'100.128.0.1',
		'192.167.255.255',
		'192.169.0.1',
		'11.0.0.1',
		'::ffff:8.8.8.8',
		'2606:4700:4700::1111',
		'2a00:1450:4007:80f::200e',
	];

	it(`refuses ${PRIVATE.length} private, loopback and link-local addresses and lets ${PUBLIC.length} public ones through`, () => {
		for (const address of PRIVATE) expect(isPublicAddress(address), address).toBe(false);
		for (const address of PUBLIC) expect(isPublicAddress(address), address).toBe(true);
		for (const name of ['localhost', 'cdn.discordapp.com', '', '1.2.3', '::g'])
			expect(isPublicAddress(name), name).toBe(false);
	});

	it('seed 20261204: 2,000 random IPv4 addresses, judged as the ranges written in this test judge them', () => {
		const random = seeded(20261204);
		for (let i = 0; i < 1_000; i++) {
			const range = pick(random, PRIVATE_V4);
			const address = inside(random, range);
			expect(isPublicAddress(address), address).toBe(false);
			expect(isPublicAddress(`::ffff:${address}`), `::ffff:${address}`).toBe(false);
		}
		let publicSeen = 0;
		for (let i = 0; i < 1_000; i++) {
			const address = dotted(Math.floor(random() * 2 ** 32));
			const n = v4(address);
			const listed = PRIVATE_V4.some(
				([network, prefix]) => Math.floor(n / 2 ** (32 - prefix)) === Math.floor(v4(network) / 2 ** (32 - prefix)),
			);
			// The code refuses a few more special ranges (documentation, benchmarking): never fewer.
			if (listed) expect(isPublicAddress(address), address).toBe(false);
			else if (isPublicAddress(address)) publicSeen++;
		}
		expect(publicSeen).toBeGreaterThan(800);
	});
});

describe('names resolved, and checked where the connection is made', () => {
	const resolveTo =
		(...addresses: string[]): Resolve =>
		async () =>
			addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

	it('refuses Discord’s own hosts when they resolve to a private address, before connecting', async () => {
		for (const address of ['127.0.0.1', '10.0.0.7', '169.254.169.254', '::1', 'fd00::5']) {
			const guard = discordAttachmentGuard('https://discord.com/api', resolveTo(address));
			expect(await refusal(guard, 'https://cdn.discordapp.com/attachments/1/2/frame.png'), address).toBe('address');
		}
		// One private answer among public ones is enough to refuse.
		const mixed = discordAttachmentGuard('https://discord.com/api', resolveTo('162.159.128.233', '127.0.0.1'));
		expect(await refusal(mixed, 'https://media.discordapp.net/attachments/1/2/frame.png')).toBe('address');
	});

	it('connects to the address it checked: a public-only guard never reaches a loopback server by name', async () => {
		const before = cdn.hits.length;
		const { port } = new URL(cdn.origin);
		const strict = originGuard({
			origins: [`http://cdn.test:${port}`],
			allowPrivate: async () => false,
			resolve: resolveTo('127.0.0.1'),
		});
		expect(await refusal(strict, `http://cdn.test:${port}/frame.png`)).toBe('address');
		expect(cdn.hits.length).toBe(before);
		// The same name, where private addresses are allowed, is fetched from the address resolved.
		const open = originGuard({
			origins: [`http://cdn.test:${port}`],
			allowPrivate: async () => true,
			resolve: resolveTo('127.0.0.1'),
		});
		expect(await refusal(open, `http://cdn.test:${port}/frame.png`)).toBe('fetched');
		expect(cdn.hits.length).toBe(before + 1);
	});

	it('allows private addresses only when the configured base is itself on one (a stand-in, a proxy on the LAN)', async () => {
		const { port } = new URL(cdn.origin);
		const proxy = discordAttachmentGuard(`http://discord-proxy:${port}/api`, resolveTo('127.0.0.1'));
		expect(await refusal(proxy, `http://discord-proxy:${port}/attachments/1/2/frame.png`)).toBe('fetched');
		const publicProxy = discordAttachmentGuard(`https://proxy.example/api`, resolveTo('203.0.114.9'));
		expect(await checked(publicProxy, 'https://proxy.example/attachments/1/2/frame.png')).toBe('allowed');
		const literal = discordAttachmentGuard(`https://203.0.114.9/api`);
		expect(await checked(literal, 'https://203.0.114.9/attachments/1/2/frame.png')).toBe('allowed');
	});

	it('seed 7: 100 random private answers for cdn.discordapp.com, none connected to', async () => {
		const random = seeded(7);
		for (let i = 0; i < 100; i++) {
			const address = inside(
				random,
				pick(
					random,
					PRIVATE_V4.filter(([network]) => network !== '224.0.0.0' && network !== '240.0.0.0'),
				),
			);
			const guard = discordAttachmentGuard('https://discord.com/api', resolveTo(address));
			expect(await refusal(guard, 'https://cdn.discordapp.com/attachments/1/2/f.png'), address).toBe('address');
		}
	});
});

describe('redirects, followed by hand and each checked', () => {
	/** A link through each hop in turn, ending at `final`. */
	const via = (final: string, ...hops: string[]) =>
		hops.reduceRight((to, hop) => `${hop}?to=${encodeURIComponent(to)}`, final);

	it('follows a redirect within the CDN, relative or absolute, up to three', async () => {
		expect(await refusal(local, `${cdn.origin}/a.png?to=/b.png`)).toBe('fetched');
		expect(
			await refusal(local, via(`${cdn.origin}/final.png`, `${cdn.origin}/1`, `${cdn.origin}/2`, `${cdn.origin}/3`)),
		).toBe('fetched');
		expect(
			await refusal(
				local,
				via(`${cdn.origin}/final.png`, `${cdn.origin}/1`, `${cdn.origin}/2`, `${cdn.origin}/3`, `${cdn.origin}/4`),
			),
		).toBe('redirects');
	});

	it('refuses a redirect off the CDN before fetching anything there', async () => {
		const before = internal.hits.length;
		const { port } = new URL(internal.origin);
		const targets: ReadonlyArray<readonly [string, UnsafeReason]> = [
			[`${internal.origin}/secret.png`, 'port'],
			[`http://localhost:${port}/secret.png`, 'host'],
			[`http://cdn.discordapp.com@127.0.0.1:${port}/secret.png`, 'credentials'],
			[`https://cdn.discordapp.com/x.png`.replace('https://cdn.discordapp.com', `http://[::1]:${port}`), 'host'],
			['file:///etc/passwd', 'scheme'],
			['http://169.254.169.254/latest/meta-data/', 'host'],
			['gopher://127.0.0.1:6379/_INFO', 'scheme'],
		];
		for (const [target, reason] of targets) {
			expect(await refusal(local, `${cdn.origin}/a.png?to=${encodeURIComponent(target)}`), target).toBe(reason);
			// The same target hidden behind a first hop that stays on the CDN.
			expect(await refusal(local, via(target, `${cdn.origin}/1`, `${cdn.origin}/2`))).toBe(reason);
		}
		expect(internal.hits.length).toBe(before);
	});
});

describe('seed 20261205: 500 crafted links aimed at an internal service', () => {
	it('none reaches it: each is refused before a byte is fetched', async () => {
		const random = seeded(20261205);
		const before = internal.hits.length;
		const cdnUrl = new URL(cdn.origin);
		const target = new URL(internal.origin);
		const hosts = [
			target.hostname,
			'127.1',
			'0x7f.1',
			'2130706433',
			'[::1]',
			'[::ffff:127.0.0.1]',
			'localhost',
			`${cdnUrl.hostname}.nip.io`,
			'cdn.discordapp.com',
		];
		const schemes = ['http', 'https', 'HTTP', 'ftp', 'ws'];
		const tricks: ReadonlyArray<(host: string, port: string) => string> = [
			(host, port) => `${pick(random, schemes)}://${host}:${port}/secret.png`,
			(host, port) => `http://${cdnUrl.host}@${host}:${port}/secret.png`,
			(host, port) => `http://${cdnUrl.host}:${cdnUrl.port}@${host}:${port}/`,
			(host, port) => `http://${host}:${port}#@${cdnUrl.host}/`,
			(host, port) => `http://${host}:${port}/?@${cdnUrl.host}/`,
			(host, port) => `http://${cdnUrl.hostname}:${port}/${host}`,
			(host, port) => `${cdn.origin}/a.png?to=${encodeURIComponent(`http://${host}:${port}/secret.png`)}`,
			(host, port) =>
				`${cdn.origin}/a.png?to=${encodeURIComponent(`/b.png?to=${encodeURIComponent(`http://${host}:${port}/x`)}`)}`,
			(host, port) => `http:/${host}:${port}/secret.png`,
			(host, port) => `http:\\\\${host}:${port}\\secret.png`,
		];
		const outcomes = new Map<string, number>();
		for (let i = 0; i < 500; i++) {
			const url = pick(random, tricks)(pick(random, hosts), target.port);
			const outcome = await refusal(local, url);
			outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
			expect(['fetched', 'other'], url).not.toContain(outcome);
		}
		expect(internal.hits.length).toBe(before);
		// Every kind of refusal was met, not one check doing all the work.
		expect([...outcomes.keys()].sort()).toEqual(['credentials', 'host', 'port', 'scheme']);
	});
});
