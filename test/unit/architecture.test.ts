import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The structure as a test: every import of the shipped code runs down the layers (never from a
 * lower one back up) and no files import each other in a loop. The layers, top to bottom, are
 * the README's architecture section.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Rank of each part: a part may import only parts of a lower rank, or files of its own part. */
const LAYERS: ReadonlyArray<readonly [part: string, rank: number]> = [
	['src/bin/', 10],
	['src/bot/', 9],
	['src/worker/', 9],
	['commands/', 8],
	['src/discord/', 7],
	['src/generation/', 6],
	['src/texts/', 5],
	['src/jobs/', 5],
	['src/store/', 5],
	['src/config.ts', 5],
	['src/providers/', 4],
	['src/video/', 3],
	['src/media/', 2],
	['src/http.ts', 1],
	['src/log.ts', 1],
	['src/redis.ts', 1],
	['src/running.ts', 1],
	['src/errors.ts', 0],
	['src/failures.ts', 0],
	['src/metrics.ts', 0],
];

function sources(dir: string): string[] {
	return readdirSync(join(root, dir)).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(join(root, path)).isDirectory()) return sources(path);
		return path.endsWith('.ts') ? [path] : [];
	});
}

const files = [...sources('src'), ...sources('commands')];

function partOf(file: string): readonly [string, number] {
	const layer = LAYERS.find(([part]) => (part.endsWith('/') ? file.startsWith(part) : file === part));
	if (layer === undefined) throw new Error(`${file} is on no layer: add its part to LAYERS and the README`);
	return layer;
}

/** Relative imports of a file, as repository paths of .ts files. */
function importsOf(file: string): string[] {
	const text = readFileSync(join(root, file), 'utf8');
	const found = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/g)].map((match) => match[1] ?? '');
	return found.map((spec) => normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'));
}

const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe('architecture', () => {
	it('reads every import of the shipped code (the check has something to check)', () => {
		expect(files.length).toBeGreaterThan(60);
		for (const [file, imports] of graph)
			for (const target of imports) expect(graph.has(target), `${file} → ${target}`).toBe(true);
		expect([...graph.values()].flat().length).toBeGreaterThan(150);
	});

	it('puts every file on a layer', () => {
		for (const file of files) expect(() => partOf(file)).not.toThrow();
	});

	it('imports only downwards: no part imports a part of its own rank or above', () => {
		const upwards: string[] = [];
		for (const [file, imports] of graph) {
			const [part, rank] = partOf(file);
			for (const target of imports) {
				const [targetPart, targetRank] = partOf(target);
				if (targetPart !== part && targetRank >= rank) upwards.push(`${file} → ${relative('.', target)}`);
			}
		}
		expect(upwards).toEqual([]);
	});

	it('has no import cycle between files', () => {
		const cycles: string[] = [];
		const state = new Map<string, 'open' | 'done'>();
		const visit = (file: string, path: string[]) => {
			if (state.get(file) === 'done') return;
			if (state.get(file) === 'open') {
				cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
				return;
			}
			state.set(file, 'open');
			for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
			state.set(file, 'done');
		};
		for (const file of files) visit(file, []);
		expect(cycles).toEqual([]);
	});

	it('lets only the jobs module import BullMQ, and only store/ build Redis keys', () => {
		for (const file of files) {
			const text = readFileSync(join(root, file), 'utf8');
			if (/from 'bullmq'/.test(text)) expect(file.startsWith('src/jobs/'), file).toBe(true);
			if (/prefix\}:/.test(text)) expect(file.startsWith('src/store/'), file).toBe(true);
		}
	});
});
