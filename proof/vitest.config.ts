import { defineConfig } from 'vitest/config';

// The proof suite (issue #10 item 9): black-box scenarios against real bank processes, real
// Postgres and real Redis. Bounded in CI (`pnpm test`); `pnpm proof:long` sets PROOF_LONG=1 for
// the long versions. Files run two at a time (a 2-core machine); time is never asserted.
export default defineConfig({
  test: {
    include: ['test/**/*.proof.test.ts'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 600_000,
    hookTimeout: 180_000,
  },
});
