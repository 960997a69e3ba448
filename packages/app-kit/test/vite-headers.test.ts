/**
 * The apps' own servers send the same strict page policy as the bank (issue #12 item 6;
 * regression: `vite preview` and `vite dev` sent no Content-Security-Policy and no anti-framing
 * header). A real `vite preview` of a build, asked over HTTP.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_CSP } from '@offpay/api';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appConfig, DEV_CSP } from '../vite.js';

const site = {
  name: 'offpay test',
  shortName: 'test',
  description: 'A test page.',
  themeColor: '#000000',
  port: 0,
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

let root: string;
let server: PreviewServer;
let base: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'offpay-preview-'));
  mkdirSync(join(root, 'dist'));
  writeFileSync(join(root, 'dist', 'index.html'), '<!doctype html><title>t</title>');
  const port = await freePort();
  const config = appConfig({ ...site, port }, () => []);
  server = await preview({
    ...config,
    root,
    configFile: false,
    logLevel: 'silent',
    preview: { ...config.preview, open: false },
  });
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe("the apps' preview server", () => {
  it('serves the page with the strict policy, frame-ancestors none and DENY', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(APP_CSP);
    expect(APP_CSP).toMatch(/frame-ancestors 'none'/);
    expect(APP_CSP).toMatch(/script-src 'self';/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('the dev server differs only where Vite needs it: inline styles and its reload socket', () => {
    expect(DEV_CSP).toMatch(/frame-ancestors 'none'/);
    expect(DEV_CSP).toMatch(/script-src 'self';/);
    expect(DEV_CSP).not.toMatch(/unsafe-eval/);
    expect(appConfig(site, () => []).server?.headers?.['Content-Security-Policy']).toBe(DEV_CSP);
  });
});
