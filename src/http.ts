import { Agent, interceptors, request, type Dispatcher } from 'undici';

/**
 * Every HTTP call this project makes itself (providers, file downloads) goes through its own
 * connection pools, never through undici's process-wide dispatcher: that one is shared, under one
 * symbol, by every copy of undici in the process (discord.js ships its own) and by Node's fetch,
 * and whichever copy loads first owns it. Our calls then never depend on load order, and never
 * change what the others use (see `src/discord/rest.ts`). Import `request` from undici nowhere else.
 */

let plain: Dispatcher | undefined;
let redirecting: Dispatcher | undefined;

/** API calls: redirects are not followed (a provider API that redirects is a protocol break). */
export const apiAgent = (): Dispatcher => (plain ??= new Agent());

/** File hosts (CDNs, signed storage links) may redirect, a few times. */
export const fileAgent = (): Dispatcher =>
	(redirecting ??= new Agent().compose(interceptors.redirect({ maxRedirections: 3 })));

type RequestOptions = { dispatcher?: Dispatcher } & Omit<
	Dispatcher.RequestOptions<null>,
	'origin' | 'path' | 'method'
> &
	Partial<Pick<Dispatcher.RequestOptions<null>, 'method'>>;

/** undici's `request`, on our own pool unless the caller (a test) passes a dispatcher. */
export function httpRequest(url: string, options: RequestOptions): Promise<Dispatcher.ResponseData<null>> {
	return request(url, { ...options, dispatcher: options.dispatcher ?? apiAgent() });
}
