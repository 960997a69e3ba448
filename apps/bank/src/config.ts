/**
 * The bank's configuration: the environment parsed once with zod. This is the only module that
 * reads `process.env` (STYLE.md "create-t3-turbo"); everything else receives a {@link BankConfig}.
 */
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { GRACE_SECONDS } from '@offpay/protocol';
import { z } from 'zod';

/** Where the embedded database and the generated key-encryption secret live by default. */
const DEFAULT_DATA_DIR = fileURLToPath(new URL('../.data/bank', import.meta.url));

/** The tokens' issuer when JWT_ISSUER is not set. */
export const DEFAULT_JWT_ISSUER = 'offpay-bank';

/** scrypt cost in production: N = 2^15, r = 8, p = 1 (RFC 7914; OWASP's minimum for scrypt). */
export const PRODUCTION_SCRYPT_LOG2N = 15;

/**
 * The debtor account of exported payouts when PAYOUT_DEBTOR_IBAN is not set: the well-known
 * example IBAN of the German banking association, for demos and tests only.
 */
export const DEMO_DEBTOR_IBAN = 'DE89370400440532013000';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** An unset variable and an empty one mean the same: docker-compose passes `${X:-}` as "". */
const optionalString = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z.string().optional(),
);

const booleanString = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

/** A bare IPv4/IPv6 address or CIDR, as proxy-addr (Fastify's trustProxy) reads it. */
function isAddressOrCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  if (rest.length > 0 || address === undefined) return false;
  const version = isIP(address);
  if (version === 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: unset or `false` → no proxy; a hop count (1 … 10: how many proxies in front, each
 * appending to X-Forwarded-For); or a comma list of the proxies' addresses/CIDRs. `true` (believe
 * any client's X-Forwarded-For, so any client picks its own rate-limit key) is refused.
 */
const trustProxySchema = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    if (v === 'true' || v === '1+' || v === '*') {
      ctx.addIssue({
        code: 'custom',
        message:
          '"true" would believe any client\'s X-Forwarded-For (anyone could pick their own address ' +
          'and escape every per-address limit): give the number of proxies in front of the bank ' +
          '(e.g. 1) or their addresses/CIDRs (e.g. 10.0.0.0/8,127.0.0.1)',
      });
    } else if (
      v !== 'false' &&
      !/^\d+$/.test(v) &&
      !v.split(',').every((a) => isAddressOrCidr(a.trim()))
    ) {
      ctx.addIssue({
        code: 'custom',
        message:
          'a hop count (1 … 10), false, or a comma-separated list of addresses/CIDRs like 10.0.0.0/8,127.0.0.1',
      });
    } else if (/^\d+$/.test(v) && (Number(v) < 1 || Number(v) > 10)) {
      ctx.addIssue({ code: 'custom', message: 'a hop count is 1 … 10 (false for none)' });
    }
  })
  .transform((v): false | number | string[] => {
    if (v === 'false') return false;
    if (/^\d+$/.test(v)) return Number(v);
    return v.split(',').map((a) => a.trim());
  });

