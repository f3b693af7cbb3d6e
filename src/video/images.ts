import { InvalidRequestError } from '../errors.js';
import { fetchCapped, UnsafeUrlError, type DownloadGuard } from '../media/download.js';
import { findStructuralDamage, readImageHeader, type ImageType } from './image-header.js';

export { sniffImageType, type ImageType } from './image-header.js';

/**
 * MiniMax's documented limits for first-frame, last-frame and subject images: JPG/JPEG, PNG or
 * WebP; "less than 20MB"; short side "greater than 300px"; aspect ratio "greater than 2:5 and
 * less than 5:2". Every image is checked against them before anything is spent or enqueued.
 */

/** At most this many bytes; 20 MiB itself is taken. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

/** The shorter side must be more than this: 301 px passes, 300 px does not. */
export const MIN_SHORT_SIDE = 300;

/**
 * Width / height must lie strictly between 2/5 and 5/2: 1000×400 (exactly 5:2) and 400×1000
 * (exactly 2:5) are refused, 1000×401 and 401×1000 pass. Compared in integers (5·short > 2·long),
 * so no rounding decides a boundary case.
 */
export const ASPECT_LIMIT = { long: 5, short: 2 } as const;

/**
 * Our own guard, not MiniMax's: at most 50 megapixels, judged from the header alone, so a small
 * file that claims a huge picture (a decompression bomb: a 100-byte PNG can claim 100000×100000)
 * is refused before anything (our preview's ffmpeg, or the provider) tries to decode it. 50 MP
 * keeps the full-resolution photos of 48 and 50 MP phone cameras (8064×6048, 8160×6120) and
 * refuses the 108 and 200 MP modes; decoded as RGBA it is at most 200 MB. With the aspect limit,
 * no accepted side exceeds 11180 px, so a separate cap per side would never decide anything.
 */
export const MAX_IMAGE_PIXELS = 50_000_000;

export interface CheckedImage {
	readonly type: ImageType;
	readonly width: number;
	readonly height: number;
}

/**
 * Refuses a size that breaks a limit, in this order: too many pixels (a safety limit, so first),
 * aspect ratio, short side. An image can break more than one; the first is the one reported.
 * Symmetric in width and height, so a picture the viewer rotates (EXIF orientation) is judged the same.
 */
export function checkDimensions(option: string, width: number, height: number): void {
	if (width * height > MAX_IMAGE_PIXELS) {
		throw new InvalidRequestError({ kind: 'image-too-many-pixels', option, width, height, max: MAX_IMAGE_PIXELS });
	}
	const long = Math.max(width, height);
	const short = Math.min(width, height);
	if (ASPECT_LIMIT.long * short <= ASPECT_LIMIT.short * long) {
		throw new InvalidRequestError({ kind: 'image-aspect', option, width, height });
	}
	if (short <= MIN_SHORT_SIDE) {
		throw new InvalidRequestError({ kind: 'image-too-small', option, width, height, min: MIN_SHORT_SIDE });
	}
}

/**
 * Checks an image's bytes against every limit, never decoding its pixels: what it is by its
 * magic bytes (not by any declared type), its size in bytes, a header that reads, its width and
 * height (`checkDimensions`), and a container structure that is whole (not cut off). Throws
 * `InvalidRequestError`; returns the real type and size when the image passes.
 */
export function checkImage(option: string, data: Buffer): CheckedImage {
	const header = readImageHeader(data);
	if (header.kind === 'not-image') throw new InvalidRequestError({ kind: 'image-not-image', option });
	if (data.length > MAX_IMAGE_BYTES) {
		throw new InvalidRequestError({ kind: 'image-too-large', option, bytes: data.length, max: MAX_IMAGE_BYTES });
	}
	if (header.kind === 'unreadable') {
		throw new InvalidRequestError({ kind: 'image-unreadable', option }, { cause: new Error(header.reason) });
	}
	checkDimensions(option, header.width, header.height);
	const damage = findStructuralDamage(data, header.type);
	if (damage !== undefined) {
		throw new InvalidRequestError({ kind: 'image-unreadable', option }, { cause: new Error(damage) });
	}
	return { type: header.type, width: header.width, height: header.height };
}

export interface AttachmentInfo {
	readonly option: string;
	readonly url: string;
	readonly size: number;
	readonly contentType: string | null;
	/** Discord's reading of the image's size (null for files it does not see as images). */
	readonly width?: number | null | undefined;
	readonly height?: number | null | undefined;
}

/**
 * Refuses an attachment from what Discord says of it, before downloading anything: its declared
 * type and size and, when Discord measured the picture, its width and height. The downloaded
 * bytes are checked again by `fetchAttachmentImage`, which is what counts.
 */
export function checkAttachmentInfo(info: AttachmentInfo): void {
	const declared = info.contentType?.split(';')[0]?.trim().toLowerCase();
	if (declared !== undefined && !declared.startsWith('image/')) {
		throw new InvalidRequestError({ kind: 'image-not-image', option: info.option });
	}
	if (info.size > MAX_IMAGE_BYTES) {
		throw new InvalidRequestError({
			kind: 'image-too-large',
			option: info.option,
			bytes: info.size,
			max: MAX_IMAGE_BYTES,
		});
	}
	const { width, height } = info;
	if (typeof width === 'number' && typeof height === 'number' && width > 0 && height > 0) {
		checkDimensions(info.option, width, height);
	}
}

/**
 * Copies an attachment now, because Discord's signed links expire while a job may wait, and
 * checks the copy with `checkImage`. Only from where `guard` allows (Discord's attachment hosts):
 * a link elsewhere is refused before a byte is fetched.
 */
export async function fetchAttachmentImage(
	info: AttachmentInfo,
	guard: DownloadGuard,
	signal?: AbortSignal,
): Promise<{ data: Buffer; contentType: ImageType; width: number; height: number }> {
	let result;
	try {
		result = await fetchCapped(info.url, MAX_IMAGE_BYTES, { signal, timeoutMs: 15_000, guard });
	} catch (error) {
		if (error instanceof UnsafeUrlError)
			throw new InvalidRequestError({ kind: 'attachment-host', option: info.option }, { cause: error });
		throw new InvalidRequestError({ kind: 'image-unreadable', option: info.option }, { cause: error });
	}
	if (!result.ok) {
		throw new InvalidRequestError({
			kind: 'image-too-large',
			option: info.option,
			bytes: result.bytes ?? MAX_IMAGE_BYTES + 1,
			max: MAX_IMAGE_BYTES,
		});
	}
	const image = checkImage(info.option, result.data);
	return { data: result.data, contentType: image.type, width: image.width, height: image.height };
}

const IMAGE_NAME = /\.(png|jpe?g|webp)$/i;
const IMAGE_MIME: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/webp']);

/**
 * Which of a message's attachments Animate takes: the first PNG, JPEG or WebP image, by its
 * declared type or, without one, by its name (its bytes are checked when it is copied).
 */
export function firstImageIndex(
	attachments: ReadonlyArray<{ readonly contentType: string | null | undefined; readonly name: string }>,
): number | undefined {
	const index = attachments.findIndex(({ contentType, name }) => {
		const declared = contentType?.split(';')[0]?.trim().toLowerCase();
		return declared === undefined || declared === '' ? IMAGE_NAME.test(name) : IMAGE_MIME.has(declared);
	});
	return index === -1 ? undefined : index;
}
