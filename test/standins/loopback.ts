import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The plumbing every provider stand-in shares: JSON in and out, serving a clip, start and stop. */

export function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	res.writeHead(status, { 'content-type': 'application/json', ...headers });
	res.end(JSON.stringify(body));
}

/** The request's JSON body, or undefined when it is not JSON. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	try {
		return JSON.parse(Buffer.concat(chunks).toString('utf8'));
	} catch {
		return undefined;
	}
}

/** Serves the exact clip bytes, as a provider's file host would. */
export function sendVideo(res: ServerResponse, video: Buffer, headers: Record<string, string> = {}): void {
	res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(video.length), ...headers });
	res.end(video);
}

/** Listens on a free loopback port and returns the origin. */
export async function listen(server: Server): Promise<string> {
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes the server and every open connection, so a test leaves no handle behind. */
export function closeServer(server: Server): Promise<void> {
	return new Promise<void>((resolve) => {
		server.closeAllConnections();
		server.close(() => resolve());
	});
}
