import { crc32 } from 'node:zlib';
import type { IMAGE_TYPES } from './request.js';

/**
 * Width and height of a PNG, JPEG or WebP image from its header, without decoding a pixel, and a
 * walk over the file's container structure to find one that was cut off or damaged.
 *
 * Everything here reads untrusted bytes. Every read is bounds-checked, every loop advances through
 * the buffer (so work is linear in its length at worst) and the JPEG walk also stops after
 * MAX_JPEG_SEGMENTS markers. Nothing throws: a file that cannot be read gives an `unreadable` result.
 */

export type ImageType = (typeof IMAGE_TYPES)[number];

export type ImageHeader =
	| { readonly kind: 'image'; readonly type: ImageType; readonly width: number; readonly height: number }
	/** The bytes are none of the types we take (GIF, HEIC, text, nothing at all…). */
	| { readonly kind: 'not-image' }
	/** The bytes start like `type`, but the header is cut off, corrupt or not supported. */
	| { readonly kind: 'unreadable'; readonly type: ImageType; readonly reason: string };

/**
 * Markers a JPEG walk reads before giving up. Real files carry a few dozen (APPn, DQT, DHT, COM,
 * and an ICC profile in up to 255 APP2 pieces); a thousand leaves room without letting a file of
 * empty markers keep us busy.
 */
export const MAX_JPEG_SEGMENTS = 1000;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** PNG and RIFF lengths and PNG dimensions are at most 2^31 - 1. */
const MAX_INT31 = 0x7fff_ffff;

/** What the file really is, from its first bytes; a declared content type is only a hint. */
export function sniffImageType(data: Uint8Array): ImageType | undefined {
	const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
	if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
	if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
	if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
		return 'image/webp';
	}
	return undefined;
}

type Read = { readonly width: number; readonly height: number } | string;

interface Format {
	readonly size: (data: Buffer) => Read;
	readonly damage: (data: Buffer) => string | undefined;
}

const FORMATS: Readonly<Record<ImageType, Format>> = {
	'image/png': { size: pngSize, damage: pngDamage },
	'image/jpeg': { size: jpegSize, damage: jpegDamage },
	'image/webp': { size: webpSize, damage: webpDamage },
};

/** The image's type and size from its header alone. */
export function readImageHeader(data: Uint8Array): ImageHeader {
	const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
	const type = sniffImageType(bytes);
	if (type === undefined) return { kind: 'not-image' };
	const read = guarded(() => FORMATS[type].size(bytes));
	if (typeof read === 'string') return { kind: 'unreadable', type, reason: read };
	return { kind: 'image', type, width: read.width, height: read.height };
}

/**
 * Why a file whose header reads fine is still broken, or undefined when its structure is whole: a
 * PNG's chunks must run, intact, to IEND; a JPEG must reach its first scan and then its end marker;
 * a WebP's chunks must fill the length its RIFF header declares. Pixel data is never decoded, so
 * damage inside compressed data goes unseen; a file cut off short, the common case, does not.
 */
export function findStructuralDamage(data: Uint8Array, type: ImageType): string | undefined {
	const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
	return guarded(() => FORMATS[type].damage(bytes));
}

/**
 * The reads below check bounds before each access; Buffer's own range checks are the backstop,
 * so a mistake there still ends as "unreadable" rather than an exception. Other errors are bugs.
 */
function guarded<T>(read: () => T): T | string {
	try {
		return read();
	} catch (error) {
		if (error instanceof RangeError) return `out-of-range read: ${error.message}`;
		throw error;
	}
}

// ---------------------------------------------------------------------------------------------
// PNG: signature, then IHDR (13 bytes: width, height, bit depth, colour type, compression,
// filter, interlace) as the first chunk, then chunks (length, type, data, CRC) up to IEND.

/** Bit depths allowed for each colour type. */
const PNG_DEPTHS: Readonly<Record<number, readonly number[]>> = {
	0: [1, 2, 4, 8, 16],
	2: [8, 16],
	3: [1, 2, 4, 8],
	4: [8, 16],
	6: [8, 16],
};

const PNG_IHDR_END = 8 + 8 + 13 + 4;

