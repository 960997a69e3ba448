import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Storage tests run on fake-indexeddb (imported per file); DOM tests opt into happy-dom with
    // a `// @vitest-environment happy-dom` comment. The real browser path is e2e/.
    environment: 'node',
    testTimeout: 60_000,
  },
});
