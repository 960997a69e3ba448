/**
 * A small offpay world for HTTP tests: the bank on a fresh Postgres schema, users who register and
 * log in, payer and payee devices that enroll through the API and make payments and settlement
 * batches with packages/protocol — exactly what the apps will do.
 */
import {
  compressPublicKey,
  fromBase64Url,
  fromHex,
  generateSecretKey,
  getPublicKey,
  kid,
  randomBytes,
  sign,
  toBase64Url,
} from '@offpay/crypto';
import {
  appendToLedger,
  bankKeySet,
  createPayment,
  decodePayeeCertificate,
  decodePayment,
  decodePayerCertificate,
  emptyLedgerHead,
  encodeCbor,
  encodePayment,
  encodeSettlementBatch,
  initialChainState,
  ledgerEntryHash,
  messageId,
  payerGenesis,
  sealSettlementBatch,
  SIGN_LABEL,
  signedBytes,
  signEnrollment,
  signPayment,
  signSettlementBatch,
  verifyRevocationList,
  VERSION,
  type CborValue,
  type LedgerEntry,
  type LedgerHead,
  type PayeeCertificate,
  type PayerCertificate,
  type PayerChainState,
  type Payment,
  type PaymentFields,
} from '@offpay/protocol';
import type { FastifyInstance, LightMyRequestResponse as InjectResponse } from 'fastify';
import type { Database, Queryable } from '../../src/db/queryable.js';
import { buildTestApp, type TestAppOptions } from './app.js';
import { runMigrations } from '../../src/db/migrate.js';
import { createPgliteDatabase } from '../../src/db/pglite.js';
import { createMigratedDatabase, type TestSchema } from './db.js';

/** A logged-in user. */
export interface User {
  userId: string;
  accountId: string;
  token: string;
}

/** A payer device enrolled under one certificate. */
export interface PayerDevice {
  user: User;
  secretKey: Uint8Array;
  cert: PayerCertificate;
  chain: PayerChainState;
}

/** A receiver device with its own ledger. */
export interface PayeeDevice {
  user: User;
  secretKey: Uint8Array;
  kemSecretKey: Uint8Array;
  cert: PayeeCertificate;
  kid: Uint8Array;
  ledger: LedgerEntry[];
  head: LedgerHead;
  /** Where the next batch starts: the bank's settled head as the device knows it. */
  settled: LedgerHead;
}

let userCount = 0;

/** The bank and its database, and the helpers tests use. */
export class World {
  private constructor(
    readonly app: FastifyInstance,
    readonly db: Database,
    /** The Postgres schema, or null for the embedded PGlite database. */
    readonly schema: TestSchema | null,
    public clock: Date,
  ) {}

  /** A bank on a fresh Postgres schema; its clock is `world.clock` (tests move it). */
  static async create(options: Partial<TestAppOptions> = {}): Promise<World> {
    const { db, schema } = await createMigratedDatabase();
    return World.on(db, schema, options);
  }

  /** A bank on the embedded default: PGlite (real Postgres in WASM), in memory. */
  static async createEmbedded(options: Partial<TestAppOptions> = {}): Promise<World> {
    const db = await createPgliteDatabase();
    await runMigrations(db);
    return World.on(db, null, options);
  }

  private static async on(
    db: Database,
    schema: TestSchema | null,
    options: Partial<TestAppOptions>,
  ): Promise<World> {
    const holder: { world?: World } = {};
    const app = await buildTestApp({
      db,
      now: () => holder.world?.clock ?? new Date(),
      ...options,
    });
    holder.world = new World(app, db, schema, new Date());
    return holder.world;
  }

  /** Another bank instance on the same database (for cross-instance races; Postgres only). */
  async secondInstance(): Promise<FastifyInstance> {
    if (!this.schema) throw new Error('a second instance needs a Postgres server');
    return buildTestApp({ db: this.schema.open(), now: () => this.clock });
  }

  async close(): Promise<void> {
    await this.app.close();
    if (this.schema) await this.schema.drop();
    else await this.db.close();
  }

  /** Bank time in Unix seconds. */
  get now(): number {
    return Math.floor(this.clock.getTime() / 1000);
  }

