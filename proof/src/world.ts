/**
 * A scenario's world: a fresh database (a schema on the shared Postgres, or the scenario's own
 * cluster), its own Redis, one or more real bank processes on them, an operator created with the
 * bank's CLI and signed in with TOTP, and the users, payers and tills made through the HTTP API.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BANK_DIR, BankProcess, bankEnvironment, sleep, type BankEnv } from './bank-process.js';
import {
  applyAsMerchant,
  approveMerchant,
  enrollPayee,
  enrollPayer,
  login,
  registerUser,
  request,
  totp,
  type Payee,
  type Payer,
  type User,
} from './client.js';
import { createSchema, fund, type Schema } from './database.js';
import { reconcile, type ReconcileOutput } from './reconcile.js';
import { OwnRedis } from './services.js';

/** How to build a world. */
export interface WorldOptions {
  /** Bank instances (default 1). */
  instances?: number;
  /** A database URL to use instead of a fresh schema on the shared Postgres (the caller's). */
  databaseUrl?: string;
  /** Let the suite move the bank clock (clock-shift.ts). */
  movableClock?: boolean;
  /** Extra bank environment. */
  extra?: Record<string, string>;
}

/** The operator that approves merchants. */
interface Operator {
  email: string;
  password: string;
  secret: string;
  token: string;
}

/** See the file comment. */
export class World {
  banks: BankProcess[] = [];
  redis!: OwnRedis;
  schema: Schema | null = null;
  env!: BankEnv;
  /** Milliseconds the bank clock is ahead of the real one. */
  clockOffsetMs = 0;
  #operator: Operator | null = null;
  #tmp = mkdtempSync(join(tmpdir(), 'offpay-proof-'));
  #merchants = 0;
  #verified = new Set<string>();

  static async start(options: WorldOptions = {}): Promise<World> {
    const world = new World();
    await world.#start(options);
    return world;
  }

  async #start(options: WorldOptions): Promise<void> {
    this.redis = await OwnRedis.start();
    if (!options.databaseUrl) this.schema = await createSchema();
    const clockFile = join(this.#tmp, 'clock');
    writeFileSync(clockFile, '0');
    this.env = {
      databaseUrl: options.databaseUrl ?? this.schema!.url,
      redisUrl: this.redis.url,
      ...(options.movableClock ? { clockFile } : {}),
      extra: options.extra ?? {},
    };
    // The first instance migrates the schema; the others start on a migrated one.
    this.banks.push(await BankProcess.start(this.env));
    const more = Array.from({ length: (options.instances ?? 1) - 1 }, () =>
      BankProcess.start(this.env),
    );
    this.banks.push(...(await Promise.all(more)));
  }

  /** The first instance's URL. */
  get url(): string {
    return this.banks[0]!.url;
  }

  /** The bank clock, as the bank reads it (ms). */
  get bankNowMs(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** The bank clock in Unix seconds (what devices put in payments). */
  get bankNowSeconds(): number {
    return Math.floor(this.bankNowMs / 1000);
  }

  /** Moves every instance's clock forward by `ms` and waits until each applied it. */
  async advanceClock(ms: number): Promise<void> {
    if (!this.env.clockFile) throw new Error('world started without a movable clock');
    this.clockOffsetMs += ms;
    writeFileSync(this.env.clockFile, String(this.clockOffsetMs));
    for (const bank of this.banks) {
      rmSync(`${this.env.clockFile}.ack`, { force: true });
      bank.signal('SIGUSR2');
      const deadline = Date.now() + 30_000;
      while (readAck(`${this.env.clockFile}.ack`) !== this.clockOffsetMs) {
        if (Date.now() > deadline) throw new Error('a bank did not apply the clock change');
        await sleep(10);
      }
    }
    if (this.#operator) this.#operator.token = '';
  }

  /** Creates the operator with the bank's CLI (once) and signs it in at the bank clock. */
  async operatorToken(): Promise<string> {
    if (!this.#operator) {
      const email = `ops-${Date.now()}@example.com`;
      const password = 'proof suite operator password';
      const file = join(this.#tmp, 'operator-password');
      writeFileSync(file, password);
      const run = promisify(execFile);
      const { stdout } = await run(
        process.execPath,
        [
          '--import',
          'tsx',
          'scripts/operator-create.ts',
          '--email',
          email,
          '--password-file',
          file,
        ],
        { cwd: BANK_DIR, env: bankEnvironment(this.env) },
      );
      const secret = /[?&]secret=([A-Z2-7]+)/.exec(stdout)?.[1];
      if (!secret) throw new Error(`operator:create printed no TOTP secret:\n${stdout}`);
      this.#operator = { email, password, secret, token: '' };
    }
    const op = this.#operator;
    if (!op.token) {
      // A code is accepted once: wait for the next 30-second step if this one was used.
      for (let attempt = 0; attempt < 3 && !op.token; attempt++) {
        const res = await request(this.url, 'POST', '/v1/operator/auth/login', {
          json: { email: op.email, password: op.password, code: totp(op.secret, this.bankNowMs) },
        });
        if (res.status === 200) op.token = res.json<{ accessToken: string }>().accessToken;
        else await sleep(30_000 - (this.bankNowMs % 30_000) + 200);
      }
      if (!op.token) throw new Error('operator could not sign in');
    }
    return op.token;
  }

  /** A registered, logged-in user. */
  user(displayName?: string): Promise<User> {
    return registerUser(this.url, displayName);
  }

  /** Credits `minor` to the user's account (issuance → customer, in SQL). */
  fund(user: User, minor: bigint): Promise<void> {
    return fund(this.env.databaseUrl, user.accountId, minor);
  }

  /** A new user with `funds`, and a payer device reserving `limit` of it. */
  async payer(limit: bigint, funds = limit): Promise<Payer> {
    const user = await this.user('Proof Payer');
    await this.fund(user, funds);
    return enrollPayer(this.url, user, limit);
  }

  /** Another payer device (certificate) for an existing user. */
  payerFor(user: User, limit: bigint): Promise<Payer> {
    return enrollPayer(this.url, user, limit);
  }

  /** Makes `user` a verified merchant (operator approval over HTTP). */
  async verify(user: User, name = `Proof Shop ${++this.#merchants}`): Promise<void> {
    const id = await applyAsMerchant(this.url, user, name);
    await approveMerchant(this.url, await this.operatorToken(), id);
  }

  /** A new verified merchant with an enrolled till (or a till for `user`, verifying it once). */
  async payee(user?: User): Promise<Payee> {
    const owner = user ?? (await this.user('Proof Shop'));
    if (!this.#verified.has(owner.userId)) {
      await this.verify(owner);
      this.#verified.add(owner.userId);
    }
    return enrollPayee(this.url, owner);
  }

  /** Logs every given user in again (tokens expire when the bank clock jumps). */
  async relogin(users: Iterable<User>): Promise<void> {
    for (const u of users) await login(this.url, u);
  }

  /** The bank's reconciliation command on this world's database. */
  reconcile(): Promise<ReconcileOutput> {
    return reconcile(this.env.databaseUrl);
  }

  /** True when every bank process is still running (a fault never ends one). */
  exits(): string[] {
    return this.banks.map((b) => b.unexpectedExit).filter((e): e is string => e !== null);
  }

  async stop(): Promise<void> {
    await Promise.all(this.banks.map((b) => b.stop()));
    await this.redis?.stop();
    await this.schema?.drop().catch(() => undefined);
    rmSync(this.#tmp, { recursive: true, force: true });
  }
}

function readAck(file: string): number | null {
  try {
    return Number(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}
