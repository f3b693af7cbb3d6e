import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordAttachmentGuard } from '../../src/discord/cdn.js';
import { InvalidRequestError, type RequestProblem } from '../../src/errors.js';
import { findStructuralDamage, MAX_JPEG_SEGMENTS, readImageHeader } from '../../src/video/image-header.js';
import {
	checkAttachmentInfo,
	checkImage,
	fetchAttachmentImage,
	MAX_IMAGE_BYTES,
	MAX_IMAGE_PIXELS,
	MIN_SHORT_SIDE,
	type AttachmentInfo,
} from '../../src/video/images.js';
import { run } from '../helpers/ffmpeg.js';

/*
 * Real files come from ffmpeg (PNG, baseline JPEG, lossy, lossless and extended WebP, GIF). ffmpeg
 * has no progressive JPEG encoder, so that one is written here, scan by scan, and ffmpeg is asked
 * to decode it. Malicious and broken files are real files cut or patched, or crafted headers.
 */

const OPTION = 'first_frame';

function problemOf(check: () => unknown): RequestProblem | undefined {
	try {
		check();
		return undefined;
	} catch (error) {
		if (error instanceof InvalidRequestError) return error.problem;
		throw error;
	}
}

async function asyncProblemOf(check: () => Promise<unknown>): Promise<RequestProblem | undefined> {
	try {
		await check();
		return undefined;
	} catch (error) {
		if (error instanceof InvalidRequestError) return error.problem;
		throw error;
	}
}

const FFMPEG = ['-hide_banner', '-loglevel', 'error', '-nostdin'];

let dir: string;
let fileCount = 0;

/**
 * One frame of a lavfi source (`testsrc`: detailed, so the files carry real compressed data, and
 * RGB, so odd sizes stay odd), written to a file: the WebP muxer seeks back to fill in the RIFF
 * length, which it cannot do on a pipe.
 */
async function encode(width: number, height: number, output: readonly string[], extension: string): Promise<Buffer> {
	const path = join(dir, `made-${fileCount++}.${extension}`);
	const source = `testsrc=s=${width}x${height}`;
	await run('ffmpeg', [...FFMPEG, '-f', 'lavfi', '-i', source, '-frames:v', '1', ...output, path]);
	return readFile(path);
}
const png = (w: number, h: number) => encode(w, h, ['-c:v', 'png'], 'png');
const jpeg = (w: number, h: number) => encode(w, h, ['-c:v', 'mjpeg', '-pix_fmt', 'yuvj420p'], 'jpg');
const webpLossy = (w: number, h: number) => encode(w, h, ['-c:v', 'libwebp'], 'webp');
const webpLossless = (w: number, h: number) => encode(w, h, ['-c:v', 'libwebp', '-lossless', '1'], 'webp');
/** Translucent, so libwebp writes the extended form: VP8X (canvas size), ALPH, VP8. */
const webpExtended = (w: number, h: number) =>
	encode(w, h, ['-vf', 'format=rgba,colorchannelmixer=aa=0.5', '-c:v', 'libwebp'], 'webp');
const gif = (w: number, h: number) => encode(w, h, [], 'gif');

/** What ffmpeg and ffprobe make of a file: it must decode without an error. */
async function probeImage(data: Buffer): Promise<{ codec: string; profile: string; width: number; height: number }> {
	const path = join(dir, `probe-${fileCount++}`);
	await writeFile(path, data);
	await run('ffmpeg', [...FFMPEG, '-xerror', '-i', path, '-f', 'null', '-']);
	const entries = 'stream=codec_name,profile,width,height';
	const out = await run('ffprobe', ['-v', 'error', '-show_entries', entries, '-of', 'json', path]);
	type Stream = { codec_name: string; profile?: string; width: number; height: number };
	const stream = (JSON.parse(out.toString()) as { streams: Stream[] }).streams[0];
	if (stream === undefined) throw new Error('no stream');
	return { codec: stream.codec_name, profile: stream.profile ?? '', width: stream.width, height: stream.height };
}

// --- Hand-made files ---------------------------------------------------------------------------

function pngChunk(type: string, data: Buffer = Buffer.alloc(0)): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Signature and a valid IHDR (8-bit RGB) claiming `width`×`height`: 33 bytes. */
function pngHeader(width: number, height: number): Buffer {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr.set([8, 2, 0, 0, 0], 8);
	return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr)]);
}

