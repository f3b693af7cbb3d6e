/** Longest slug kept from a prompt, in characters. */
const MAX_SLUG = 48;

/**
 * A clip's file name from its prompt: the words without camera brackets, lower-case ASCII joined
 * by dashes, cut at a word (`a-paper-boat-on-a-rainy-street.mp4`); `clip` when nothing is left.
 */
export function clipFileName(prompt: string, extension = 'mp4'): string {
	const words = prompt
		.replace(/\[[^\]]*\]/g, ' ')
		.normalize('NFKD')
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '');
	const cut = words.length <= MAX_SLUG ? words : words.slice(0, MAX_SLUG).replace(/-[^-]*$/, '');
	return `${cut === '' ? 'clip' : cut}.${extension}`;
}
