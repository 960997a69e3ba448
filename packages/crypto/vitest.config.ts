import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Whole Wycheproof files run in one test each with pure-JS P-256; on a loaded 2-core CI
    // machine (every package tests at once) they take tens of seconds. Time is never asserted.
    testTimeout: 180_000,
  },
});
