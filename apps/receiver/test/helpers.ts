/**
 * A small offpay world for the till's tests: a test bank key pair, a till set up on a fresh
 * fake-indexeddb database with a locally issued payee certificate, and payers whose payments are
 * made and sealed with packages/protocol exactly as the sender app makes them.
 */
import 'fake-indexeddb/auto';
import { generateSecretKey, getPublicKey } from '@offpay/crypto';
import {
  bankKeySet,
  createPayment,
  encodeCertificate,
  encodePayment,
  initialChainState,
  issuePayeeCertificate,
  issuePayerCertificate,
  Money,
  sealPayment,
  signRevocationList,
  encodeRevocationList,
  type BankKeys,
  type PayerCertificate,
  type PayerChainState,
  type Payment,
  type PaymentRequest,
} from '@offpay/protocol';
import { createVault, openAppDb, pinKeys, type Vault } from '@offpay/app-kit';
import { META, SECRET, tillSchema, type TillDb } from '../src/db.js';
import { acceptPayment, type Accepted } from '../src/state/accept.js';
import { createRequest } from '../src/state/requests.js';
import { loadTill, type Till } from '../src/state/till.js';

/** The device clock of most tests: Unix seconds (January 2027), and the same in milliseconds. */
export const NOW = 1_800_000_000;
export const NOW_MS = NOW * 1000;
export const DAY = 24 * 3600;

/** A test bank: signing and KEM key pairs and the pinned key set. */
export interface TestBank {
  signSk: Uint8Array;
  signPk: Uint8Array;
  kemSk: Uint8Array;
  kemPk: Uint8Array;
  keys: BankKeys;
}

export function makeBank(): TestBank {
  const signSk = generateSecretKey();
  const kemSk = generateSecretKey();
  const signPk = getPublicKey(signSk);
  return { signSk, signPk, kemSk, kemPk: getPublicKey(kemSk), keys: bankKeySet([signPk]) };
}

let dbCount = 0;
let serialCount = 5000;

/** A fresh database (a new name each time, so tests never share state). */
export function freshDb(): Promise<TillDb> {
  return openAppDb(tillSchema, `till-test-${++dbCount}`);
}

/** A set-up, enrolled till. */
export interface TestTill {
  db: TillDb;
  vault: Vault;
  till: Till;
  bank: TestBank;
}

/** Sets up a till as the app does: keys in the vault, certificate and pinned keys stored. */
export async function makeTill(
  bank: TestBank = makeBank(),
  opts: { currency?: string; displayName?: string } = {},
): Promise<TestTill> {
  const db = await freshDb();
  const signSk = generateSecretKey();
  const kemSk = generateSecretKey();
  const vault = await createVault(
    db,
    'till passphrase',
    { [SECRET.sign]: signSk, [SECRET.kem]: kemSk },
    { iterations: 1000 },
  );
  const cert = issuePayeeCertificate(
    {
      serial: ++serialCount,
      signKey: getPublicKey(signSk),
      kemKey: getPublicKey(kemSk),
      currency: opts.currency ?? 'EUR',
      expiresAt: NOW + 365 * DAY,
      displayName: opts.displayName ?? "Bob's Market",
    },
    bank.signSk,
  );
  await db.write([
    pinKeys({ signKeys: [bank.signPk], kemKey: bank.kemPk }),
    { put: 'meta', key: META.certificate, value: encodeCertificate(cert) },
  ]);
  const till = await loadTill(db, vault);
  if (!till) throw new Error('test till did not load');
  return { db, vault, till, bank };
}

/** A payer wallet: certificate, key and chain state. */
export class TestPayer {
  readonly sk = generateSecretKey();
  readonly cert: PayerCertificate;
  chain: PayerChainState;

  constructor(
    bank: TestBank,
    opts: { limit?: number; expiresAt?: number; currency?: string; serial?: number } = {},
  ) {
    this.cert = issuePayerCertificate(
      {
        serial: opts.serial ?? ++serialCount,
        signKey: getPublicKey(this.sk),
        currency: opts.currency ?? 'EUR',
        expiresAt: opts.expiresAt ?? NOW + 7 * DAY,
        limit: opts.limit ?? 100_00,
      },
      bank.signSk,
    );
    this.chain = initialChainState(this.cert);
  }