  /** Registers and logs in a user. */
  async user(displayName = 'Test User', currency = 'EUR'): Promise<User> {
    const email = `user${++userCount}-${toBase64Url(randomBytes(4)).toLowerCase()}@example.com`;
    const password = 'correct horse battery';
    const reg = await this.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email, password, displayName, currency },
    });
    if (reg.statusCode !== 201) throw new Error(`register: ${reg.statusCode} ${reg.body}`);
    const { userId, accountId } = reg.json<{ userId: string; accountId: string }>();
    const login = await this.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email, password },
    });
    if (login.statusCode !== 200) throw new Error(`login: ${login.statusCode} ${login.body}`);
    return { userId, accountId, token: login.json<{ accessToken: string }>().accessToken };
  }

  /** Credits a user's customer account from the bank's issuance account. */
  async fund(user: User, minor: bigint, currency = 'EUR'): Promise<void> {
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

  /** The balance of an account (minor units). */
  async balance(accountId: string): Promise<bigint> {
    const [row] = await this.db.query<{ balance: bigint }>(
      'SELECT balance FROM account_balances WHERE account_id = $1',
      [accountId],
    );
    return row?.balance ?? 0n;
  }

  private async challenge(user: User): Promise<{ challengeId: string; challenge: Uint8Array }> {
    const res = await this.app.inject({
      method: 'POST',
      url: '/v1/enrollment/challenge',
      headers: auth(user),
    });
    if (res.statusCode !== 200 && res.statusCode !== 201)
      throw new Error(`challenge: ${res.statusCode} ${res.body}`);
    const body = res.json<{ challengeId: string; challenge: string }>();
    return { challengeId: body.challengeId, challenge: fromBase64Url(body.challenge) };
  }

  /** Enrolls a payer device with `limit` reserved. */
  async payer(limit: bigint, funds = limit, currency = 'EUR'): Promise<PayerDevice> {
    const user = await this.user(currency === 'EUR' ? 'Alice Payer' : 'Foreign Payer', currency);
    await this.fund(user, funds, currency);
    const secretKey = generateSecretKey();
    const signKey = getPublicKey(secretKey);
    const { challengeId, challenge } = await this.challenge(user);
    const signature = signEnrollment(
      { kind: 'payer', challenge, signKey, kemKey: new Uint8Array(0) },
      secretKey,
    );
    const res = await this.app.inject({
      method: 'POST',
      url: '/v1/enrollment/payer',
      headers: auth(user),
      payload: {
        challengeId,
        signKey: toBase64Url(signKey),
        signature: toBase64Url(signature),
        limitMinor: limit.toString(),
      },
    });
    if (res.statusCode !== 200 && res.statusCode !== 201)
      throw new Error(`enroll payer: ${res.statusCode} ${res.body}`);
    const cert = decodePayerCertificate(
      fromBase64Url(res.json<{ certificate: string }>().certificate),
    );
    return { user, secretKey, cert, chain: initialChainState(cert) };
  }

  /** Enrolls a receiver device. */
  async payee(displayName = "Bob's Market"): Promise<PayeeDevice> {
    const user = await this.user(displayName);
    const secretKey = generateSecretKey();
    const kemSecretKey = generateSecretKey();
    const signKey = getPublicKey(secretKey);
    const kemKey = getPublicKey(kemSecretKey);
    const { challengeId, challenge } = await this.challenge(user);
    const signature = signEnrollment({ kind: 'payee', challenge, signKey, kemKey }, secretKey);
    const res = await this.app.inject({
      method: 'POST',
      url: '/v1/enrollment/payee',
      headers: auth(user),
      payload: {
        challengeId,
        signKey: toBase64Url(signKey),
        kemKey: toBase64Url(kemKey),
        signature: toBase64Url(signature),
      },
    });
    if (res.statusCode !== 200 && res.statusCode !== 201)
      throw new Error(`enroll payee: ${res.statusCode} ${res.body}`);
    const cert = decodePayeeCertificate(
      fromBase64Url(res.json<{ certificate: string }>().certificate),
    );
    const head = emptyLedgerHead(cert.serial);
    return {
      user,
      secretKey,
      kemSecretKey,
      cert,
      kid: kid(signKey),
      ledger: [],
      head,
      settled: head,
    };
  }

  /** The payer pays the payee; the payee appends the payment to its ledger. */
  pay(payer: PayerDevice, payee: PayeeDevice, amount: number): Payment {
    const made = createPayment(payer.cert, payer.chain, payer.secretKey, {
      amount,
      payeeKid: payee.kid,
      payeeCurrency: payee.cert.currency,
      requestId: randomBytes(16),
      now: this.now,
    });
    payer.chain = made.state;
    this.append(payee, made.payment);
    return made.payment;
  }

  /** Appends any payment (honest or crafted) to the payee's ledger. */
  append(payee: PayeeDevice, payment: Payment): void {
    const { entry, head } = appendToLedger(payee.head, payment, encodePayment(payment));
    payee.ledger.push(entry);
    payee.head = head;
  }

  /** The bank's current KEM public key (compressed), from GET /v1/keys. */
  async bankKemKey(): Promise<Uint8Array> {
    const res = await this.app.inject({ method: 'GET', url: '/v1/keys' });
    const keys = res.json<{ kemKeys: { publicKey: string; retiredAt: string | null }[] }>().kemKeys;
    const current = keys.find((k) => k.retiredAt === null) ?? keys[keys.length - 1]!;
    return compressPublicKey(fromHex(current.publicKey));
  }

  /** A sealed batch of the payee's unsettled entries (or of `payments` from the settled head). */
  async batch(
    payee: PayeeDevice,
    payments?: Payment[],
  ): Promise<{ sealed: Uint8Array; batchKey: Uint8Array }> {
    const list =
      payments ?? payee.ledger.slice(payee.settled.nextIndex).map((e) => decodePayment(e.payment));
    const batch = signSettlementBatch(
      { payeeKid: payee.kid, from: payee.settled, payments: list },
      payee.secretKey,
    );
    return {
      sealed: sealSettlementBatch(encodeSettlementBatch(batch), await this.bankKemKey()),
      batchKey: batch.batchKey,
    };
  }

  /** POSTs a sealed batch as raw CBOR. */
  async settle(
    sealed: Uint8Array,
    headers: Record<string, string> = {},
    app: FastifyInstance = this.app,
  ): Promise<InjectResponse> {
    return app.inject({
      method: 'POST',
      url: '/v1/settlements',
      headers: { 'content-type': 'application/cbor', ...headers },
      payload: Buffer.from(sealed),
    });
  }

  /** Marks the payee's ledger as settled up to its head (after a successful settlement). */
  settledAll(payee: PayeeDevice): void {
    payee.settled = payee.head;
  }

  /** The id of a user's reserve account (in its only currency). */
  async reserveAccount(user: User): Promise<string> {
    const [row] = await this.db.query<{ id: string }>(
      "SELECT id FROM accounts WHERE user_id = $1 AND kind = 'reserve'",
      [user.userId],
    );
    if (!row) throw new Error(`user ${user.userId} has no reserve account`);
    return row.id;
  }

  /**
   * Settles `payments` as the payee's next batch from its settled head, expects 200, moves the
   * payee's settled head to the bank's, and returns the per-entry results.
   */
  async settleEntries(payee: PayeeDevice, payments: Payment[]): Promise<EntryResultView[]> {
    const res = await this.settle((await this.batch(payee, payments)).sealed);
    if (res.statusCode !== 200) throw new Error(`settle: ${res.statusCode} ${res.body}`);
    const body = res.json<{ results: EntryResultView[]; head: string; fromIndex: number }>();
    payee.settled = { nextIndex: body.fromIndex + payments.length, head: fromHex(body.head) };
    return body.results;
  }

  /** The serials on the latest revocation list, verified under the keys of GET /v1/keys. */
  async revokedSerials(): Promise<number[]> {
    const keys = await this.app.inject({ method: 'GET', url: '/v1/keys' });
    const signKeys = keys.json<{ signKeys: { publicKey: string }[] }>().signKeys;
    const res = await this.app.inject({ method: 'GET', url: '/v1/revocations' });
    if (res.statusCode !== 200) throw new Error(`revocations: ${res.statusCode} ${res.body}`);
    const body = res.json<{ serials: string[]; signed: string }>();
    const list = verifyRevocationList(
      fromBase64Url(body.signed),
      bankKeySet(signKeys.map((k) => fromHex(k.publicKey))),
    );
    if (body.serials.join() !== list.serials.join())
      throw new Error('the JSON serials differ from the signed list');
    return list.serials;
  }

  /** Enrolls a payer device for a new user whose account is in `currency` (funded with `limit`). */
  async payerIn(currency: string, limit: bigint): Promise<PayerDevice> {
    return this.payer(limit, limit, currency);
  }
}