const envSchema = z
  .object({
    // production: refuses the embedded demo (below); /docs and /metrics off unless turned on.
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(8787),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: optionalString.pipe(z.url().optional()),
    DATA_DIR: optionalString,
    REDIS_URL: optionalString.pipe(z.url().optional()),
    JWT_SECRET: optionalString.pipe(z.string().min(32).optional()),
    JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
    // The tokens' issuer (iss), the same on every instance of one bank (docs/operations.md).
    JWT_ISSUER: optionalString.pipe(z.string().max(200).optional()),
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
    // How recent the sign-in behind a payer enrollment must be (docs/threat-model.md §4.1
    // "Before the report"): 30 s … 15 minutes, 5 minutes by default.
    ENROLL_SIGN_IN_MAX_AGE_SECONDS: z.coerce.number().int().min(30).max(900).default(300),
    // The recovery cap (docs/threat-model.md "Liability"): the most recovered from a payer's
    // available balance beyond one certificate's reserve, in percent of its limit. 0 … 10000.
    RECOVERY_CAP_PERCENT: z.coerce.number().int().min(0).max(10_000).default(100),
    // 0 turns the reserve-release job off on this instance (another instance must run it).
    RELEASE_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
    // How often the main audit chain anchors the payee chains' heads (docs/scaling.md); 0: off.
    AUDIT_ANCHOR_SECONDS: z.coerce.number().int().min(0).max(3_600).default(1),
    // Rate limits per window (docs/operations.md "Redis"); 0 turns one off.
    RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    RATE_LIMIT_LOGIN: z.coerce.number().int().min(0).max(1_000_000).default(10),
    RATE_LIMIT_LOGIN_ADDRESS: z.coerce.number().int().min(0).max(1_000_000).default(30),
    RATE_LIMIT_REGISTER: z.coerce.number().int().min(0).max(1_000_000).default(5),
    RATE_LIMIT_REGISTER_TOTAL: z.coerce.number().int().min(0).max(1_000_000).default(120),
    RATE_LIMIT_ENROLLMENT: z.coerce.number().int().min(0).max(1_000_000).default(20),
    RATE_LIMIT_SETTLEMENT: z.coerce.number().int().min(0).max(1_000_000).default(300),
    RATE_LIMIT_OPERATOR_LOGIN: z.coerce.number().int().min(0).max(1_000_000).default(5),
    RATE_LIMIT_FRAUD_PROOFS: z.coerce.number().int().min(0).max(1_000_000).default(120),
    RATE_LIMIT_FRAUD_REPORTS: z.coerce.number().int().min(0).max(1_000_000).default(30),
    RATE_LIMIT_CERTIFICATE_REPORTS: z.coerce.number().int().min(0).max(1_000_000).default(10),
    // Operator sessions are short (docs/operations.md "Operators"): 1 … 60 minutes, 15 by default.
    OPERATOR_SESSION_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
    // The bank's own account that pays payouts: the debtor of the pain.001 files it exports.
    PAYOUT_DEBTOR_NAME: z.string().min(1).max(70).default('offpay bank'),
    PAYOUT_DEBTOR_IBAN: z
      .string()
      .regex(/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/)
      .default(DEMO_DEBTOR_IBAN),
    PAYOUT_DEBTOR_BIC: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/)
        .optional(),
    ),
    // Client addresses from X-Forwarded-For behind a proxy: a hop count, or the proxies'
    // addresses/CIDRs. Never `true` (every client's X-Forwarded-For believed).
    TRUST_PROXY: optionalString.pipe(trustProxySchema.optional()),
    // Browser origins allowed to call the API (the sender and receiver apps), comma-separated.
    CORS_ORIGINS: optionalString.pipe(
      z
        .string()
        .transform((v) => v.split(',').map((o) => o.trim()))
        .refine(
          (list) => list.every(isOrigin),
          'a comma-separated list of origins like http://127.0.0.1:5173 (scheme, host, port; no path)',
        )
        .optional(),
    ),
    EVENTS_MAX_STREAMS_PER_USER: z.coerce.number().int().min(1).max(1_000).default(5),
    EVENTS_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(300).default(15),
    // The console's live activity panel (docs/operations.md "The console").
    CONSOLE_ACTIVITY_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
    CONSOLE_STREAMS_PER_OPERATOR: z.coerce.number().int().min(1).max(100).default(3),
    // Signature checks on worker threads (docs/PERFORMANCE.md "apps/bank"); 0 = in-thread only.
    VERIFY_WORKERS: z.coerce.number().int().min(0).max(64).default(availableParallelism()),
    VERIFY_POOL_MIN_ENTRIES: z.coerce.number().int().min(1).max(100_000).default(64),
    // Bad-signature burst alert (docs/operations.md "Alerts").
    ALERT_BAD_SIGNATURES: z.coerce.number().int().min(1).max(1_000_000).default(5),
    ALERT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    // The built apps, served from the bank's origin (docs/operations.md "One origin").
    APPS_DIR: optionalString,
    // HTTPS in the bank itself (`pnpm start --lan`); behind a proxy (Caddy) leave both unset.
    TLS_CERT_FILE: optionalString,
    TLS_KEY_FILE: optionalString,
    // Swagger UI at /docs and GET /metrics: on by default, off by default in production.
    DOCS_ENABLED: optionalString.pipe(booleanString.optional()),
    METRICS_ENABLED: optionalString.pipe(booleanString.optional()),
    // Merchant webhooks (docs/webhooks.md): http://localhost endpoints for local development only.
    WEBHOOK_ALLOW_HTTP: optionalString.pipe(booleanString.optional()),
    // 0 turns the delivery worker off on this instance (another instance must run it).
    WEBHOOK_POLL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(5000),
    WEBHOOK_BACKOFF_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(10_000),
    WEBHOOK_BACKOFF_MAX_MS: z.coerce.number().int().min(10).max(86_400_000).default(3_600_000),
    WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
    // Delivered and given-up deliveries older than this are deleted; 0 keeps them all.
    WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  })
  .superRefine((env, ctx) => {
    if ((env.TLS_CERT_FILE === undefined) !== (env.TLS_KEY_FILE === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['TLS_KEY_FILE'],
        message: 'TLS_CERT_FILE and TLS_KEY_FILE are set together or not at all',
      });
    }
    // Production never runs the embedded demo bank: its data lives in a folder beside the
    // process and its seeded users have public passwords (README.md).
    if (env.NODE_ENV === 'production' && env.DATABASE_URL === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message:
          'is required in production (NODE_ENV=production): the embedded demo database is for trying offpay out',
      });
    }
    if (env.NODE_ENV === 'production' && env.WEBHOOK_ALLOW_HTTP === true) {
      ctx.addIssue({
        code: 'custom',
        path: ['WEBHOOK_ALLOW_HTTP'],
        message: 'must be false in production: webhooks are signed, not encrypted, over http',
      });
    }
    if (env.NODE_ENV === 'production' && env.DEMO_SEED === true) {
      ctx.addIssue({
        code: 'custom',
        path: ['DEMO_SEED'],
        message: 'must be false in production: the demo users have public passwords',
      });
    }
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

