import { describe, expect, it } from 'vitest';
import { ProgressPacer } from '../../src/worker/progress.js';

/** A turn that comes when the test says. */
function gate() {
	let open: () => void = () => undefined;
	let opened = new Promise<void>((resolve) => (open = resolve));
	return {
		ready: async (signal: AbortSignal) => {
			await Promise.race([
				opened,
				new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
			]);
		},
		open: () => open(),
		close: () => (opened = new Promise<void>((resolve) => (open = resolve))),
	};
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('progress pacer: passing states in their turn, superseded ones never shown', () => {
	it('shows only the newest state when its turn comes', async () => {
		const turn = gate();
		const sent: string[] = [];
		const pacer = new ProgressPacer(
			async (c) => void sent.push(c),
			turn.ready,
			() => undefined,
		);
		pacer.show('submitted');
		pacer.show('generating 1s');
		pacer.show('generating 2s');
		await tick();
		expect(sent).toEqual([]);
		turn.open();
		await tick();
		expect(sent).toEqual(['generating 2s']);
		pacer.show('generating 2s'); // what is shown already is not sent again
		pacer.show('generating 3s');
		await tick();
		expect(sent).toEqual(['generating 2s', 'generating 3s']);
	});

	it('drops a waiting state when the final word comes, without waiting for its turn', async () => {
		const turn = gate();
		const sent: string[] = [];
		const pacer = new ProgressPacer(
			async (c) => void sent.push(c),
			turn.ready,
			() => undefined,
		);
		pacer.show('uploading');
		await pacer.supersede();
		turn.open();
		pacer.show('too late');
		await tick();
		expect(sent).toEqual([]);
	});

	it('lets an edit under way end before the final word', async () => {
		const turn = gate();
		turn.open();
		const order: string[] = [];
		let finish: () => void = () => undefined;
		const pacer = new ProgressPacer(
			async (c) => {
				order.push(`start ${c}`);
				await new Promise<void>((resolve) => (finish = resolve));
				order.push(`end ${c}`);
			},
			turn.ready,
			() => undefined,
		);
		pacer.show('generating');
		await tick();
		const superseded = pacer.supersede().then(() => order.push('final'));
		await tick();
		expect(order).toEqual(['start generating']);
		finish();
		await superseded;
		expect(order).toEqual(['start generating', 'end generating', 'final']);
	});

	it('reports a state it could not show, and shows the next one', async () => {
		const turn = gate();
		turn.open();
		const failures: unknown[] = [];
		const sent: string[] = [];
		const pacer = new ProgressPacer(
			async (c) => {
				if (c === 'bad') throw new Error('502');
				sent.push(c);
			},
			turn.ready,
			(error) => failures.push(error),
		);
		pacer.show('bad');
		await tick();
		pacer.show('good');
		await tick();
		expect(failures).toHaveLength(1);
		expect(sent).toEqual(['good']);
	});
});