/** A structurally whole PNG whose header claims `width`×`height` over a few bytes of data. */
const bombPng = (width: number, height: number) =>
	Buffer.concat([pngHeader(width, height), pngChunk('IDAT', deflateSync(Buffer.alloc(64))), pngChunk('IEND')]);

function jpegSegment(marker: number, body: readonly number[] | Buffer): Buffer {
	const head = Buffer.from([0xff, marker, 0, 0]);
	head.writeUInt16BE(body.length + 2, 2);
	return Buffer.concat([head, Buffer.from(body)]);
}

/**
 * A real progressive (SOF2) greyscale JPEG of flat mid-grey: a DC scan and a full AC scan. Every
 * coefficient is 0, so each scan codes one 1-bit symbol (DC difference 0, or end-of-block) per
 * 8×8 block, padded with 1 bits.
 */
function progressiveJpeg(width: number, height: number): Buffer {
	const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
	const scanBits = () => {
		const bytes = Buffer.alloc(Math.ceil(blocks / 8));
		const pad = bytes.length * 8 - blocks;
		if (pad > 0) bytes[bytes.length - 1] = (1 << pad) - 1;
		return bytes;
	};
	const oneSymbolTable = (tableClass: number) => [tableClass, 1, ...Array<number>(15).fill(0), 0x00];
	return Buffer.concat([
		Buffer.from([0xff, 0xd8]),
		jpegSegment(0xdb, [0x00, ...Array<number>(64).fill(1)]),
		jpegSegment(0xc2, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
		jpegSegment(0xc4, [...oneSymbolTable(0x00), ...oneSymbolTable(0x10)]),
		jpegSegment(0xda, [1, 1, 0x00, 0, 0, 0x00]),
		scanBits(),
		jpegSegment(0xda, [1, 1, 0x00, 1, 63, 0x00]),
		scanBits(),
		Buffer.from([0xff, 0xd9]),
	]);
}

/** Offset of the first marker `code` in a JPEG, by walking its segments. */
function markerOffset(data: Buffer, code: number): number {
	for (let at = 2; at + 4 <= data.length; at += 2 + data.readUInt16BE(at + 2)) {
		if (data[at] !== 0xff) throw new Error(`no marker at ${at}`);
		if (data[at + 1] === code) return at;
	}
	throw new Error(`no marker ${code.toString(16)}`);
}

/** A copy of `data` with `insert` placed at `at`. */
const spliced = (data: Buffer, at: number, insert: Buffer, remove = 0) =>
	Buffer.concat([data.subarray(0, at), insert, data.subarray(at + remove)]);

/** Seeded, so a failure names a case that can be run again. */
function mulberry32(seed: number): () => number {
	let a = seed;
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

// --- Fixtures ---------------------------------------------------------------------------------

const files = {} as Record<
	| 'png1280x720'
	| 'jpeg720x1280'
	| 'progressive'
	| 'webpLossy'
	| 'webpLossless'
	| 'webpExtended'
	| 'gif'
	| 'small'
	| 'wide'
	| 'tall'
	| 'side301'
	| 'side300'
	| 'wide5to2'
	| 'wideUnder5to2'
	| 'tall2to5'
	| 'tallUnder2to5'
	| 'pixelsAtCap'
	| 'pixelsOverCap',
	Buffer
>;

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'clapper-images-'));
	const made = await Promise.all([
		png(1280, 720),
		jpeg(720, 1280),
		Promise.resolve(progressiveJpeg(1280, 720)),
		webpLossy(1280, 720),
		webpLossless(640, 480),
		webpExtended(800, 600),
		gif(640, 480),
		png(200, 200),
		png(1000, 200),
		png(200, 1000),
		png(301, 301),
		png(300, 300),
		png(1000, 400),
		png(1000, 401),
		jpeg(400, 1000),
		jpeg(401, 1000),
		jpeg(10_000, 5000),
		jpeg(10_000, 5001),
	]);
	const names = [
		'png1280x720',
		'jpeg720x1280',
		'progressive',
		'webpLossy',
		'webpLossless',
		'webpExtended',
		'gif',
		'small',
		'wide',
		'tall',
		'side301',
		'side300',
		'wide5to2',
		'wideUnder5to2',
		'tall2to5',
		'tallUnder2to5',
		'pixelsAtCap',
		'pixelsOverCap',
	] as const;
	names.forEach((name, index) => (files[name] = made[index] ?? Buffer.alloc(0)));
}, 60_000);

afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

// --- Tests -------------------------------------------------------------------------------------

const refusal = (data: Buffer) => problemOf(() => checkImage(OPTION, data));
const image = (type: string, width: number, height: number) => ({ kind: 'image', type, width, height });
const unreadableFor = (reason: RegExp) => ({ kind: 'unreadable', reason: expect.stringMatching(reason) });
const notImage = { kind: 'image-not-image', option: OPTION };
const unreadable = { kind: 'image-unreadable', option: OPTION };
const tooSmall = (w: number, h: number) => ({ kind: 'image-too-small', option: OPTION, width: w, height: h, min: 300 });
const badAspect = (width: number, height: number) => ({ kind: 'image-aspect', option: OPTION, width, height });
const tooMany = (width: number, height: number) => ({
	kind: 'image-too-many-pixels',
	option: OPTION,
	width,
	height,
	max: MAX_IMAGE_PIXELS,
});

describe('the files under test are what they claim', () => {
	it('ffmpeg decodes each generated file, including the hand-written progressive JPEG', async () => {
		const progressive = { codec: 'mjpeg', profile: 'Progressive', width: 1280, height: 720 };
		expect(await probeImage(files.progressive)).toEqual(progressive);
		expect(await probeImage(files.jpeg720x1280)).toMatchObject({ profile: 'Baseline', width: 720, height: 1280 });
		expect(await probeImage(files.png1280x720)).toMatchObject({ codec: 'png', width: 1280, height: 720 });
		expect(await probeImage(files.webpLossless)).toMatchObject({ codec: 'webp', width: 640, height: 480 });
		expect(await probeImage(files.gif)).toMatchObject({ codec: 'gif', width: 640, height: 480 });
		// The three WebP forms: VP8 (lossy), VP8L (lossless), VP8X (extended, here for alpha).
		const webps = [files.webpLossy, files.webpLossless, files.webpExtended];
		expect(webps.map((file) => file.toString('latin1', 12, 16))).toEqual(['VP8 ', 'VP8L', 'VP8X']);
	});
});