  /** Pays a request: the next payment in the chain (the chain moves on). */
  pay(request: PaymentRequest, now = NOW): Payment {
    const made = createPayment(this.cert, this.chain, this.sk, {
      amount: request.amount,
      payeeKid: request.payeeKid,
      payeeCurrency: request.payeeCert.currency,
      requestId: request.requestId,
      now,
    });
    this.chain = made.state;
    return made.payment;
  }
}

/** A payment's bytes sealed to a till, as they travel in a QR code. */
export function sealFor(t: TestTill, payment: Payment | Uint8Array): Uint8Array {
  const bytes = payment instanceof Uint8Array ? payment : encodePayment(payment);
  return sealPayment(bytes, t.till.cert.kemKey, t.till.kid);
}

/** Opens a request for `amount` (e.g. "2.50") at NOW. */
export function request(t: TestTill, amount: string, memo = ''): Promise<PaymentRequest> {
  const input = { amount: Money.parse(amount, 'EUR'), memo };
  return createRequest(t.db, t.till, input, NOW).then((r) => r.request);
}

/** Stores a bank-signed revocation list naming `serials`. */
export async function storeRevocations(t: TestTill, seq: number, serials: number[]) {
  const list = signRevocationList({ seq, issuedAt: NOW, serials }, t.bank.signSk);
  await t.db.write([
    { put: 'meta', key: 'revocations', value: { seq, signed: encodeRevocationList(list) } },
  ]);
}

/** Accepts `sealed` on the waiting screen of request `r` (the request shown), as the till does. */
export function accept(
  t: TestTill,
  r: PaymentRequest,
  sealed: Uint8Array,
  nowMs = NOW_MS,
): Promise<Accepted> {
  return acceptPayment(t.db, t.till, r.requestId, sealed, nowMs);
}

/** Makes a request for `amount`, has `payer` pay it, and accepts the payment. */
export async function payRequest(t: TestTill, payer: TestPayer, amount: string): Promise<Accepted> {
  const r = await request(t, amount);
  return accept(t, r, sealFor(t, payer.pay(r)));
}

/** What a watched database was asked: 'get:ledger', 'all:ledger', 'byIndex:ledger', 'write'… */
export interface Watched {
  db: TillDb;
  calls: string[];
  /** How many calls were `name`. */
  count(name: string): number;
}

/** A write hook of {@link watchDb}: given the ops and the real write (of the db, or of its transaction). */
export type WriteHook = (
  ops: Parameters<TillDb['write']>[0],
  next: TillDb['write'],
) => Promise<void>;

type Readable = Pick<TillDb, 'get' | 'all' | 'byIndex' | 'count' | 'counted' | 'write'>;

/**
 * `db` with every read and write it is asked for recorded (the real database answers), also
 * inside its transactions ('transaction' is recorded, then the reads and writes made in it), and
 * each write passed through `write` when given (to fail writes).
 */
export function watchDb(db: TillDb, write: WriteHook = (ops, next) => next(ops)): Watched {
  const calls: string[] = [];
  // Each read is recorded as `<method>:<store>` and answered by the real database.
  const watch = <T extends Readable>(target: T): T => {
    const watched = Object.create(target) as T;
    const seen =
      (name: 'get' | 'all' | 'byIndex' | 'count' | 'counted') =>
      (store: string, ...rest: unknown[]): unknown => {
        calls.push(`${name}:${store}`);
        return (target[name] as (...args: unknown[]) => unknown).call(target, store, ...rest);
      };
    Object.assign(watched, {
      get: seen('get'),
      all: seen('all'),
      byIndex: seen('byIndex'),
      count: seen('count'),
      counted: seen('counted'),
      // A transaction's switch to one meta read is the real transaction's (its state is there).
      ...('metaAtOnce' in target && {
        metaAtOnce: () => (target as { metaAtOnce(): void }).metaAtOnce(),
      }),
      write: (ops: Parameters<TillDb['write']>[0]) => (
        calls.push('write'),
        write(ops, (o) => target.write(o))
      ),
    });
    return watched;
  };
  const watched = watch(db);
  Object.assign(watched, {
    snapshot: () => (calls.push('snapshot'), db.snapshot()),
    transaction: (stores: Parameters<TillDb['transaction']>[0], body: (tx: never) => unknown) => (
      calls.push('transaction'),
      db.transaction(stores, (tx) => body(watch(tx) as never) as Promise<unknown>)
    ),
  });
  return { db: watched, calls, count: (name) => calls.filter((c) => c === name).length };
}
