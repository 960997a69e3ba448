import { defineConfig } from 'vitest/config';

// *.test.ts are pure; *.db.test.ts use real Postgres (DATABASE_URL or the local offpay_test
// database) and Redis (REDIS_URL or 127.0.0.1:6379). Each file works in its own schema, so
// files run in parallel.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