describe('readImageHeader', () => {
	it('reads width and height of PNG, baseline and progressive JPEG, and the three WebP forms', () => {
		expect(readImageHeader(files.png1280x720)).toEqual(image('image/png', 1280, 720));
		expect(readImageHeader(files.jpeg720x1280)).toEqual(image('image/jpeg', 720, 1280));
		expect(readImageHeader(files.progressive)).toEqual(image('image/jpeg', 1280, 720));
		expect(readImageHeader(files.webpLossy)).toEqual(image('image/webp', 1280, 720));
		expect(readImageHeader(files.webpLossless)).toEqual(image('image/webp', 640, 480));
		expect(readImageHeader(files.webpExtended)).toEqual(image('image/webp', 800, 600));
		expect(readImageHeader(files.wideUnder5to2)).toEqual(image('image/png', 1000, 401));
	});

	it('goes by the bytes: a GIF, text and nothing at all are not images', () => {
		expect(readImageHeader(files.gif)).toEqual({ kind: 'not-image' });
		expect(readImageHeader(Buffer.from('a text file, renamed to picture.png\n'))).toEqual({ kind: 'not-image' });
		expect(readImageHeader(Buffer.alloc(0))).toEqual({ kind: 'not-image' });
	});

	it('skips JPEG fill bytes and standalone markers (TEM, RSTn, a second SOI), as ffmpeg does', async () => {
		const sof = markerOffset(files.jpeg720x1280, 0xc0);
		const padded = spliced(
			spliced(files.jpeg720x1280, sof, Buffer.from([0xff, 0xff, 0xff])), // fill bytes before SOF0
			2,
			Buffer.from([0xff, 0x01, 0xff, 0xff, 0xd0, 0xff, 0xd7, 0xff, 0xd8]), // TEM, fill + RST0, RST7, SOI
		);
		expect(readImageHeader(padded)).toEqual(image('image/jpeg', 720, 1280));
		expect(findStructuralDamage(padded, 'image/jpeg')).toBeUndefined();
		expect(checkImage(OPTION, padded)).toEqual({ type: 'image/jpeg', width: 720, height: 1280 });
		expect(await probeImage(padded)).toMatchObject({ width: 720, height: 1280 });
	});

	it('reads the size from every SOF kind and none from DHT (C4), JPG (C8) or DAC (CC)', () => {
		const sof = markerOffset(files.jpeg720x1280, 0xc0);
		for (const code of [0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]) {
			const patched = Buffer.from(files.jpeg720x1280);
			patched[sof + 1] = code;
			expect(readImageHeader(patched), code.toString(16)).toEqual(image('image/jpeg', 720, 1280));
		}
		// A non-frame marker carrying a frame-shaped body (10000×10000) is skipped; the real SOF0 is read.
		for (const code of [0xc4, 0xc8, 0xcc]) {
			const decoy = jpegSegment(code, [8, 0x27, 0x10, 0x27, 0x10, 1, 1, 0x11, 0]);
			const header = readImageHeader(spliced(files.jpeg720x1280, 2, decoy));
			expect(header, code.toString(16)).toEqual(image('image/jpeg', 720, 1280));
		}
	});

	it('stops after MAX_JPEG_SEGMENTS markers, however they are spelled, and stays fast on a file of 0xFF', () => {
		const comments = (count: number) =>
			spliced(files.jpeg720x1280, 2, Buffer.concat(Array.from({ length: count }, () => jpegSegment(0xfe, [65]))));
		expect(readImageHeader(comments(500))).toEqual(image('image/jpeg', 720, 1280));
		expect(readImageHeader(comments(MAX_JPEG_SEGMENTS))).toMatchObject(unreadableFor(/more than 1000 markers/));
		const restarts = Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(20_000, Buffer.from([0xff, 0xd0]))]);
		expect(readImageHeader(restarts)).toMatchObject(unreadableFor(/more than 1000 markers/));
		const started = performance.now();
		const fill = Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(MAX_IMAGE_BYTES, 0xff)]);
		expect(readImageHeader(fill)).toMatchObject(unreadableFor(/cut off/));
		expect(performance.now() - started).toBeLessThan(2000);
	});

	it('turns every truncation and random corruption of every format into a result, never an exception', () => {
		const random = mulberry32(20240601);
		const { png1280x720, jpeg720x1280, progressive, webpLossy, webpLossless, webpExtended } = files;
		const sources = [png1280x720, jpeg720x1280, progressive, webpLossy, webpLossless, webpExtended];
		const kinds = ['not-image', 'unreadable', 'image'];
		let cases = 0;
		for (const source of sources) {
			expect(readImageHeader(source).kind).toBe('image');
			const randomCuts = Array.from({ length: 200 }, () => Math.floor(random() * source.length));
			for (const cut of [...Array.from({ length: 80 }, (_, n) => n), ...randomCuts]) {
				const short = source.subarray(0, cut);
				expect(kinds).toContain(readImageHeader(short).kind);
				// Cut anywhere before its end, every format is refused: the structure walk sees it.
				expect(['image-not-image', 'image-unreadable'], `cut at ${cut}`).toContain(refusal(short)?.kind);
				cases++;
			}
			for (let n = 0; n < 300; n++) {
				const broken = Buffer.from(source);
				const flips = 1 + Math.floor(random() * 4);
				for (let f = 0; f < flips; f++) {
					// Mostly the first kilobyte, where headers and segment lengths live.
					const at = Math.floor(random() * Math.min(broken.length, random() < 0.8 ? 1024 : broken.length));
					broken[at] = Math.floor(random() * 256);
				}
				const header = readImageHeader(broken);
				expect(kinds).toContain(header.kind);
				if (header.kind !== 'not-image') findStructuralDamage(broken, header.type);
				const problem = refusal(broken);
				if (problem !== undefined) expect(problem.kind).toMatch(/^image-/);
				cases++;
			}
		}
		expect(cases).toBe(sources.length * 580);
	});
});