/** Requests allowed per window and group (0 = no limit), counted in the key-value stores. */
export interface RateLimits {
  windowSeconds: number;
  /** Per client address and email. */
  login: number;
  /** Logins per client address across emails (password spraying); absent → 30. */
  loginAddress?: number;
  /** Registrations per client address; absent → 5. */
  register?: number;
  /** Registrations bank-wide, every address together; absent → 120. */
  registerTotal?: number;
  /** Per user, over the challenge and both enrollments. */
  enrollment: number;
  /** Per client address, before the sealed batch is even read. */
  settlement: number;
  /** Operator sign-ins per client address, across emails; absent → 5. */
  operatorLogin?: number;
  /** Reads of stored fraud proofs (GET /v1/fraud-proofs…) per client address; absent → 120. */
  fraudProofs?: number;
  /** Fraud-proof reports (POST /v1/fraud-proofs) per client address; absent → 30. */
  fraudReports?: number;
  /** Lost-or-stolen reports (POST /v1/certificates/:serial/report) per user; absent → 10. */
  certificateReports?: number;
}

/** Rate limits when the configuration names none. */
export const DEFAULT_RATE_LIMITS: Required<RateLimits> = {
  windowSeconds: 60,
  login: 10,
  loginAddress: 30,
  register: 5,
  registerTotal: 120,
  enrollment: 20,
  settlement: 300,
  operatorLogin: 5,
  fraudProofs: 120,
  fraudReports: 30,
  certificateReports: 10,
};

/** Live settlement events (GET /v1/settlements/events). */
export interface EventsConfig {
  /** Open streams per user on one instance. */
  maxStreamsPerUser: number;
  /** Seconds between heartbeat comments that keep proxies from closing an idle stream. */
  heartbeatSeconds: number;
}

/** Live-event settings when the configuration names none. */
export const DEFAULT_EVENTS: EventsConfig = { maxStreamsPerUser: 5, heartbeatSeconds: 15 };

