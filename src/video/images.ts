import { InvalidRequestError } from '../errors.js';
import { downloadCapped } from '../providers/http.js';
import { IMAGE_TYPES } from './request.js';

/** MiniMax's documented limit for input images. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export type ImageType = (typeof IMAGE_TYPES)[number];

/** What the file really is, from its first bytes; the declared content type is only a hint. */
export function sniffImageType(data: Buffer): ImageType | undefined {
	if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
		return 'image/png';
	}
	if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
	if (data.length >= 12 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') {
		return 'image/webp';
	}
	return undefined;
}

export interface AttachmentInfo {
	readonly option: string;
	readonly url: string;
	readonly size: number;
	readonly contentType: string | null;
}

/** Refuses an attachment from what Discord says of it, before downloading anything. */
export function checkAttachmentInfo(info: AttachmentInfo): void {
	const declared = info.contentType?.split(';')[0]?.trim().toLowerCase();
	if (declared !== undefined && !declared.startsWith('image/')) {
		throw new InvalidRequestError({ kind: 'image-not-image', option: info.option });
	}
	if (info.size > MAX_IMAGE_BYTES) {
		throw new InvalidRequestError({ kind: 'image-too-large', option: info.option, bytes: info.size, max: MAX_IMAGE_BYTES });
	}
}

/** Copies an attachment now, because Discord's signed links expire while a job may wait. */
export async function fetchAttachmentImage(
	info: AttachmentInfo,
	signal?: AbortSignal,
): Promise<{ data: Buffer; contentType: ImageType }> {
	let result;
	try {
		result = await downloadCapped('discord', info.url, MAX_IMAGE_BYTES, signal, 15_000);
	} catch (error) {
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
	const type = sniffImageType(result.data);
	if (type === undefined) throw new InvalidRequestError({ kind: 'image-not-image', option: info.option });
	return { data: result.data, contentType: type };
}
