import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.e2e.test.ts'],
    environment: 'node',
    // One browser and one bank per file; files one after another (they share the fake camera).
    fileParallelism: false,
    // A whole user journey in a real browser on a loaded 2-core CI machine. Time is never asserted.
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
});
