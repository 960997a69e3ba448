/** Where the tests find Postgres and Redis (CI starts both, see .ci/run). */

/** A database the test role may create schemas in. */
export const TEST_DATABASE_URL =
  process.env.DATABASE_URL ?? 'postgres://offpay:offpay@127.0.0.1:5432/offpay_test';

/** A Redis the tests may write under random prefixes. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
