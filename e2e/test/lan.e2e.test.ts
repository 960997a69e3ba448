/**
 * Phones on the LAN (issue #15): `pnpm start --lan` as a person runs it, with Chromium trusting
 * the server certificate the way a phone trusts the local CA. Against the machine's LAN address:
 * one origin serves both apps and the bank over HTTPS, each app's service worker installs in its
 * own path and serves a reload offline, the camera is available (a fake device), and the CA's
 * download gives its certificate and nothing else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, heading, openApp, ready } from './support/apps.js';
import { CHROMIUM, CHROMIUM_ARGS } from './support/browser.js';
import { ROOT, freePort } from './support/stack.js';

/** The address a phone would use: the first non-internal IPv4 (127.0.0.1 on a machine with none). */
const ADDRESS =
  Object.values(networkInterfaces())
    .flat()
    .find((a) => a?.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';

let dir: string;
let starter: ChildProcess;
let output = '';
let origin = '';
let caUrl = '';
let browser: Browser;
let context: BrowserContext;

/** Runs `pnpm start --lan` (the script it execs) until it says it is ready. */
async function startLan(): Promise<void> {
  const [port, caPort] = [await freePort(ADDRESS), await freePort(ADDRESS)];
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['DATABASE_URL'];
  delete env['REDIS_URL'];
  Object.assign(env, {
    OFFPAY_LAN_ADDRESS: ADDRESS,
    OFFPAY_LAN_PORT: String(port),
    OFFPAY_LAN_CA_PORT: String(caPort),
    OFFPAY_LAN_DIR: join(dir, 'lan'),
    DATA_DIR: join(dir, 'bank'),
    LOG_LEVEL: 'warn',
  });
  starter = spawn(process.execPath, ['tools/start.mjs', '--lan'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => (output += chunk.toString());
  starter.stdout?.on('data', keep);
  starter.stderr?.on('data', keep);
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (!/offpay: ready in/.test(output)) return;
      clearInterval(timer);
      resolve();
    }, 100);
    starter.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`pnpm start --lan exited (${code}):\n${output}`));
    });
  });
  origin = `https://${ADDRESS}:${port}`;
  caUrl = `http://${ADDRESS}:${caPort}/offpay-ca.crt`;
}

/** Base64 SHA-256 of the server certificate's key: what Chromium is told to trust. */
function serverSpki(): string {
  const cert = new X509Certificate(readFileSync(join(dir, 'lan', `server-${ADDRESS}.crt`)));
  const der = cert.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'offpay-e2e-lan-'));
  await startLan();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      ...CHROMIUM_ARGS,
      // As a phone that installed the CA: this certificate is trusted, nothing else is.
      `--ignore-certificate-errors-spki-list=${serverSpki()}`,
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
    ],
  });
  context = await browser.newContext({ ...PHONE, permissions: ['camera'] });
});

afterAll(async () => {
  await browser?.close();
  if (starter && starter.exitCode === null) {
    const exited = new Promise((r) => starter.once('exit', r));
    starter.kill('SIGINT');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('pnpm start --lan', () => {
  it('prints each URL with a QR code, the CA download and how to trust it on Android and iOS', () => {
    expect(output).toContain(`wallet: ${origin}/wallet/`);
    expect(output).toContain(`till: ${origin}/till/`);
    expect(output).toContain(caUrl);
    expect(output).toMatch(/[▄▀█]{7}/); // the terminal QR codes
    expect(output).toMatch(/Android: .*Install a certificate/s);
    expect(output).toMatch(/iOS: .*Certificate Trust Settings/s);
    expect(output).not.toContain('PRIVATE KEY');
  });

  it('hands out the CA certificate alone, over plain HTTP', async () => {
    const res = await fetch(caUrl);
    const text = await res.text();
    expect(res.headers.get('content-type')).toBe('application/x-x509-ca-cert');
    expect(new X509Certificate(text).ca).toBe(true);
    expect(text).not.toContain('PRIVATE KEY');
  });

  let wallet: Page;
  it('serves the wallet over trusted HTTPS; its default bank is its own origin', async () => {
    wallet = await openApp(context, `${origin}/wallet/`);
    expect(await wallet.evaluate(() => window.isSecureContext)).toBe(true);
    await heading(wallet, 'Set up your wallet').waitFor();
    expect(await wallet.getByLabel('Bank address').inputValue()).toBe(origin);
    const status = await wallet.evaluate(() => fetch('/readyz').then((r) => r.status));
    expect(status).toBe(200);
  });

  it('has its service worker in /wallet/ and reloads offline', async () => {
    const sw = await wallet.evaluate(() => navigator.serviceWorker.controller?.scriptURL);
    expect(sw).toBe(`${origin}/wallet/sw.js`);
    await context.setOffline(true);
    try {
      await wallet.reload();
      await ready(wallet);
      await heading(wallet, 'Set up your wallet').waitFor();
    } finally {
      await context.setOffline(false);
    }
  });

  it('gives the till the camera, with its own service worker in /till/', async () => {
    const till = await openApp(context, `${origin}/till/`);
    await heading(till, 'Set up your till').waitFor();
    const sw = await till.evaluate(() => navigator.serviceWorker.controller?.scriptURL);
    expect(sw).toBe(`${origin}/till/sw.js`);
    const camera = await till.evaluate(async () => {
      const state = (await navigator.permissions.query({ name: 'camera' })).state;
      const stream = await navigator.mediaDevices.getUserMedia({ video: true });
      const tracks = stream.getVideoTracks().length;
      stream.getTracks().forEach((t) => t.stop());
      return { state, tracks };
    });
    expect(camera).toEqual({ state: 'granted', tracks: 1 });
  });
});