/** The operators' console (GET /v1/operator/activity). */
export interface ConsoleConfig {
  /** Seconds between two snapshots of the live activity stream. */
  activitySeconds: number;
  /** Open activity streams per operator on one instance. */
  maxStreamsPerOperator: number;
}

/** Console settings when the configuration names none. */
export const DEFAULT_CONSOLE: ConsoleConfig = { activitySeconds: 5, maxStreamsPerOperator: 3 };

/** The apps as `pnpm start` serves them (apps/sender on 5173, apps/receiver on 5174). */
export const DEFAULT_CORS_ORIGINS = [
  'http://127.0.0.1:5173',
  'http://localhost:5173',
  'http://127.0.0.1:5174',
  'http://localhost:5174',
];

/** Merchant webhooks: which URLs, and how the delivery worker calls and retries. */
export interface WebhooksConfig {
  /** Also http://localhost and 127.0.0.1 endpoints (tests, local development). */
  allowLocalHttp: boolean;
  /** Milliseconds between the worker's runs when it found nothing; 0 = worker off. */
  pollMs: number;
  /** How long one POST may take. */
  timeoutMs: number;
  /** Backoff: first delay, longest delay, attempts before a delivery is given up. */
  retry: { baseMs: number; maxMs: number; maxAttempts: number };
  /** Deliveries claimed per run. */
  batchSize: number;
  /** Finished deliveries older than this many days are deleted; 0 keeps all. Absent: 30. */
  retentionDays?: number;
  /** Milliseconds between retention runs. Absent: one hour. */
  retentionIntervalMs?: number;
}

/** Webhook settings when the configuration names none (docs/webhooks.md "Retries"). */
export const DEFAULT_WEBHOOKS: WebhooksConfig = {
  allowLocalHttp: false,
  pollMs: 1000,
  timeoutMs: 5000,
  retry: { baseMs: 10_000, maxMs: 3_600_000, maxAttempts: 10 },
  batchSize: 20,
  retentionDays: 30,
  retentionIntervalMs: 3_600_000,
};

