import { BlockList, isIP } from 'node:net';

/**
 * Addresses a download must not reach when it is meant for the public internet: loopback,
 * private networks, link-local (cloud metadata services live at 169.254.169.254), carrier-grade
 * NAT, and the other special-purpose ranges of IANA's registries. IPv4-mapped IPv6 addresses
 * (`::ffff:127.0.0.1`) are judged by their IPv4 part (node's BlockList does so).
 */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
	['0.0.0.0', 8],
	['10.0.0.0', 8],
	['100.64.0.0', 10],
	['127.0.0.0', 8],
	['169.254.0.0', 16],
	['172.16.0.0', 12],
	['192.0.0.0', 24],
	['192.0.2.0', 24],
	['192.88.99.0', 24],
	['192.168.0.0', 16],
	['198.18.0.0', 15],
	['198.51.100.0', 24],
	['203.0.113.0', 24],
	['224.0.0.0', 4],
	['240.0.0.0', 4],
] as const)
	NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
	['::', 128],
	['::1', 128],
	// IPv4-compatible (deprecated) and NAT64 addresses embed an IPv4 address that may be private.
	['::', 96],
	['64:ff9b::', 96],
	['64:ff9b:1::', 48],
	['100::', 64],
	['2001::', 23],
	['2001:db8::', 32],
	// 6to4 embeds an IPv4 address too.
	['2002::', 16],
	['fc00::', 7],
	['fe80::', 10],
	['fec0::', 10],
	['ff00::', 8],
] as const)
	NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');

/** An IP address without the brackets a URL puts around IPv6 (`[::1]` → `::1`), or undefined for a name. */
export function ipLiteral(hostname: string): string | undefined {
	const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
	return isIP(bare) === 0 ? undefined : bare;
}

/** True for an address on the public internet; false for loopback, private and special-purpose ones. */
export function isPublicAddress(address: string): boolean {
	const family = isIP(address);
	if (family === 0) return false;
	return !NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
