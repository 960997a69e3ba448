import { describe, expect, it } from 'vitest';
import { DEFAULT_WEBHOOKS, loadConfig, PRODUCTION_SCRYPT_LOG2N } from '../src/config.js';

describe('loadConfig', () => {
  it('defaults to the embedded bank on 127.0.0.1:8787 with demo users', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      databaseUrl: undefined,
      redisUrl: undefined,
      demoSeed: true,
      bodyLimitBytes: 65_536,
    });
    expect(c.dataDir).toMatch(/apps\/bank\/\.data\/bank$/);
    expect(c.jwt).toMatchObject({
      issuer: 'offpay-bank',
      audience: 'offpay',
      ttlSeconds: 900,
      secret: undefined,
    });
  });

  it('needs BANK_KEY_ENCRYPTION_SECRET with DATABASE_URL, and then seeds no demo users', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/offpay' })).toThrow(
      /BANK_KEY_ENCRYPTION_SECRET/,
    );
    const c = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/offpay',
      BANK_KEY_ENCRYPTION_SECRET: 'k'.repeat(32),
    });
    expect(c.demoSeed).toBe(false);
    expect(
      loadConfig({
        DATABASE_URL: 'postgres://db/x',
        BANK_KEY_ENCRYPTION_SECRET: 'k'.repeat(32),
        DEMO_SEED: 'true',
      }).demoSeed,
    ).toBe(true);
  });

  it('treats empty variables as unset (docker-compose passes ${X:-} as "")', () => {
    expect(loadConfig({ JWT_SECRET: '', REDIS_URL: '  ' })).toMatchObject({
      redisUrl: undefined,
      jwt: { secret: undefined },
    });
  });

  it('refuses bad values, naming the variable but never echoing secrets', () => {
    try {
      loadConfig({ PORT: 'eighty', JWT_SECRET: 'short-secret-value' });
      expect.unreachable();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('JWT_SECRET');
      expect(message).not.toContain('short-secret-value');
    }
  });

  it('cannot lower the scrypt cost from the environment', () => {
    expect(loadConfig({ SCRYPT_LOG2N: '10' }).passwordHashing.log2N).toBe(PRODUCTION_SCRYPT_LOG2N);
  });

  it('takes the token issuer from JWT_ISSUER, never from an instance’s PUBLIC_BASE_URL', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://a.bank.example/' }).jwt.issuer).toBe(
      loadConfig({ PUBLIC_BASE_URL: 'https://b.bank.example/' }).jwt.issuer,
    );
    expect(loadConfig({ JWT_ISSUER: 'https://bank.example' }).jwt.issuer).toBe(
      'https://bank.example',
    );
  });
});

describe('recovery cap', () => {
  it('defaults to 100 % of the limit and takes 0 … 10000, refusing the rest by name', () => {
    expect(loadConfig({}).recoveryCapPercent).toBe(100);
    expect(loadConfig({ RECOVERY_CAP_PERCENT: '0' }).recoveryCapPercent).toBe(0);
    expect(() => loadConfig({ RECOVERY_CAP_PERCENT: '10001' })).toThrow(/RECOVERY_CAP_PERCENT/);
    expect(() => loadConfig({ RECOVERY_CAP_PERCENT: '1.5' })).toThrow(/RECOVERY_CAP_PERCENT/);
  });
});

describe('enrollment sign-in age', () => {
  it('defaults to 300 s and takes 30 … 900, refusing the rest by name', () => {
    expect(loadConfig({}).enrollment).toEqual({ signInMaxAgeSeconds: 300 });
    expect(loadConfig({ ENROLL_SIGN_IN_MAX_AGE_SECONDS: '30' }).enrollment).toEqual({
      signInMaxAgeSeconds: 30,
    });
    expect(loadConfig({ ENROLL_SIGN_IN_MAX_AGE_SECONDS: '900' }).enrollment).toEqual({
      signInMaxAgeSeconds: 900,
    });
    for (const bad of ['29', '901', '60.5', 'soon']) {
      expect(() => loadConfig({ ENROLL_SIGN_IN_MAX_AGE_SECONDS: bad })).toThrow(
        /ENROLL_SIGN_IN_MAX_AGE_SECONDS/,
      );
    }
  });
});

describe('certificate configuration', () => {
  it('defaults to 7-day payer and 365-day payee certificates and a release run every minute', () => {
    expect(loadConfig({}).certificates).toEqual({
      payerTtlSeconds: 7 * 86_400,
      payeeTtlSeconds: 365 * 86_400,
      releaseIntervalSeconds: 60,
    });
  });

  it('takes overrides within bounds and refuses the rest, naming the variable', () => {
    const c = loadConfig({ PAYER_CERT_TTL_SECONDS: '3600', RELEASE_INTERVAL_SECONDS: '0' });
    expect(c.certificates).toMatchObject({ payerTtlSeconds: 3600, releaseIntervalSeconds: 0 });
    expect(() => loadConfig({ PAYER_CERT_TTL_SECONDS: '59' })).toThrow(/PAYER_CERT_TTL_SECONDS/);
    expect(() => loadConfig({ PAYEE_CERT_TTL_SECONDS: 'forever' })).toThrow(/PAYEE_CERT_TTL/);
    expect(() => loadConfig({ RELEASE_INTERVAL_SECONDS: '-1' })).toThrow(/RELEASE_INTERVAL/);
  });
});

describe('webhook configuration', () => {
  it('defaults to https only, a poll every second, 5 s timeouts and 10 attempts from 10 s', () => {
    expect(loadConfig({}).webhooks).toEqual(DEFAULT_WEBHOOKS);
    expect(DEFAULT_WEBHOOKS).toMatchObject({
      allowLocalHttp: false,
      pollMs: 1000,
      timeoutMs: 5000,
      retry: { baseMs: 10_000, maxMs: 3_600_000, maxAttempts: 10 },
      retentionDays: 30,
    });
  });

  it('takes overrides within bounds, and refuses WEBHOOK_ALLOW_HTTP in production', () => {
    const c = loadConfig({
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_POLL_MS: '0',
      WEBHOOK_BACKOFF_BASE_MS: '50',
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_RETENTION_DAYS: '0',
    });
    expect(c.webhooks).toMatchObject({
      allowLocalHttp: true,
      pollMs: 0,
      retry: { baseMs: 50, maxAttempts: 3 },
      retentionDays: 0,
    });
    expect(() => loadConfig({ WEBHOOK_TIMEOUT_MS: '60000' })).toThrow(/WEBHOOK_TIMEOUT_MS/);
    expect(() => loadConfig({ WEBHOOK_RETENTION_DAYS: '-1' })).toThrow(/WEBHOOK_RETENTION_DAYS/);
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://db/offpay',
        BANK_KEY_ENCRYPTION_SECRET: 'x'.repeat(32),
        WEBHOOK_ALLOW_HTTP: 'true',
      }),
    ).toThrow(/WEBHOOK_ALLOW_HTTP/);
  });
});
