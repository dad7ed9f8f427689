import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    env: { NODE_ENV: 'test' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Suites start real servers; two cores.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