/** Who pays payouts. */
export interface PayoutDebtor {
  name: string;
  iban: string;
  bic: string | null;
}

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
  /**
   * Payer enrollment needs a sign-in at most this many seconds old (ENROLL_SIGN_IN_MAX_AGE_SECONDS);
   * absent → 300.
   */
  enrollment?: { signInMaxAgeSeconds: number };
  /**
   * The recovery cap in percent of a certificate's limit (docs/threat-model.md "Liability");
   * absent → 100: an owner loses at most twice a certificate's limit to a stolen key.
   */
  recoveryCapPercent?: number;
  /** Worker threads for signature checks; absent → one per core, batches of 64 entries or more. */
  verifyPool?: { workers: number; minEntries: number };
  /** Absent → {@link DEFAULT_RATE_LIMITS}. */
  rateLimits?: RateLimits;
  /** Absent → {@link DEFAULT_EVENTS}. */
  events?: EventsConfig;
  /** Seconds between audit anchors (docs/scaling.md "The audit chain"); absent or 0 → off. */
  auditAnchorSeconds?: number;
  /** Absent → {@link DEFAULT_CONSOLE}. */
  console?: ConsoleConfig;
  /**
   * Fastify's `trustProxy` (whose X-Forwarded-For to believe): a hop count, or the proxies'
   * addresses/CIDRs; absent or false → none. Never `true` (see {@link loadConfig}).
   */
  trustProxy?: false | number | string[];
  /** Origins whose pages may call the API (CORS); absent → {@link DEFAULT_CORS_ORIGINS}. */
  corsOrigins?: string[];
  /** Operator sessions; absent → 900 s (15 minutes). */
  operators?: { sessionSeconds: number };
  /** The account exported payouts are paid from; absent → {@link DEMO_DEBTOR_IBAN}, "offpay bank". */
  payoutDebtor?: PayoutDebtor;
  /** Alert thresholds; absent → 5 bad signatures from one address within 60 s. */
  alerts?: { badSignatures: number; windowSeconds: number };
  /** A folder with the built apps (`sender/dist`, `receiver/dist`); absent → no apps served. */
  appsDir?: string;
  /** Certificate and key files (PEM) for HTTPS in the bank itself; absent → plain HTTP. */
  tls?: { certFile: string; keyFile: string };
  /** Swagger UI and the OpenAPI document at /docs; absent → on. */
  docs?: boolean;
  /** GET /metrics; absent → on. */
  metrics?: boolean;
  /** Merchant webhooks; absent → {@link DEFAULT_WEBHOOKS}. */
  webhooks?: WebhooksConfig;
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
      // Never an instance's own address: instances behind one load balancer (each with its own
      // PUBLIC_BASE_URL, or none) must accept each other's tokens.
      issuer: e.JWT_ISSUER ?? DEFAULT_JWT_ISSUER,
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
    recoveryCapPercent: e.RECOVERY_CAP_PERCENT,
    auditAnchorSeconds: e.AUDIT_ANCHOR_SECONDS,
    verifyPool: { workers: e.VERIFY_WORKERS, minEntries: e.VERIFY_POOL_MIN_ENTRIES },
    rateLimits: {
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      login: e.RATE_LIMIT_LOGIN,
      loginAddress: e.RATE_LIMIT_LOGIN_ADDRESS,
      register: e.RATE_LIMIT_REGISTER,
      registerTotal: e.RATE_LIMIT_REGISTER_TOTAL,
      enrollment: e.RATE_LIMIT_ENROLLMENT,
      settlement: e.RATE_LIMIT_SETTLEMENT,
      operatorLogin: e.RATE_LIMIT_OPERATOR_LOGIN,
      fraudProofs: e.RATE_LIMIT_FRAUD_PROOFS,
      fraudReports: e.RATE_LIMIT_FRAUD_REPORTS,
      certificateReports: e.RATE_LIMIT_CERTIFICATE_REPORTS,
    },
    operators: { sessionSeconds: e.OPERATOR_SESSION_SECONDS },
    enrollment: { signInMaxAgeSeconds: e.ENROLL_SIGN_IN_MAX_AGE_SECONDS },
    payoutDebtor: {
      name: e.PAYOUT_DEBTOR_NAME,
      iban: e.PAYOUT_DEBTOR_IBAN,
      bic: e.PAYOUT_DEBTOR_BIC ?? null,
    },
    events: {
      maxStreamsPerUser: e.EVENTS_MAX_STREAMS_PER_USER,
      heartbeatSeconds: e.EVENTS_HEARTBEAT_SECONDS,
    },
    console: {
      activitySeconds: e.CONSOLE_ACTIVITY_SECONDS,
      maxStreamsPerOperator: e.CONSOLE_STREAMS_PER_OPERATOR,
    },
    trustProxy: e.TRUST_PROXY ?? false,
    corsOrigins: e.CORS_ORIGINS ?? DEFAULT_CORS_ORIGINS,
    alerts: { badSignatures: e.ALERT_BAD_SIGNATURES, windowSeconds: e.ALERT_WINDOW_SECONDS },
    ...(e.APPS_DIR !== undefined ? { appsDir: e.APPS_DIR } : {}),
    ...(e.TLS_CERT_FILE !== undefined && e.TLS_KEY_FILE !== undefined
      ? { tls: { certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE } }
      : {}),
    docs: e.DOCS_ENABLED ?? e.NODE_ENV !== 'production',
    metrics: e.METRICS_ENABLED ?? e.NODE_ENV !== 'production',
    webhooks: {
      allowLocalHttp: e.WEBHOOK_ALLOW_HTTP ?? false,
      pollMs: e.WEBHOOK_POLL_MS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retry: {
        baseMs: e.WEBHOOK_BACKOFF_BASE_MS,
        maxMs: Math.max(e.WEBHOOK_BACKOFF_BASE_MS, e.WEBHOOK_BACKOFF_MAX_MS),
        maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      },
      batchSize: DEFAULT_WEBHOOKS.batchSize,
      retentionDays: e.WEBHOOK_RETENTION_DAYS,
      retentionIntervalMs: DEFAULT_WEBHOOKS.retentionIntervalMs!,
    },
  };
}

/** True for a bare web origin: http(s), a host, an optional port, nothing after. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}
