import { describe, expect, it } from 'vitest';
import { clipFileName } from '../../src/video/file-name.js';

describe('clip file names', () => {
	it('says what the clip is: the prompt’s words, without camera brackets', () => {
		expect(clipFileName('[Pan left, Zoom in] a paper boat on a rainy street')).toBe(
			'a-paper-boat-on-a-rainy-street.mp4',
		);
		expect(clipFileName('A bear waves [Pedestal up], then turns away [Zoom out]')).toBe(
			'a-bear-waves-then-turns-away.mp4',
		);
	});

	it('keeps ASCII letters and digits, folding accents, and cuts long prompts at a word', () => {
		expect(clipFileName('Un été à Besançon, 1998 !')).toBe('un-ete-a-besancon-1998.mp4');
		const long = clipFileName('a lighthouse in a storm at dusk with waves crashing over the rocks below');
		expect(long).toBe('a-lighthouse-in-a-storm-at-dusk-with-waves.mp4');
		expect(long.length).toBeLessThanOrEqual(48 + 4);
	});

	it('falls back to "clip" when nothing readable is left', () => {
		expect(clipFileName('[Static shot]')).toBe('clip.mp4');
		expect(clipFileName('東京の夜景')).toBe('clip.mp4');
		expect(clipFileName('', 'webm')).toBe('clip.webm');
	});
});
