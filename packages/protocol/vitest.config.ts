import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Property tests sign and seal hundreds of payments with pure-JS P-256; on a loaded 2-core CI
    // machine that takes tens of seconds. Time is never asserted.
    testTimeout: 180_000,
  },
});