/** The Authorization header of a user. */
export function auth(user: User): Record<string, string> {
  return { authorization: `Bearer ${user.token}` };
}

/** One entry of a settlement answer. */
export interface EntryResultView {
  index: number;
  paymentId: string;
  status: 'settled' | 'duplicate' | 'rejected';
  code: string;
}

/**
 * Signs a payment with any fields, honest or not (attack tests). The defaults make a first
 * payment (counter 1 from the payer genesis, spent = amount); `secretKey` forges another signer.
 */
export function craftPayment(
  payer: PayerDevice,
  fields: Partial<PaymentFields> & Pick<PaymentFields, 'amount' | 'payeeKid' | 'createdAt'>,
  secretKey: Uint8Array = payer.secretKey,
): Payment {
  const serial = fields.serial ?? payer.cert.serial;
  return signPayment(
    {
      serial,
      counter: 1,
      prev: payerGenesis(serial),
      spent: fields.amount,
      requestId: randomBytes(16),
      ...fields,
    },
    payer.cert,
    secretKey,
  );
}

/**
 * A settlement batch built by hand, for batches the library refuses to build: any entries (CBOR
 * values whose first item is the payment tbs), any head (default: folded over the entries from
 * `from`), signed by `signer` over the label (or carrying `signature` as is). Not sealed.
 */