describe('checkImage', () => {
	it('passes a 1280×720 PNG, a 720×1280 JPEG, a progressive JPEG and the three WebP forms, with their size', () => {
		expect(checkImage(OPTION, files.png1280x720)).toEqual({ type: 'image/png', width: 1280, height: 720 });
		expect(checkImage(OPTION, files.jpeg720x1280)).toEqual({ type: 'image/jpeg', width: 720, height: 1280 });
		expect(checkImage(OPTION, files.progressive)).toEqual({ type: 'image/jpeg', width: 1280, height: 720 });
		expect(checkImage(OPTION, files.webpLossy)).toEqual({ type: 'image/webp', width: 1280, height: 720 });
		expect(checkImage(OPTION, files.webpLossless)).toEqual({ type: 'image/webp', width: 640, height: 480 });
		expect(checkImage(OPTION, files.webpExtended)).toEqual({ type: 'image/webp', width: 800, height: 600 });
	});

	it('refuses a short side of 300 px or less: 200×200 and 300×300 fail, 301×301 passes', () => {
		expect(MIN_SHORT_SIDE).toBe(300);
		expect(refusal(files.small)).toEqual(tooSmall(200, 200));
		expect(refusal(files.side300)).toEqual(tooSmall(300, 300));
		expect(checkImage(OPTION, files.side301)).toEqual({ type: 'image/png', width: 301, height: 301 });
	});

	it('refuses shapes outside 2:5…5:2, and those exactly: 1000×400 and 400×1000 fail, 1000×401, 401×1000 pass', () => {
		expect(refusal(files.wide)).toEqual(badAspect(1000, 200));
		expect(refusal(files.tall)).toEqual(badAspect(200, 1000));
		expect(refusal(files.wide5to2)).toEqual(badAspect(1000, 400));
		expect(refusal(files.tall2to5)).toEqual(badAspect(400, 1000));
		expect(checkImage(OPTION, files.wideUnder5to2)).toEqual({ type: 'image/png', width: 1000, height: 401 });
		expect(checkImage(OPTION, files.tallUnder2to5)).toEqual({ type: 'image/jpeg', width: 401, height: 1000 });
	});

	it('takes exactly 50 megapixels (a real 10000×5000 JPEG) and refuses 10000×5001', () => {
		expect(MAX_IMAGE_PIXELS).toBe(50_000_000);
		expect(checkImage(OPTION, files.pixelsAtCap)).toEqual({ type: 'image/jpeg', width: 10_000, height: 5000 });
		expect(refusal(files.pixelsOverCap)).toEqual(tooMany(10_000, 5001));
	});

	it('refuses decompression bombs by their header: PNG, JPEG and WebP claiming huge pictures in a few bytes', () => {
		const bomb = bombPng(100_000, 100_000);
		expect(bomb.length).toBeLessThan(100);
		expect(refusal(bomb)).toEqual(tooMany(100_000, 100_000));
		// Signature and IHDR only: no data at all, and still the size is what is refused.
		expect(refusal(pngHeader(100_000, 100_000))).toEqual(tooMany(100_000, 100_000));
		// Within the aspect limit, but 56 MP.
		expect(refusal(bombPng(8000, 7000))).toEqual(tooMany(8000, 7000));
		const jpegBomb = Buffer.from(files.jpeg720x1280);
		const sof = markerOffset(jpegBomb, 0xc0);
		jpegBomb.writeUInt16BE(65_535, sof + 5);
		jpegBomb.writeUInt16BE(65_535, sof + 7);
		expect(refusal(jpegBomb)).toEqual(tooMany(65_535, 65_535));
		const vp8x = Buffer.alloc(30);
		vp8x.write('RIFF', 0, 'latin1');
		vp8x.writeUInt32LE(22, 4);
		vp8x.write('WEBPVP8X', 8, 'latin1');
		vp8x.writeUInt32LE(10, 16);
		vp8x.writeUIntLE(0xff_ffff, 24, 3); // canvas 16777216 wide
		vp8x.writeUIntLE(0xff_ffff, 27, 3); // and high
		expect(refusal(vp8x)).toEqual(tooMany(16_777_216, 16_777_216));
	});

	it('refuses by the bytes, not the name or declared type: a GIF and a text file are not images', () => {
		expect(refusal(files.gif)).toEqual(notImage);
		expect(refusal(Buffer.from('not a picture\n'))).toEqual(notImage);
	});

	it('takes exactly 20 MiB (a real PNG padded with a private chunk) and refuses one byte more', async () => {
		const base = files.png1280x720;
		const iend = base.length - 12;
		const padded = spliced(base, iend, pngChunk('clPd', Buffer.alloc(MAX_IMAGE_BYTES - base.length - 12)));
		expect(padded.length).toBe(MAX_IMAGE_BYTES);
		expect(checkImage(OPTION, padded)).toEqual({ type: 'image/png', width: 1280, height: 720 });
		expect(await probeImage(padded)).toMatchObject({ codec: 'png', width: 1280, height: 720 });
		const over = Buffer.concat([padded, Buffer.from([0])]);
		const tooLarge = { kind: 'image-too-large', option: OPTION, bytes: MAX_IMAGE_BYTES + 1, max: MAX_IMAGE_BYTES };
		expect(refusal(over)).toEqual(tooLarge);
		// A PNG header followed by 21 MiB of zeros: too large, said before anything else.
		const zeros = Buffer.concat([pngHeader(1280, 720), Buffer.alloc(21 * 1024 * 1024)]);
		expect(refusal(zeros)).toMatchObject({ kind: 'image-too-large', bytes: zeros.length });
	});

	it('refuses truncated files of each format as unreadable, whether the cut is in the header or the data', () => {
		const { png1280x720: png, jpeg720x1280: jpg, progressive, webpLossy, webpLossless, webpExtended } = files;
		const half = (file: Buffer) => file.subarray(0, file.length >> 1);
		const cuts: [string, Buffer][] = [
			['PNG inside IHDR', png.subarray(0, 20)],
			['PNG half', half(png)],
			['PNG without IEND', png.subarray(0, png.length - 12)],
			['JPEG before SOF', jpg.subarray(0, markerOffset(jpg, 0xc0) + 4)],
			['JPEG half', half(jpg)],
			['JPEG without EOI', jpg.subarray(0, jpg.length - 2)],
			['progressive JPEG after its first scan', half(progressive)],
			['WebP lossy inside its header', webpLossy.subarray(0, 24)],
			['WebP lossy half', half(webpLossy)],
			['WebP lossless half', half(webpLossless)],
			['WebP extended half', half(webpExtended)],
		];
		for (const [name, data] of cuts) expect(refusal(data), name).toEqual(unreadable);
	});

	it('refuses a WebP whose RIFF header says 0 bytes (ffmpeg writes that to a pipe it cannot seek back on)', () => {
		const zeroLength = Buffer.from(files.webpLossless);
		zeroLength.writeUInt32LE(0, 4);
		expect(readImageHeader(zeroLength)).toEqual(image('image/webp', 640, 480));
		expect(findStructuralDamage(zeroLength, 'image/webp')).toMatch(/RIFF header/);
		expect(refusal(zeroLength)).toEqual(unreadable);
	});

	it('refuses JPEGs with a bogus segment length, corrupt PNGs and a WebP without a key frame as unreadable', () => {
		const withApp0Length = (length: number) => {
			const patched = Buffer.from(files.jpeg720x1280);
			expect([patched[2], patched[3]]).toEqual([0xff, 0xe0]);
			patched.writeUInt16BE(length, 4);
			return patched;
		};
		for (const length of [0, 1, 0xffff]) expect(refusal(withApp0Length(length)), `${length}`).toEqual(unreadable);
		expect(readImageHeader(withApp0Length(0))).toMatchObject(unreadableFor(/invalid length/));
		expect(readImageHeader(withApp0Length(1))).toMatchObject(unreadableFor(/invalid length/));
		expect(readImageHeader(withApp0Length(0xffff))).toMatchObject(unreadableFor(/cut off/));
		// A length that lands inside the next segment: a byte that is not a marker follows.
		expect(readImageHeader(withApp0Length(17))).toMatchObject(unreadableFor(/where a marker should be/));
		// A stuffed 0xFF00 belongs inside image data only; between segments it is not a marker.
		const stray = spliced(files.jpeg720x1280, 2, Buffer.from([0xff, 0x00]));
		expect(readImageHeader(stray)).toMatchObject(unreadableFor(/0xFF00/));
		const badCrc = Buffer.from(files.png1280x720);
		badCrc.writeUInt32BE(4000, 16); // width changed, checksum not
		expect(refusal(badCrc)).toEqual(unreadable);
		expect(refusal(Buffer.concat([pngHeader(0, 720), pngChunk('IEND')]))).toEqual(unreadable);
		const noData = Buffer.concat([pngHeader(1280, 720), pngChunk('IEND')]);
		expect(refusal(noData)).toEqual(unreadable);
		expect(findStructuralDamage(noData, 'image/png')).toMatch(/no image data/);
		const interFrame = Buffer.from(files.webpLossy);
		interFrame[20] = (interFrame[20] ?? 0) | 1; // VP8 frame tag: not a key frame
		expect(readImageHeader(interFrame)).toMatchObject(unreadableFor(/key frame/));
	});
});

