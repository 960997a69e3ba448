/** Builds the bank for tests: injected database, stores, clock and log capture. */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { BankConfig } from '../../src/config.js';
import type { Database } from '../../src/db/queryable.js';
import type { KeyValueStores } from '../../src/kv/kv.js';
import { createMemoryStores } from '../../src/kv/memory.js';

/** A fixed key-encryption secret for tests (never used outside them). */
export const TEST_KEK_SECRET = 'test-only key-encryption secret, 32+ chars';

/** A config for tests: cheap scrypt (2^12), no demo seed, quiet logs. */
export function testConfig(overrides: Partial<BankConfig> = {}): BankConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: undefined,
    dataDir: '/nonexistent',
    redisUrl: undefined,
    jwt: { secret: undefined, issuer: 'http://bank.test', audience: 'offpay', ttlSeconds: 900 },
    bodyLimitBytes: 4096,
    logLevel: 'silent',
    publicBaseUrl: 'http://bank.test',
    keyEncryptionSecret: TEST_KEK_SECRET,
    demoSeed: false,
    passwordHashing: { log2N: 12 },
    retiredKemAcceptSeconds: 8 * 86_400,
    // The reserve-release job is off unless a test turns it on: tests call it with their clock.
    certificates: {
      payerTtlSeconds: 7 * 86_400,
      payeeTtlSeconds: 365 * 86_400,
      releaseIntervalSeconds: 0,
    },
    // Suites about other things send many requests from one address and user; the rate limits
    // have their own tests (test/redis/rate-limits.db.test.ts), which set them low.
    rateLimits: {
      windowSeconds: 60,
      login: 1_000,
      loginAddress: 10_000,
      register: 10_000,
      registerTotal: 10_000,
      enrollment: 1_000,
      settlement: 10_000,
      operatorLogin: 1_000,
      fraudReports: 10_000,
    },
    ...overrides,
  };
}

/** Collects every log line written by the app. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    callback();
  }

  /** All lines as one string, for "never contains" assertions. */
  text(): string {
    return this.lines.join('');
  }
}

/** Options of {@link buildTestApp}. */
export interface TestAppOptions {
  db: Database;
  stores?: KeyValueStores;
  now?: () => Date;
  config?: Partial<BankConfig>;
  logs?: LogCapture;
  /** Call `ready()` (default); false lets a test add routes first. */
  ready?: boolean;
}

/** Builds (and readies) an app on `db`; the caller closes the app (and owns `db`). */
export async function buildTestApp(opts: TestAppOptions): Promise<FastifyInstance> {
  const config = testConfig({
    ...(opts.logs ? { logLevel: 'debug' as const } : {}),
    ...opts.config,
  });
  const app = await buildApp(config, {
    database: opts.db,
    stores: opts.stores ?? createMemoryStores(),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.logs ? { logDestination: opts.logs } : {}),
  });
  if (opts.ready !== false) await app.ready();
  return app;
}
