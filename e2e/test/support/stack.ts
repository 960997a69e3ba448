/**
 * The system under test, as `pnpm start` runs it: the bank on its embedded defaults (PGlite in a
 * fresh folder, in-process stores, demo accounts) and both apps' production builds served by
 * `vite preview` — on free ports, so a developer's running `pnpm start` is left alone. The bank
 * serves the builds in apps/ from its own origin too, the operators' console at /console/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { preview, type PreviewServer } from 'vite';

export const ROOT = resolve(import.meta.dirname, '../../..');

export interface Stack {
  bankUrl: string;
  senderUrl: string;
  receiverUrl: string;
  /** The operators' console, as the bank serves it (apps/console/dist). */
  consoleUrl: string;
  /** The bank's log so far (printed when a test fails). */
  bankLog(): string;
  stop(): Promise<void>;
}

/** A port nothing listens on at `host` now (so a running `pnpm start` is never in the way). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port')),
      );
    });
  });
}

async function serveApp(app: 'sender' | 'receiver', port: number): Promise<PreviewServer> {
  const root = join(ROOT, 'apps', app);
  if (!existsSync(join(root, 'dist', 'sw.js'))) {
    throw new Error(
      `apps/${app}/dist is missing: run \`pnpm --filter @offpay/${app} build\` first`,
    );
  }
  return preview({
    root,
    configFile: join(root, 'vite.config.ts'),
    // The config imports @offpay/app-kit/vite, TypeScript in the workspace (package.json scripts).
    configLoader: 'runner',
    logLevel: 'warn',
    preview: { port, strictPort: true, host: '127.0.0.1', open: false },
  });
}

async function waitReady(url: string, bank: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline) {
    if (bank.exitCode !== null) throw new Error(`the bank exited (${bank.exitCode}):\n${log()}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the bank did not become ready:\n${log()}`);
}

export async function startStack(): Promise<Stack> {
  const [bankPort, senderPort, receiverPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const senderUrl = `http://127.0.0.1:${senderPort}`;
  const receiverUrl = `http://127.0.0.1:${receiverPort}`;
  const bankUrl = `http://127.0.0.1:${bankPort}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'offpay-e2e-bank-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The embedded default, exactly as a first-time user's `pnpm start` (README).
  delete env['DATABASE_URL'];
  delete env['REDIS_URL'];
  Object.assign(env, {
    PORT: String(bankPort),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    CORS_ORIGINS: `${senderUrl},${receiverUrl}`,
    LOG_LEVEL: 'warn',
    // The builds in apps/*/dist from the bank's origin, as `pnpm start` serves them.
    APPS_DIR: join(ROOT, 'apps'),
  });
  let output = '';
  const bank = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: join(ROOT, 'apps', 'bank'),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  bank.stdout?.on('data', keep);
  bank.stderr?.on('data', keep);
  const servers: PreviewServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.close()));
    if (bank.exitCode === null) {
      const exited = new Promise((r) => bank.once('exit', r));
      bank.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    servers.push(await serveApp('sender', senderPort), await serveApp('receiver', receiverPort));
    await waitReady(bankUrl, bank, () => output);
  } catch (err) {
    await stop();
    throw err;
  }
  const consoleUrl = `${bankUrl}/console/`;
  return { bankUrl, senderUrl, receiverUrl, consoleUrl, bankLog: () => output, stop };
}
