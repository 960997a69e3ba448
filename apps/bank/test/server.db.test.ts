/**
 * `pnpm start` on the embedded defaults, as a user runs it: a real process on PGlite in a fresh
 * data folder, demo users seeded, keys kept across restarts, graceful shutdown on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../src/modules/demo/demo.domain.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));
let dataDir: string;

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
  startedInMs: number;
}

async function start(): Promise<Running> {
  const started = Date.now();
  // A clean environment: the CI's DATABASE_URL or REDIS_URL must not leak into the embedded run.
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'info',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: appDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1]) {
        clearInterval(timer);
        resolve(m[1]);
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`bank exited with ${code}:\n${out}`));
    });
  });
  return { child, url, output: () => out, startedInMs: Date.now() - started };
}

async function stop(r: Running): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) =>
    r.child.once('exit', (code) => resolve(code)),
  );
  r.child.kill('SIGTERM');
  return exited;
}

async function json<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  dataDir = join(await mkdtemp(join(tmpdir(), 'offpay-bank-')), 'data');
});
afterAll(async () => {
  await rm(join(dataDir, '..'), { recursive: true, force: true });
});

describe('pnpm start (embedded defaults)', () => {
  it('starts on a fresh data folder, seeds the demo users, keeps its keys, and stops on SIGTERM', async () => {
    const first = await start();
    const ready = await json<{ status: string }>(`${first.url}/readyz`);
    expect(ready).toEqual({
      status: 200,
      body: { status: 'ready', database: 'ok', redis: 'not-configured' },
    });
    const alice = DEMO_USERS[0];
    const login = await json<{ accessToken: string }>(`${first.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: alice?.email, password: alice?.password }),
    });
    expect(login.status).toBe(200);
    const me = await json<{ accounts: { balanceMinor: string; currency: string }[] }>(
      `${first.url}/v1/accounts/me`,
      {
        headers: { authorization: `Bearer ${login.body.accessToken}` },
      },
    );
    expect(me.body.accounts).toEqual([
      expect.objectContaining({ currency: 'EUR', balanceMinor: '10000' }),
    ]);
    const kid = (await json<{ kid: string }>(`${first.url}/bank-public-key`)).body.kid;
    expect(await stop(first)).toBe(0);
    expect((await stat(join(dataDir, 'key-encryption.secret'))).mode & 0o777).toBe(0o600);

    const second = await start();
    expect((await json<{ kid: string }>(`${second.url}/bank-public-key`)).body.kid).toBe(kid);
    expect(await stop(second)).toBe(0);
    expect(second.output()).toContain('"created":[]');

    const logs = first.output() + second.output();
    for (const u of DEMO_USERS) expect(logs).not.toContain(u.password);
    expect(logs).not.toContain(login.body.accessToken);
    console.info(
      `embedded bank ready in ${first.startedInMs} ms (fresh data folder), ${second.startedInMs} ms (restart)`,
    );
  }, 120_000);
});