describe('checkAttachmentInfo', () => {
	const declared = (extra: Partial<AttachmentInfo>) =>
		problemOf(() =>
			checkAttachmentInfo({
				option: OPTION,
				url: 'https://cdn.discordapp.com/attachments/1/2/frame.png',
				size: 100_000,
				contentType: 'image/png',
				...extra,
			}),
		);

	it('refuses on what Discord declares: a non-image type, over 20 MiB, or a measured size breaking a limit', () => {
		expect(declared({ contentType: 'text/plain; charset=utf-8' })).toEqual(notImage);
		const tooLarge = { kind: 'image-too-large', option: OPTION, bytes: MAX_IMAGE_BYTES + 1, max: MAX_IMAGE_BYTES };
		expect(declared({ size: MAX_IMAGE_BYTES + 1 })).toEqual(tooLarge);
		expect(declared({ width: 200, height: 200 })).toEqual(tooSmall(200, 200));
		expect(declared({ width: 1000, height: 200 })).toEqual(badAspect(1000, 200));
		expect(declared({ width: 12_000, height: 9000 })).toEqual(tooMany(12_000, 9000));
	});

	it('lets through what it cannot judge yet: no measured size, null sizes, or sizes within the limits', () => {
		expect(declared({})).toBeUndefined();
		expect(declared({ width: null, height: null, contentType: null })).toBeUndefined();
		expect(declared({ width: 1280, height: 720, size: MAX_IMAGE_BYTES })).toBeUndefined();
	});
});