export function rawBatch(input: {
  payeeKid: Uint8Array;
  from: LedgerHead;
  entries: CborValue[];
  signer: Uint8Array;
  head?: Uint8Array;
  signature?: Uint8Array;
}): { bytes: Uint8Array; batchKey: Uint8Array } {
  let head = input.from.head;
  for (const e of input.entries) {
    head = ledgerEntryHash(head, messageId(SIGN_LABEL.payment, (e as Uint8Array[])[0]!));
  }
  const tbs = encodeCbor([
    VERSION,
    input.payeeKid,
    input.from.nextIndex,
    input.from.head,
    input.entries,
    input.head ?? head,
  ]);
  const signature =
    input.signature ?? sign(signedBytes(SIGN_LABEL.settlementBatch, tbs), input.signer);
  return {
    bytes: encodeCbor([tbs, signature]),
    batchKey: messageId(SIGN_LABEL.settlementBatch, tbs),
  };
}

/**
 * Breaches of the reserve invariant (issue 4 "Invariant"), per payer account: what its
 * certificates settled equals the sum of their settled payments; it is at most their reserved
 * limits plus what was recovered from the payer's available balance ('recovery' transfers); the
 * reserve paid out exactly the rest ('settlement' transfers); no reserve account is negative.
 * Empty when every certificate is within its bound.
 */
export async function reserveViolations(db: Queryable): Promise<unknown[]> {
  return db.query(
    `WITH paid AS (
       SELECT serial, sum(amount) AS total FROM payments WHERE status = 'settled' GROUP BY serial),
     certs AS (
       SELECT a.user_id, c.account_id, c.currency, sum(c.limit_minor) AS limits,
              sum(c.settled_minor) AS settled, sum(coalesce(paid.total, 0)) AS paid
       FROM payer_certificates c JOIN accounts a ON a.id = c.account_id
       LEFT JOIN paid ON paid.serial = c.serial
       GROUP BY a.user_id, c.account_id, c.currency),
     moved AS (
       SELECT p.account_id, t.kind, -sum(p.amount) AS total
       FROM postings p JOIN transfers t ON t.id = p.transfer_id
       WHERE t.kind IN ('settlement', 'recovery') AND p.amount < 0
       GROUP BY p.account_id, t.kind)
     SELECT certs.account_id, certs.limits::text, certs.settled::text, certs.paid::text,
            coalesce(rec.total, 0)::text AS recovered, coalesce(res.total, 0)::text AS from_reserve,
            rb.balance::text AS reserve_balance
     FROM certs
     LEFT JOIN moved rec ON rec.account_id = certs.account_id AND rec.kind = 'recovery'
     LEFT JOIN accounts r ON r.user_id = certs.user_id AND r.kind = 'reserve'
                         AND r.currency = certs.currency
     LEFT JOIN account_balances rb ON rb.account_id = r.id
     LEFT JOIN moved res ON res.account_id = r.id AND res.kind = 'settlement'
     WHERE certs.settled <> certs.paid
        OR certs.settled > certs.limits + coalesce(rec.total, 0)
        OR coalesce(res.total, 0) + coalesce(rec.total, 0) <> certs.settled
        OR rb.balance < 0`,
  );
}
