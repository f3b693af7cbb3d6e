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

/**
 * The calls of a provider's protocol a test can script wrong answers for: the paid create call,
 * the status query, a second read of the result (MiniMax's file retrieve, Segmind's and fal's
 * result URLs) and the download of the clip.
 */
export type CallKind = 'create' | 'poll' | 'result' | 'download';

/** One scripted answer, sent instead of what the protocol would say. */
export interface ScriptedAnswer {
	readonly status: number;
	readonly headers?: Readonly<Record<string, string>>;
	/** Text or bytes are sent as they are (an HTML page, garbage); anything else as JSON. */
	readonly body?: unknown;
	/** The connection is cut after half the body, which declared its full length: a truncated answer. */
	readonly truncated?: boolean;
	/** Runs once the answer is sent: a change at the provider at that moment (outputs deleted). */
	readonly then?: () => void;
}

/** In a script, the call the protocol answers itself (a good answer between bad ones). */
export const PASS = 'pass';

/**
 * Faults a test scripts on a stand-in, the same way for every provider: the next calls of a kind
 * get these answers, in order, and every call's arrival is recorded, so a test can measure how long
 * the client waited between two calls (Retry-After).
 */
export class Faults {
	private readonly scripted = new Map<CallKind, Array<ScriptedAnswer | typeof PASS>>();
	/** When each call arrived, by kind (epoch ms), scripted or not. */
	public readonly arrivals: Record<CallKind, number[]> = { create: [], poll: [], result: [], download: [] };

	/** The next calls of this kind get these answers, after any already scripted. */
	public script(kind: CallKind, ...answers: Array<ScriptedAnswer | typeof PASS>): void {
		this.scripted.set(kind, [...(this.scripted.get(kind) ?? []), ...answers]);
	}

	/** Scripted answers not yet given. */
	public pending(kind: CallKind): number {
		return this.scripted.get(kind)?.length ?? 0;
	}

	public clear(): void {
		this.scripted.clear();
	}

	/** Records the call; answers it from the script when an answer is due (true), else leaves it. */
	public serve(kind: CallKind, res: ServerResponse): boolean {
		this.arrivals[kind].push(Date.now());
		const answer = this.scripted.get(kind)?.shift();
		if (answer === undefined || answer === PASS) return false;
		const { body } = answer;
		const bytes =
			body === undefined
				? Buffer.alloc(0)
				: Buffer.isBuffer(body)
					? body
					: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
		const json = body !== undefined && !Buffer.isBuffer(body) && typeof body !== 'string';
		res.writeHead(answer.status, {
			...(json ? { 'content-type': 'application/json' } : {}),
			'content-length': String(bytes.length),
			...answer.headers,
		});
		if (answer.truncated === true) {
			res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
			res.socket?.destroy();
		} else res.end(bytes);
		answer.then?.();
		return true;
	}
}
