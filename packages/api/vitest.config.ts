import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // The bounds tests parse megabyte strings and long lists; on a loaded 2-core machine (every
    // package tests at once) that takes seconds. Time is never asserted.
    testTimeout: 60_000,
  },
});
