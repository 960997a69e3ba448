/**
 * The bank's configuration: the environment parsed once with zod. This is the only module that
 * reads `process.env` (STYLE.md "create-t3-turbo"); everything else receives a {@link BankConfig}.
 */
import { fileURLToPath } from 'node:url';
import { GRACE_SECONDS } from '@offpay/protocol';
import { z } from 'zod';

/** Where the embedded database and the generated key-encryption secret live by default. */
const DEFAULT_DATA_DIR = fileURLToPath(new URL('../.data/bank', import.meta.url));

/** scrypt cost in production: N = 2^15, r = 8, p = 1 (RFC 7914; OWASP's minimum for scrypt). */
export const PRODUCTION_SCRYPT_LOG2N = 15;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** An unset variable and an empty one mean the same: docker-compose passes `${X:-}` as "". */
const optionalString = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z.string().optional(),
);

const booleanString = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8787),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: optionalString.pipe(z.url().optional()),
    DATA_DIR: optionalString,
    REDIS_URL: optionalString.pipe(z.url().optional()),
    JWT_SECRET: optionalString.pipe(z.string().min(32).optional()),
    JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(65_536),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    PUBLIC_BASE_URL: optionalString.pipe(z.url().optional()),
    BANK_KEY_ENCRYPTION_SECRET: optionalString.pipe(z.string().min(32).optional()),
    DEMO_SEED: optionalString.pipe(booleanString.optional()),
    // Payer certificates: 1 hour … 90 days (DESIGN.md §3 "Expiry": 7 days by default).
    PAYER_CERT_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(3600)
      .max(90 * 86_400)
      .default(7 * 86_400),
    PAYEE_CERT_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(86_400)
      .max(5 * 365 * 86_400)
      .default(365 * 86_400),
    // 0 turns the reserve-release job off on this instance (another instance must run it).
    RELEASE_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  })
  .superRefine((env, ctx) => {
    // A shared database means a production-like deployment: the secret that protects the bank's
    // private keys must come from the operator, never from a file next to the process.
    if (env.DATABASE_URL !== undefined && env.BANK_KEY_ENCRYPTION_SECRET === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['BANK_KEY_ENCRYPTION_SECRET'],
        message: 'is required when DATABASE_URL is set (see docs/operations.md)',
      });
    }
  });

/** Everything the bank needs to start; built from the environment or by tests. */
export interface BankConfig {
  port: number;
  host: string;
  /** Postgres URL; absent → embedded PGlite in {@link BankConfig.dataDir}. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Redis URL; absent → in-process implementations of the key-value interfaces. */
  redisUrl: string | undefined;
  jwt: { secret: string | undefined; issuer: string; audience: string; ttlSeconds: number };
  bodyLimitBytes: number;
  logLevel: (typeof LOG_LEVELS)[number];
  publicBaseUrl: string;
  /** Absent on the embedded default: then generated into `dataDir/key-encryption.secret`. */
  keyEncryptionSecret: string | undefined;
  demoSeed: boolean;
  /** scrypt cost for new password hashes. Only tests lower it; the environment cannot. */
  passwordHashing: { log2N: number };
  /** How long a retired KEM key still opens sealed batches: 7-day certificates + 1 day grace. */
  retiredKemAcceptSeconds: number;
  /** Certificate lifetimes and the reserve-release job (0 = off). */
  certificates: {
    payerTtlSeconds: number;
    payeeTtlSeconds: number;
    releaseIntervalSeconds: number;
  };
}

/**
 * Parses the environment into a {@link BankConfig}.
 * @throws Error listing every invalid variable (names and rules only, never values).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): BankConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid bank configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const publicBaseUrl = (e.PUBLIC_BASE_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/+$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR ?? DEFAULT_DATA_DIR,
    redisUrl: e.REDIS_URL,
    jwt: {
      secret: e.JWT_SECRET,
      issuer: publicBaseUrl,
      audience: 'offpay',
      ttlSeconds: e.JWT_TTL_SECONDS,
    },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    logLevel: e.LOG_LEVEL,
    publicBaseUrl,
    keyEncryptionSecret: e.BANK_KEY_ENCRYPTION_SECRET,
    // Demo users only on the embedded default unless asked for explicitly.
    demoSeed: e.DEMO_SEED ?? e.DATABASE_URL === undefined,
    passwordHashing: { log2N: PRODUCTION_SCRYPT_LOG2N },
    // A retired KEM key still opens batches for the longest payer certificate plus the grace period
    // (DESIGN.md §3 "Bank keys"): a batch may carry payments that old.
    retiredKemAcceptSeconds: e.PAYER_CERT_TTL_SECONDS + GRACE_SECONDS,
    certificates: {
      payerTtlSeconds: e.PAYER_CERT_TTL_SECONDS,
      payeeTtlSeconds: e.PAYEE_CERT_TTL_SECONDS,
      releaseIntervalSeconds: e.RELEASE_INTERVAL_SECONDS,
    },
  };
}
