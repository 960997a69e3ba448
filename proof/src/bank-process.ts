/**
 * Real bank processes for the proof suite: `node --import tsx apps/bank/src/server.ts`, exactly
 * what the bank's start script runs, with an environment pointing at the scenario's database and
 * Redis. The suite never imports the bank: it starts it, talks HTTP to it, kills it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root and the bank's folder. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BANK_DIR = fileURLToPath(new URL('../../apps/bank/', import.meta.url));
const CLOCK_PRELOAD = fileURLToPath(new URL('./clock-shift.ts', import.meta.url));

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** What every instance of one bank shares: its database, Redis, secrets and public URL. */
export interface BankEnv {
  databaseUrl: string;
  redisUrl: string;
  /** A file holding the bank clock's offset in milliseconds (clock-shift.ts); absent: real time. */
  clockFile?: string;
  /** Extra variables (e.g. RELEASE_INTERVAL_SECONDS). */
  extra?: Record<string, string>;
}

const SHARED_SECRETS = {
  BANK_KEY_ENCRYPTION_SECRET: 'proof-suite-key-encryption-secret-0123456789',
  JWT_SECRET: 'proof-suite-jwt-secret-0123456789abcdef',
  // Instances accept each other's tokens only with one issuer (docs/operations.md "Instances").
  PUBLIC_BASE_URL: 'http://bank.proof.invalid',
};

/** The environment of a bank process (or of the bank's CLI scripts) for `env`. */
export function bankEnvironment(env: BankEnv, port = 0): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    LOG_LEVEL: 'warn',
    DEMO_SEED: 'false',
    VERIFY_WORKERS: '0',
    RATE_LIMIT_LOGIN: '0',
    RATE_LIMIT_LOGIN_ADDRESS: '0',
    RATE_LIMIT_REGISTER: '0',
    RATE_LIMIT_REGISTER_TOTAL: '0',
    RATE_LIMIT_FRAUD_REPORTS: '0',
    RATE_LIMIT_ENROLLMENT: '0',
    RATE_LIMIT_SETTLEMENT: '0',
    RATE_LIMIT_OPERATOR_LOGIN: '0',
    ...SHARED_SECRETS,
    ...(env.clockFile ? { PROOF_CLOCK_FILE: env.clockFile } : {}),
    ...env.extra,
  };
}

/** A running (or exited) bank process. */
export class BankProcess {
  readonly url: string;
  #child: ChildProcess | null = null;
  #exit: { code: number | null; signal: string | null } | null = null;
  #log: string[] = [];
  /** Set before a deliberate kill, so {@link BankProcess.unexpectedExit} ignores it. */
  #killing = false;
  #unexpected: string | null = null;

  constructor(
    readonly port: number,
    readonly env: BankEnv,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Starts a bank on a free port and waits until /readyz answers 200. */
  static async start(env: BankEnv): Promise<BankProcess> {
    const bank = new BankProcess(await freePort(), env);
    await bank.spawn();
    return bank;
  }

  /** The process id (while running). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Non-null when the process ended without the suite asking: a fault ended the bank. */
  get unexpectedExit(): string | null {
    return this.#unexpected;
  }

  /** The last lines the process wrote (for failure messages). */
  logTail(lines = 40): string {
    return this.#log.slice(-lines).join('');
  }

  /** Spawns the process (again, after a kill) and waits until it is ready. */
  async spawn(): Promise<void> {
    this.#exit = null;
    this.#killing = false;
    const { env } = this;
    const preload = env.clockFile ? ['--import', CLOCK_PRELOAD] : [];
    const child = spawn(process.execPath, ['--import', 'tsx', ...preload, 'src/server.ts'], {
      cwd: BANK_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: bankEnvironment(env, this.port),
    });
    this.#child = child;
    const keep = (chunk: Buffer) => {
      this.#log.push(chunk.toString('utf8'));
      if (this.#log.length > 400) this.#log.splice(0, this.#log.length - 400);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      this.#exit = { code, signal };
      if (!this.#killing) this.#unexpected ??= `bank exited: code ${code} signal ${signal}`;
    });
    await this.waitReady();
  }

  /** Polls /readyz until it answers 200 (or the process dies, or 90 s pass). */
  async waitReady(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#exit) throw new Error(`bank exited while starting\n${this.logTail()}`);
      try {
        const res = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`bank not ready after ${timeoutMs} ms\n${this.logTail()}`);
  }

  /** SIGKILL: no shutdown, no cleanup — a crash. Resolves when the process is gone. */
  kill9(): Promise<void> {
    return this.#signal('SIGKILL');
  }

  /** SIGTERM and wait: the graceful stop. */
  stop(): Promise<void> {
    return this.#signal('SIGTERM');
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (!child || this.#exit) return;
    this.#killing = true;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await gone;
  }

  /** Sends a signal without waiting (SIGUSR2 re-reads the clock file). */
  signal(signal: NodeJS.Signals): void {
    this.#child?.kill(signal);
  }
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
