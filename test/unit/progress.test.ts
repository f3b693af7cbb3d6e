import { describe, expect, it } from 'vitest';
import { ProgressThrottle } from '../../src/worker/progress.js';

describe('progress throttle', () => {
	it('drops offers inside the interval and sends the next one after it', async () => {
		let now = 10_000;
		const sent: Array<[number, string]> = [];
		const throttle = new ProgressThrottle(
			async (c) => void sent.push([now, c]),
			3_000,
			() => now,
			9_000,
		);
		await throttle.offer('a'); // 1 s after the last edit: dropped
		now = 12_000;
		await throttle.offer('b');
		now = 13_000;
		await throttle.offer('c'); // dropped
		now = 15_500;
		await throttle.offer('c');
		await throttle.offer('c'); // same content, nothing to do
		expect(sent).toEqual([
			[12_000, 'b'],
			[15_500, 'c'],
		]);
	});

	it('waits out the interval for a stage the user must see', async () => {
		const sent: Array<[number, string]> = [];
		const throttle = new ProgressThrottle(async (c) => void sent.push([Date.now(), c]), 150);
		await throttle.show('submitted');
		await throttle.show('uploading');
		expect(sent.map(([, c]) => c)).toEqual(['submitted', 'uploading']);
		expect((sent[1]?.[0] ?? 0) - (sent[0]?.[0] ?? 0)).toBeGreaterThanOrEqual(149);
	});
});
