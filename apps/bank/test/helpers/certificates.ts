/**
 * A bank on a fresh Postgres schema with a movable clock, and the steps certificate tests take
 * through HTTP: register and log in, fund, ask for a challenge, enroll a payer or a payee.
 */
import {
  fromBase64Url,
  fromHex,
  generateSecretKey,
  getPublicKey,
  randomBytes,
  toBase64Url,
} from '@offpay/crypto';
import { bankKeySet, signEnrollment, type BankKeys } from '@offpay/protocol';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { BankConfig } from '../../src/config.js';
import type { Database } from '../../src/db/queryable.js';
import { createMemoryStores } from '../../src/kv/memory.js';
import { buildTestApp } from './app.js';
import { createMigratedDatabase, type TestSchema } from './db.js';

/** A logged-in user. */
export interface TestUser {
  userId: string;
  accountId: string;
  token: string;
}

/** A device key pair. */
export interface DeviceKey {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** A fresh device key pair. */
export function deviceKey(): DeviceKey {
  const secretKey = generateSecretKey();
  return { secretKey, publicKey: getPublicKey(secretKey) };
}

/** The bank under test, its database and its clock. */
export class Bank {
  clock = new Date('2030-01-01T00:00:00.000Z');
  app!: FastifyInstance;
  db!: Database;
  schema!: TestSchema;
  private users = 0;

  /** Starts the bank; the in-process challenge store follows the same clock. */
  async start(config: Partial<BankConfig> = {}): Promise<this> {
    ({ db: this.db, schema: this.schema } = await createMigratedDatabase());
    this.app = await buildTestApp({
      db: this.db,
      stores: createMemoryStores(() => this.clock.getTime()),
      now: () => this.clock,
      config,
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.schema.drop();
  }

  /** Moves the bank clock by `seconds`. */
  advance(seconds: number): void {
    this.clock = new Date(this.clock.getTime() + seconds * 1000);
  }

  /** Registers and logs in a new user. */
  async user(displayName = 'Test User', currency = 'EUR'): Promise<TestUser> {
    const email = `u${++this.users}@example.com`;
    const password = 'correct horse battery staple';
    const reg = await this.post('/v1/auth/register', { email, password, displayName, currency });
    expect(reg.statusCode, reg.body).toBe(201);
    const login = await this.post('/v1/auth/login', { email, password });
    expect(login.statusCode, login.body).toBe(200);
    const { userId, accountId } = reg.json<{ userId: string; accountId: string }>();
    return { userId, accountId, token: login.json<{ accessToken: string }>().accessToken };
  }

  /** Credits the user's customer account from the bank's issuance account. */
  async fund(user: TestUser, minor: bigint, currency = 'EUR'): Promise<void> {
    const { accounts } = this.app.services;
    await this.db.transaction(async (tx) => {
      const issuance = await accounts.systemAccount(tx, 'issuance', currency);
      await accounts.transfer(tx, {
        kind: 'funding',
        reference: `test:${toBase64Url(randomBytes(8))}`,
        legs: [
          { accountId: issuance, amount: -minor },
          { accountId: user.accountId, amount: minor },
        ],
      });
    });
  }

  /** Balances of the user's accounts by kind (customer, reserve), in `currency`. */
  async balances(user: TestUser, currency = 'EUR'): Promise<{ customer: bigint; reserve: bigint }> {
    const rows = await this.db.query<{ kind: string; balance: bigint }>(
      `SELECT a.kind, b.balance FROM accounts a JOIN account_balances b ON b.account_id = a.id
       WHERE a.user_id = $1 AND a.currency = $2`,
      [user.userId, currency],
    );
    const of = (kind: string) => rows.find((r) => r.kind === kind)?.balance ?? 0n;
    return { customer: of('customer'), reserve: of('reserve') };
  }

  post(url: string, payload?: object, user?: TestUser): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method: 'POST',
      url,
      ...(payload ? { payload } : {}),
      ...(user ? { headers: { authorization: `Bearer ${user.token}` } } : {}),
    });
  }

  get(url: string, user?: TestUser): Promise<LightMyRequestResponse> {
    return this.app.inject({
      url,
      ...(user ? { headers: { authorization: `Bearer ${user.token}` } } : {}),
    });
  }