function pngSize(data: Buffer): Read {
	if (data.length < PNG_IHDR_END) return 'the PNG ends inside its header';
	if (data.readUInt32BE(8) !== 13 || data.toString('latin1', 12, 16) !== 'IHDR') {
		return 'the PNG does not start with IHDR';
	}
	const width = data.readUInt32BE(16);
	const height = data.readUInt32BE(20);
	const [depth, colour, compression, filter, interlace] = [data[24], data[25], data[26], data[27], data[28]];
	if (data.readUInt32BE(29) !== crc32(data.subarray(12, 29))) return 'the PNG header fails its checksum';
	if (width === 0 || height === 0 || width > MAX_INT31 || height > MAX_INT31) return 'the PNG size is invalid';
	if (colour === undefined || depth === undefined || !(PNG_DEPTHS[colour] ?? []).includes(depth)) {
		return 'the PNG colour type or bit depth is invalid';
	}
	if (compression !== 0 || filter !== 0 || (interlace !== 0 && interlace !== 1)) {
		return 'the PNG uses an unknown method';
	}
	return { width, height };
}

const isLetter = (byte: number | undefined) =>
	byte !== undefined && ((byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a));

function pngDamage(data: Buffer): string | undefined {
	const header = pngSize(data);
	if (typeof header === 'string') return header;
	let sawData = false;
	// Every pass moves on by at least the 12 bytes of a chunk's frame, so this ends.
	for (let at = PNG_IHDR_END; ;) {
		if (at + 12 > data.length) return 'the PNG is cut off before its end';
		const length = data.readUInt32BE(at);
		const type = data.toString('latin1', at + 4, at + 8);
		if (length > MAX_INT31) return `the PNG has a chunk with an invalid length`;
		if (![4, 5, 6, 7].every((offset) => isLetter(data[at + offset]))) {
			return 'the PNG has a chunk with an invalid name';
		}
		if (at + 12 + length > data.length) return 'the PNG is cut off inside a chunk';
		if (type === 'IHDR') return 'the PNG has a second IHDR';
		if (type === 'IDAT') sawData = true;
		if (type === 'IEND') return sawData ? undefined : 'the PNG has no image data';
		at += 12 + length;
	}
}

// ---------------------------------------------------------------------------------------------
// JPEG: SOI, then markers (0xFF, any number of 0xFF fill bytes, a code). Standalone markers (TEM,
// RSTn, SOI) have no length; others are followed by a 16-bit big-endian length that counts itself.
// The size is in the frame header (SOFn); the entropy-coded data starts after SOS.

/** SOF0–3, 5–7, 9–11, 13–15; 0xC4 (DHT), 0xC8 (JPG) and 0xCC (DAC) share the range but are not frames. */
const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
const isStandalone = (marker: number) => marker === 0x01 || marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7);
const SOS = 0xda;
const EOI = 0xd9;
const EOI_BYTES = Buffer.from([0xff, EOI]);

type JpegWalk =
	| { readonly stop: 'frame'; readonly width: number; readonly height: number; readonly next: number }
	| { readonly stop: 'scan'; readonly next: number }
	| string;

/** Walks markers from `start` until the first frame header (`until: 'frame'`) or start of scan. */
function walkJpeg(data: Buffer, start: number, until: 'frame' | 'scan'): JpegWalk {
	let at = start;
	for (let segments = 0; segments < MAX_JPEG_SEGMENTS; segments++) {
		if (at >= data.length) return 'the JPEG is cut off before its image data';
		if (data[at] !== 0xff) return 'the JPEG has bytes where a marker should be';
		// Fill bytes: any number of 0xFF before the marker code. Each step moves on one byte.
		while (data[at] === 0xff) at++;
		const marker = data[at];
		if (marker === undefined) return 'the JPEG is cut off inside a marker';
		at++;
		if (marker === 0x00) return 'the JPEG has a stray 0xFF00 outside image data';
		if (isStandalone(marker)) continue;
		if (marker === EOI) return 'the JPEG ends before its image data';
		if (marker === SOS && until === 'frame') return 'the JPEG has image data before its frame header';
		if (at + 2 > data.length) return 'the JPEG is cut off inside a marker';
		const length = data.readUInt16BE(at);
		if (length < 2) return 'the JPEG has a segment with an invalid length';
		if (at + length > data.length) return 'the JPEG is cut off inside a segment';
		if (marker === SOS) return { stop: 'scan', next: at + length };
		if (SOF_MARKERS.has(marker) && until === 'frame') {
			// Precision (1), height (2), width (2), component count (1), then 3 bytes per component.
			if (length < 8) return 'the JPEG frame header is too short';
			const height = data.readUInt16BE(at + 3);
			const width = data.readUInt16BE(at + 5);
			const components = data[at + 7] ?? 0;
			if (components === 0 || length !== 8 + 3 * components) return 'the JPEG frame header is malformed';
			// A height of 0 is legal JPEG (a later DNL marker gives it) but so rare that decoders balk.
			if (height === 0) return 'the JPEG gives its height in a DNL marker, which is not supported';
			if (width === 0) return 'the JPEG width is zero';
			return { stop: 'frame', width, height, next: at + length };
		}
		at += length;
	}
	return `the JPEG has more than ${MAX_JPEG_SEGMENTS} markers before its image data`;
}

