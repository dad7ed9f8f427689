import { defineConfig } from 'vitest/config';

export default defineConfig({
  // One graphql instance: Pothos and Yoga load it as CommonJS, vite would otherwise pick the .mjs build.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // The first Prisma query plans served from the plan cache for each shape are compared with a fresh compile (src/db/plan-cache.ts).
    env: { NODE_ENV: 'test', DATABASE_PLAN_CACHE: 'verify' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Suites start real servers; two cores.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
