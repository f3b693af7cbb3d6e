// The part of Discord's gateway discord.js needs: HELLO → IDENTIFY → READY + GUILD_CREATE,
// heartbeats, RESUME, and dispatches. Plain JSON text frames (discord.js without zlib-sync).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

/** A text frame's payload, however ws hands it over. */
export const rawText = (raw: Buffer | ArrayBuffer | Buffer[]): string =>
	(Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw as ArrayBuffer)).toString();

const HEARTBEAT_INTERVAL_MS = 41_250;

enum Op {
	Dispatch = 0,
	Heartbeat = 1,
	Identify = 2,
	PresenceUpdate = 3,
	VoiceStateUpdate = 4,
	Resume = 6,
	RequestGuildMembers = 8,
	InvalidSession = 9,
	Hello = 10,
	HeartbeatAck = 11,
}

enum Close {
	UnknownOpcode = 4001,
	DecodeError = 4002,
	AuthenticationFailed = 4004,
}

interface Connection {
	seq: number;
	sessionId: string | null;
	/** The shard it identified as, `[id, count]`. */
	shard: [number, number];
}

export interface GatewayOptions {
	token: string;
	/** Events sent right after a successful IDENTIFY (READY first), for the shard it identified as. */
	onIdentify: (sessionId: string, shard: [number, number]) => Array<{ t: string; d: unknown }>;
	/** The shard of `count` that owns a server's events. */
	shardOf: (guildId: string, count: number) => number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

export class FakeGateway {
	private readonly wss = new WebSocketServer({ noServer: true });
	private readonly connections = new Map<WebSocket, Connection>();
	private readonly sessionIds = new Set<string>();
	private waiters: Array<() => void> = [];
	identifyCount = 0;
	/** Every IDENTIFY's shard, `[id, count]`, in order. */
	readonly identified: Array<[number, number]> = [];

	constructor(private readonly options: GatewayOptions) {}

	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
		this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
	}

	/**
	 * Sends a dispatch to every identified connection, or only to the shards that own `guildId`'s
	 * events when one is given, as Discord routes them; returns how many got it.
	 */
	dispatch(t: string, d: unknown, guildId?: string): number {
		let sent = 0;
		for (const [ws, conn] of this.connections) {
			if (conn.sessionId === null) continue;
			if (guildId !== undefined && this.options.shardOf(guildId, conn.shard[1]) !== conn.shard[0]) continue;
			this.send(ws, { op: Op.Dispatch, t, s: ++conn.seq, d });
			sent++;
		}
		return sent;
	}

	/** Resolves once some connection is identified (immediately if one already is). */
	whenIdentified(): Promise<void> {
		if (this.hasIdentified()) return Promise.resolve();
		return new Promise((resolve) => this.waiters.push(resolve));
	}

	close(): Promise<void> {
		for (const ws of this.connections.keys()) ws.terminate();
		this.connections.clear();
		return new Promise((resolve) => this.wss.close(() => resolve()));
	}

	private hasIdentified(): boolean {
		return [...this.connections.values()].some((c) => c.sessionId !== null);
	}

	private accept(ws: WebSocket): void {
		this.connections.set(ws, { seq: 0, sessionId: null, shard: [0, 1] });
		ws.on('message', (raw) => this.receive(ws, raw));
		ws.on('close', () => this.connections.delete(ws));
		ws.on('error', () => this.connections.delete(ws));
		this.send(ws, { op: Op.Hello, d: { heartbeat_interval: HEARTBEAT_INTERVAL_MS } });
	}

	private send(ws: WebSocket, frame: { op: Op; d: unknown; t?: string; s?: number }): void {
		ws.send(JSON.stringify({ t: null, s: null, ...frame }));
	}

	private receive(ws: WebSocket, raw: RawData): void {
		const conn = this.connections.get(ws);
		let frame: unknown;
		try {
			frame = JSON.parse(rawText(raw));
		} catch {
			ws.close(Close.DecodeError, 'Error while decoding payload.');
			return;
		}
		if (!conn || !isRecord(frame)) return;
		switch (frame.op) {
			case Op.Heartbeat:
				this.send(ws, { op: Op.HeartbeatAck, d: null });
				break;
			case Op.Identify:
				this.identify(ws, conn, frame.d);
				break;
			case Op.Resume:
				this.resume(ws, conn, frame.d);
				break;
			case Op.PresenceUpdate:
			case Op.VoiceStateUpdate:
			case Op.RequestGuildMembers:
				break;
			default:
				ws.close(Close.UnknownOpcode, 'Unknown opcode.');
		}
	}

	private identify(ws: WebSocket, conn: Connection, d: unknown): void {
		if (!isRecord(d) || d.token !== this.options.token) {
			ws.close(Close.AuthenticationFailed, 'Authentication failed.');
			return;
		}
		this.identifyCount++;
		const sessionId = randomBytes(16).toString('hex');
		this.sessionIds.add(sessionId);
		conn.sessionId = sessionId;
		conn.seq = 0;
		const shard = d.shard;
		conn.shard =
			Array.isArray(shard) && typeof shard[0] === 'number' && typeof shard[1] === 'number'
				? [shard[0], shard[1]]
				: [0, 1];
		this.identified.push(conn.shard);
		for (const event of this.options.onIdentify(sessionId, conn.shard)) {
			this.send(ws, { op: Op.Dispatch, t: event.t, s: ++conn.seq, d: event.d });
		}
		this.wakeWaiters();
	}

	private resume(ws: WebSocket, conn: Connection, d: unknown): void {
		const known = isRecord(d) && typeof d.session_id === 'string' && this.sessionIds.has(d.session_id);
		if (!known || d.token !== this.options.token) {
			this.send(ws, { op: Op.InvalidSession, d: false });
			return;
		}
		conn.sessionId = String(d.session_id);
		conn.seq = typeof d.seq === 'number' ? d.seq : 0;
		this.send(ws, { op: Op.Dispatch, t: 'RESUMED', s: ++conn.seq, d: {} });
		this.wakeWaiters();
	}

	private wakeWaiters(): void {
		const waiters = this.waiters;
		this.waiters = [];
		for (const wake of waiters) wake();
	}
}
