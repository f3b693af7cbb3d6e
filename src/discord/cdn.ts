import { ipLiteral, isPublicAddress } from '../media/address.js';
import { originGuard, systemResolve, type DownloadGuard, type Resolve } from '../media/download.js';

/** Where Discord serves attachments: the CDN and its media proxy, over HTTPS on the default port. */
export const DISCORD_ATTACHMENT_ORIGINS = ['https://cdn.discordapp.com', 'https://media.discordapp.net'] as const;

/** Discord's own API origin: it serves no attachments, so it adds no place to fetch from. */
const DISCORD_API_ORIGIN = 'https://discord.com';

/**
 * The one guard for every download of a user-supplied file (`/video`'s images, Animate's, the clip
 * Extend continues, a sequence's shots): only Discord's attachment hosts, plus the origin of a
 * configured `DISCORD_API_URL` (a REST proxy or a local stand-in that serves attachments too).
 * Private and loopback addresses are refused unless that configured base is itself on one, as a
 * stand-in or a proxy on the private network is; with Discord's own base they never are.
 */
export function discordAttachmentGuard(apiUrl: string, resolve?: Resolve): DownloadGuard {
	const base = new URL(apiUrl);
	const configured = base.origin === DISCORD_API_ORIGIN ? [] : [base.origin];
	const allowPrivate = async () => {
		if (configured.length === 0) return false;
		const literal = ipLiteral(base.hostname);
		if (literal !== undefined) return !isPublicAddress(literal);
		if (base.hostname === 'localhost') return true;
		const addresses = await (resolve ?? systemResolve)(base.hostname);
		return addresses.some((address) => !isPublicAddress(address.address));
	};
	return originGuard({
		origins: [...DISCORD_ATTACHMENT_ORIGINS, ...configured],
		allowPrivate,
		...(resolve === undefined ? {} : { resolve }),
	});
}
