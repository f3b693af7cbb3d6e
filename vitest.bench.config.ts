import { defineConfig } from 'vitest/config';

/** `npm run bench`: the figures of docs/benchmarks.md, with the tests' Redis and stand-ins. */
export default defineConfig({
	test: {
		include: ['test/bench/**/*.bench.ts'],
		globalSetup: ['test/setup/redis.ts'],
		fileParallelism: false,
		testTimeout: 240_000,
		hookTimeout: 120_000,
		globals: false,
	},
});