  /** A challenge for `user`. */
  async challenge(user: TestUser): Promise<{ challengeId: string; challenge: Uint8Array }> {
    const res = await this.post('/v1/enrollment/challenge', undefined, user);
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<{ challengeId: string; challenge: string }>();
    return { challengeId: body.challengeId, challenge: fromBase64Url(body.challenge) };
  }

  /** A body for POST /v1/enrollment/payer with a correct proof over a fresh challenge. */
  async payerRequest(
    user: TestUser,
    limitMinor: string,
    opts: { key?: DeviceKey; challengeId?: string; override?: Record<string, unknown> } = {},
  ): Promise<Record<string, unknown>> {
    const key = opts.key ?? deviceKey();
    const { challengeId, challenge } = await this.challenge(user);
    const kemKey = new Uint8Array(0);
    const req = { kind: 'payer' as const, challenge, signKey: key.publicKey, kemKey };
    return {
      challengeId: opts.challengeId ?? challengeId,
      signKey: toBase64Url(key.publicKey),
      signature: toBase64Url(signEnrollment(req, key.secretKey)),
      limitMinor,
      ...opts.override,
    };
  }

  /** POST /v1/enrollment/payer with a correct proof (unless `opts` changes the body). */
  async enrollPayer(
    user: TestUser,
    limitMinor: string,
    opts: Parameters<Bank['payerRequest']>[2] = {},
  ): Promise<LightMyRequestResponse> {
    return this.post('/v1/enrollment/payer', await this.payerRequest(user, limitMinor, opts), user);
  }

  /** POST /v1/enrollment/payee with a correct proof. */
  async enrollPayee(user: TestUser, key: DeviceKey = deviceKey()): Promise<LightMyRequestResponse> {
    const kem = deviceKey();
    const { challengeId, challenge } = await this.challenge(user);
    const req = {
      kind: 'payee' as const,
      challenge,
      signKey: key.publicKey,
      kemKey: kem.publicKey,
    };
    return this.post(
      '/v1/enrollment/payee',
      {
        challengeId,
        signKey: toBase64Url(key.publicKey),
        kemKey: toBase64Url(kem.publicKey),
        signature: toBase64Url(signEnrollment(req, key.secretKey)),
      },
      user,
    );
  }

  /** The bank's signing keys as a client pins them, from GET /v1/keys. */
  async pinnedKeys(): Promise<BankKeys> {
    const res = await this.get('/v1/keys');
    const keys = res.json<{ signKeys: { publicKey: string }[] }>().signKeys;
    return bankKeySet(keys.map((k) => fromHex(k.publicKey)));
  }

  /**
   * Simulates the settlement of one payment (settlement is the lead's module): a settled row in
   * `payments`, the certificate's settled total, and the money from the payer's reserve to the
   * payee's account, so the ledger stays what settlement would leave.
   */
  async settle(p: {
    payer: TestUser;
    payerSerial: number;
    payee: TestUser;
    payeeSerial: number;
    counter: number;
    amount: bigint;
    settledAt: Date;
    /** Recovery beyond the reserve: from the payer's customer account. */
    fromCustomer?: boolean;
  }): Promise<string> {
    const paymentId = randomBytes(32);
    await this.db.transaction(async (tx) => {
      const kind = p.fromCustomer ? 'customer' : 'reserve';
      const [from] = await tx.query<{ id: string }>(
        'SELECT id FROM accounts WHERE user_id = $1 AND kind = $2',
        [p.payer.userId, kind],
      );
      await this.app.services.accounts.transfer(tx, {
        kind: p.fromCustomer ? 'recovery' : 'settlement',
        reference: `test:${toBase64Url(paymentId)}`,
        legs: [
          { accountId: from!.id, amount: -p.amount },
          { accountId: p.payee.accountId, amount: p.amount },
        ],
      });
      await tx.query(
        `INSERT INTO payments (payment_id, serial, counter, prev, payee_serial, currency, amount, spent,
           signed, created_at, received_at, status, settled_at)
         VALUES ($1, $2, $3, $4, $5, 'EUR', $6, $6, '\\x00', $7, $7, 'settled', $7)`,
        [
          paymentId,
          p.payerSerial,
          p.counter,
          randomBytes(32),
          p.payeeSerial,
          p.amount.toString(),
          p.settledAt,
        ],
      );
      await tx.query(
        'UPDATE payer_certificates SET settled_minor = settled_minor + $2 WHERE serial = $1',
        [p.payerSerial, p.amount.toString()],
      );
    });
    return Buffer.from(paymentId).toString('hex');
  }
}
