import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.ts'],
		globalSetup: ['test/setup/redis.ts'],
		// Integration and end-to-end files start processes and share one Redis: run files one at a
		// time so timing stays predictable on a 2-core machine.
		fileParallelism: false,
		testTimeout: 30_000,
		hookTimeout: 60_000,
		globals: false,
	},
});
