import { defineConfig } from 'vitest/config';

// `npm run test:e2e`: the portal in Debian's Chromium against the local host (see tests/e2e/). Separate from
// `npm test`, which stays browser-free.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    testTimeout: 90_000,
    hookTimeout: 480_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    reporters: process.env.VITEST_JSON ? ['default', ['json', { outputFile: process.env.VITEST_JSON }]] : ['default'],
  },
});
