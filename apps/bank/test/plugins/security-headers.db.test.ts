/**
 * The bank sends the usual security headers (issue #12 item 6; regression: it sent none): every
 * API answer — success, error, live events — is nosniff, no-referrer, not frameable and runs
 * nothing; the served apps keep their own page policy and /docs its own, both `frame-ancestors
 * 'none'`, and Swagger UI still loads its page, scripts and the OpenAPI document.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_CSP } from '../../src/plugins/apps.js';
import { DOCS_CSP } from '../../src/plugins/security-headers.js';
import { buildTestApp } from '../helpers/app.js';
import { useWorld } from '../helpers/world.js';

const appsDir = mkdtempSync(join(tmpdir(), 'offpay-headers-'));
for (const app of ['sender', 'receiver']) {
  mkdirSync(join(appsDir, app, 'dist'), { recursive: true });
  writeFileSync(join(appsDir, app, 'dist', 'index.html'), '<!doctype html><title>app</title>');
}
const world = useWorld({ config: { appsDir } });
afterAll(() => rmSync(appsDir, { recursive: true, force: true }));

function expectHardened(res: LightMyRequestResponse): void {
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
  expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(String(res.headers['content-security-policy'])).toMatch(/frame-ancestors 'none'/);
}

describe('security headers', () => {
  it('on API answers: a policy that loads and runs nothing', async () => {
    for (const url of ['/healthz', '/v1/keys', '/v1/nowhere']) {
      const res = await world.app.inject({ url });
      expectHardened(res);
      expect(res.headers['content-security-policy']).toBe(
        "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
      );
    }
    const refused = await world.app.inject({ url: '/v1/accounts/me' });
    expect(refused.statusCode).toBe(401);
    expectHardened(refused);
  });

  it('the whole set, as @fastify/helmet sent it before it was replaced by fixed headers', async () => {
    const res = await world.app.inject({ url: '/healthz' });
    const sent = Object.fromEntries(
      Object.entries(res.headers).filter(
        ([name]) => !/^(content-(type|length)|date|connection|vary|access-control-.*)$/.test(name),
      ),
    );
    expect(sent).toEqual({
      'content-security-policy':
        "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'DENY',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
    });
  });

  it('on the served apps: their own strict page policy, not the API one', async () => {
    for (const url of ['/wallet/', '/till/']) {
      const res = await world.app.inject({ url });
      expect(res.statusCode).toBe(200);
      expectHardened(res);
      expect(res.headers['content-security-policy']).toBe(APP_CSP);
    }
  });

  it('on /docs: Swagger UI with its own policy, and it still loads', async () => {
    const page = await world.app.inject({ url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expectHardened(page);
    expect(page.headers['content-security-policy']).toBe(DOCS_CSP);
    const scripts = [...page.body.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      const script = await world.app.inject({
        url: new URL(src, 'http://bank.test/docs/').pathname,
      });
      expect(script.statusCode, src).toBe(200);
    }
    const json = await world.app.inject({ url: '/docs/json' });
    expect(json.statusCode).toBe(200);
    expect(json.json<{ openapi: string }>().openapi).toMatch(/^3\./);
  });

  it('CORS still lets the apps on their own origins read the API', async () => {
    const app = await buildTestApp({ db: world.db });
    try {
      const res = await app.inject({
        url: '/healthz',
        headers: { origin: 'http://127.0.0.1:5173' },
      });
      expect(res.headers['access-control-allow-origin']).toBe('http://127.0.0.1:5173');
      expectHardened(res);
    } finally {
      await app.close();
    }
  });
});
