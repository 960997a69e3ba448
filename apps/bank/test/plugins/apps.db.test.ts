/**
 * One origin (docs/operations.md "One origin"): the bank serves the built apps at /wallet/ and
 * /till/ with a strict Content-Security-Policy on the pages, revalidated pages and service
 * workers, immutable hashed assets — and in production /docs and /metrics are off unless asked.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runMigrations } from '../../src/db/migrate.js';
import { buildTestApp } from '../helpers/app.js';
import { createTestSchema, type TestSchema } from '../helpers/db.js';

/** A minimal build of one app: page, service worker, a hashed asset. */
function fakeBuild(dir: string, title: string): void {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), `<!doctype html><title>${title}</title>`);
  writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), 'console.log(1);');
}

let schema: TestSchema;
let appsDir: string;
let app: FastifyInstance;
let production: FastifyInstance;
beforeAll(async () => {
  appsDir = mkdtempSync(join(tmpdir(), 'offpay-apps-'));
  fakeBuild(join(appsDir, 'sender', 'dist'), 'offpay wallet');
  fakeBuild(join(appsDir, 'receiver', 'dist'), 'offpay till');
  fakeBuild(join(appsDir, 'console', 'dist'), 'offpay console');
  schema = await createTestSchema();
  await runMigrations(schema.open());
  app = await buildTestApp({ db: schema.open(), config: { appsDir } });
  production = await buildTestApp({
    db: schema.open(),
    config: { appsDir, docs: false, metrics: false },
  });
});
afterAll(async () => {
  await app.close();
  await production.close();
  await schema.drop();
  rmSync(appsDir, { recursive: true, force: true });
});

describe('the apps from the bank origin', () => {
  it('serves the wallet at /wallet/ and the till at /till/, and redirects the bare path', async () => {
    const wallet = await app.inject('/wallet/');
    expect(wallet.statusCode).toBe(200);
    expect(wallet.body).toContain('offpay wallet');
    expect((await app.inject('/till/')).body).toContain('offpay till');
    const bare = await app.inject('/wallet');
    expect(bare.statusCode).toBe(301);
    expect(bare.headers.location).toBe('/wallet/');
    expect((await app.inject('/wallet/../../package.json')).statusCode).not.toBe(200);
  });

  it("serves the operators' console at /console/ under the same policy", async () => {
    const page = await app.inject('/console/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('offpay console');
    expect(String(page.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect((await app.inject('/console')).headers.location).toBe('/console/');
  });

  it('gives the pages a strict policy that forbids framing', async () => {
    const page = await app.inject('/till/');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('revalidates the service worker and keeps hashed assets for a year', async () => {
    const sw = await app.inject('/wallet/sw.js');
    expect(sw.statusCode).toBe(200);
    expect(sw.headers['cache-control']).toBe('no-cache');
    expect(sw.headers['service-worker-allowed']).toBeUndefined();
    const asset = await app.inject('/wallet/assets/index-AbC123.js');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('leaves the API as it was', async () => {
    expect((await app.inject('/v1/keys')).statusCode).toBe(200);
    expect((await app.inject('/docs/json')).statusCode).toBe(200);
    expect((await app.inject('/metrics')).statusCode).toBe(200);
  });
});

describe('production', () => {
  it('has no /docs and no /metrics unless configured', async () => {
    expect((await production.inject('/docs/json')).statusCode).toBe(404);
    expect((await production.inject('/docs')).statusCode).toBe(404);
    expect((await production.inject('/metrics')).statusCode).toBe(404);
    expect((await production.inject('/wallet/')).statusCode).toBe(200);
  });

  it('refuses to start without a database or with the demo users, saying why', () => {
    const secret = { BANK_KEY_ENCRYPTION_SECRET: 'k'.repeat(32) };
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /DATABASE_URL: is required in production/,
    );
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://db/offpay',
        DEMO_SEED: 'true',
        ...secret,
      }),
    ).toThrow(/DEMO_SEED: must be false in production/);
    const ok = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', ...secret });
    expect(ok).toMatchObject({ demoSeed: false, docs: false, metrics: false });
    expect(
      loadConfig({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://db/x',
        METRICS_ENABLED: 'true',
        ...secret,
      }).metrics,
    ).toBe(true);
  });

  it('takes a certificate and its key together or not at all', () => {
    expect(() => loadConfig({ TLS_CERT_FILE: '/x/cert.pem' })).toThrow(/TLS_KEY_FILE/);
    expect(loadConfig({ TLS_CERT_FILE: '/c.pem', TLS_KEY_FILE: '/k.pem' }).tls).toEqual({
      certFile: '/c.pem',
      keyFile: '/k.pem',
    });
  });
});