describe('fetchAttachmentImage', () => {
	let server: Server;
	let origin: string;
	const served = new Map<string, { body: Buffer; type: string }>();

	beforeAll(async () => {
		server = createServer((request, response) => {
			const file = served.get(request.url ?? '');
			if (file === undefined) {
				response.writeHead(404).end();
				return;
			}
			response.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length }).end(file.body);
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		served.set('/frame.png', { body: files.png1280x720, type: 'image/png' });
		served.set('/portrait.jpg', { body: files.jpeg720x1280, type: 'image/jpeg' });
		served.set('/small.png', { body: files.small, type: 'image/png' });
		served.set('/renamed.png', { body: Buffer.from('a text file renamed to .png\n'), type: 'image/png' });
		served.set('/animation.png', { body: files.gif, type: 'image/png' });
		served.set('/cut.webp', { body: files.webpLossy.subarray(0, 1000), type: 'image/webp' });
		served.set('/bomb.png', { body: bombPng(100_000, 100_000), type: 'image/png' });
	});

	afterAll(async () => {
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});

	// The files are served where a local Discord stand-in would be: the configured API's origin.
	const fetchFrom = (path: string) =>
		fetchAttachmentImage(
			{
				option: OPTION,
				url: `${origin}${path}`,
				size: served.get(path)?.body.length ?? 0,
				contentType: 'image/png',
			},
			discordAttachmentGuard(`${origin}/api`),
		);

	it('returns the copy with its real type and size when it passes', async () => {
		const frame = await fetchFrom('/frame.png');
		expect(frame).toMatchObject({ contentType: 'image/png', width: 1280, height: 720 });
		expect(frame.data.equals(files.png1280x720)).toBe(true);
		// Declared image/png, really a JPEG: the bytes win.
		expect(await fetchFrom('/portrait.jpg')).toMatchObject({ contentType: 'image/jpeg', width: 720, height: 1280 });
	});

	it('runs checkImage on the downloaded bytes, each failure with its own problem', async () => {
		expect(await asyncProblemOf(() => fetchFrom('/small.png'))).toEqual(tooSmall(200, 200));
		expect(await asyncProblemOf(() => fetchFrom('/renamed.png'))).toEqual(notImage);
		expect(await asyncProblemOf(() => fetchFrom('/animation.png'))).toEqual(notImage);
		expect(await asyncProblemOf(() => fetchFrom('/cut.webp'))).toEqual(unreadable);
		expect(await asyncProblemOf(() => fetchFrom('/bomb.png'))).toEqual(tooMany(100_000, 100_000));
		expect(await asyncProblemOf(() => fetchFrom('/gone.png'))).toEqual(unreadable);
	});
});
