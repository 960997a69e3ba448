/**
 * The production bank (apps/bank/Dockerfile): the compiled JavaScript from `pnpm build` starts
 * with plain `node` (no tsx) against real Postgres in production mode — migrations, keys, the
 * verify worker beside it — with /docs and /metrics off; and refuses the embedded demo there.
 */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEK_SECRET } from './helpers/app.js';
import { createTestSchema, type TestSchema } from './helpers/db.js';

const BANK = fileURLToPath(new URL('..', import.meta.url));
const SERVER = 'dist/bin/server.js';

/** Runs the built bank with only `env` (and PATH); resolves with its exit code and output. */
function runBuilt(
  args: string[],
  env: Record<string, string>,
  onOutput?: (all: string) => boolean,
): Promise<{ code: number | null; output: string; stop(): void }> {
  const child = spawn(process.execPath, [SERVER, ...args], {
    cwd: BANK,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const stop = () => child.kill('SIGTERM');
  return new Promise((resolve) => {
    const take = (b: Buffer) => {
      output += b.toString();
      if (onOutput?.(output)) resolve({ code: null, output, stop });
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('exit', (code) => resolve({ code, output, stop }));
  });
}

let schema: TestSchema;
let production: Record<string, string>;
beforeAll(() => {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], {
    cwd: BANK,
    stdio: 'pipe',
  });
}, 120_000);
beforeAll(async () => {
  schema = await createTestSchema();
  production = {
    NODE_ENV: 'production',
    DATABASE_URL: schema.url,
    BANK_KEY_ENCRYPTION_SECRET: TEST_KEK_SECRET,
    PORT: '0',
    LOG_LEVEL: 'info',
  };
});
afterAll(async () => {
  await schema.drop();
});

describe('the compiled bank', () => {
  it('passes --check against Postgres in production mode (migrations applied, keys made)', async () => {
    const run = await runBuilt(['--check'], production);
    expect(run.output).toContain('check passed');
    expect(run.code).toBe(0);
  });

  it('listens and is ready, without /docs or /metrics', async () => {
    const run = await runBuilt([], production, (all) => /Server listening at \S+/.test(all));
    try {
      const url = /Server listening at (http:\/\/\S+?)"/.exec(run.output)?.[1];
      expect(url).toBeDefined();
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      expect((await fetch(`${url}/v1/keys`)).status).toBe(200);
      expect((await fetch(`${url}/docs/json`)).status).toBe(404);
      expect((await fetch(`${url}/metrics`)).status).toBe(404);
    } finally {
      run.stop();
    }
  });

  it("has the verify pool's worker beside it, loading as plain JavaScript", async () => {
    const worker = new Worker(join(BANK, 'dist/bin/worker.js'));
    try {
      const first = await new Promise<unknown>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(first).toEqual({ ready: true });
    } finally {
      await worker.terminate();
    }
  });

  it('refuses to start in production without DATABASE_URL, or with the demo users', async () => {
    const bare = await runBuilt([], { NODE_ENV: 'production' });
    expect(bare.code).toBe(1);
    expect(bare.output).toContain('DATABASE_URL: is required in production');
    const demo = await runBuilt([], { ...production, DEMO_SEED: 'true' });
    expect(demo.code).toBe(1);
    expect(demo.output).toContain('DEMO_SEED: must be false in production');
    expect(demo.output).not.toContain(TEST_KEK_SECRET);
  });
});