function jpegSize(data: Buffer): Read {
	const walk = walkJpeg(data, 2, 'frame');
	if (typeof walk === 'string') return walk;
	if (walk.stop !== 'frame') return 'the JPEG has no frame header';
	return { width: walk.width, height: walk.height };
}

function jpegDamage(data: Buffer): string | undefined {
	const frame = walkJpeg(data, 2, 'frame');
	if (typeof frame === 'string') return frame;
	const scan = walkJpeg(data, frame.next, 'scan');
	if (typeof scan === 'string') return scan;
	// Entropy-coded data escapes 0xFF as 0xFF00, so 0xFFD9 after a scan starts is the end marker
	// (or, in a progressive file, a table byte pair: then a cut-off file is missed, never refused).
	// Bytes after the end marker, which some cameras append, are allowed.
	if (data.indexOf(EOI_BYTES, scan.next) < 0) return 'the JPEG is cut off before its end';
	return undefined;
}

// ---------------------------------------------------------------------------------------------
// WebP: "RIFF", length, "WEBP", then chunks (FourCC, 32-bit little-endian length, data, a pad
// byte when the length is odd). The first chunk is VP8 (lossy), VP8L (lossless) or VP8X
// (extended: the canvas size, followed by the image's chunks).

const RIFF_BODY = 12;

function webpSize(data: Buffer): Read {
	if (data.length < RIFF_BODY + 8 + 10) return 'the WebP ends inside its header';
	const chunk = data.toString('latin1', 12, 16);
	const size = data.readUInt32LE(16);
	const body = 20;
	if (chunk === 'VP8 ') {
		// Frame tag (3 bytes: bit 0 clear on a key frame), start code 9D 01 2A, then 14-bit width
		// and height, each with a 2-bit scale above it that does not change the stored size.
		if (size < 10) return 'the WebP VP8 chunk is too short';
		if (((data[body] ?? 1) & 1) !== 0) return 'the WebP does not start with a key frame';
		if (data[body + 3] !== 0x9d || data[body + 4] !== 0x01 || data[body + 5] !== 0x2a) {
			return 'the WebP VP8 start code is missing';
		}
		const width = data.readUInt16LE(body + 6) & 0x3fff;
		const height = data.readUInt16LE(body + 8) & 0x3fff;
		if (width === 0 || height === 0) return 'the WebP size is zero';
		return { width, height };
	}
	if (chunk === 'VP8L') {
		// Signature 0x2F, then 14 bits width - 1, 14 bits height - 1, 1 bit alpha, 3 bits version (0).
		if (size < 5) return 'the WebP VP8L chunk is too short';
		if (data[body] !== 0x2f) return 'the WebP VP8L signature is missing';
		const bits = data.readUInt32LE(body + 1);
		if (bits >>> 29 !== 0) return 'the WebP VP8L version is unknown';
		return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
	}
	if (chunk === 'VP8X') {
		// Flags (1), reserved (3), then 24-bit canvas width - 1 and height - 1.
		if (size < 10) return 'the WebP VP8X chunk is too short';
		return { width: data.readUIntLE(body + 4, 3) + 1, height: data.readUIntLE(body + 7, 3) + 1 };
	}
	return 'the WebP starts with an unknown chunk';
}

function webpDamage(data: Buffer): string | undefined {
	const header = webpSize(data);
	if (typeof header === 'string') return header;
	const riff = data.readUInt32LE(4);
	const end = 8 + riff;
	// libwebp refuses a RIFF too short for one chunk (ffmpeg writes 0 when its output cannot seek).
	if (riff < 4 + 8 || riff > MAX_INT31) return 'the WebP RIFF header has an invalid length';
	// Trailing bytes after the RIFF are allowed; a RIFF longer than the file is a cut-off file.
	if (end > data.length) return 'the WebP is cut off before its end';
	let sawImage = false;
	// Every pass moves on by at least the 8 bytes of a chunk header, so this ends.
	for (let at = RIFF_BODY; at < end;) {
		if (at + 8 > end) return 'the WebP is cut off inside a chunk header';
		const chunk = data.toString('latin1', at, at + 4);
		const size = data.readUInt32LE(at + 4);
		if (size > end - at - 8) return 'the WebP is cut off inside a chunk';
		if (chunk === 'VP8 ' || chunk === 'VP8L' || chunk === 'ANMF') sawImage = true;
		at += 8 + size + (size & 1);
	}
	return sawImage ? undefined : 'the WebP has no image data';
}
