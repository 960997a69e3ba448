/**
 * Fixtures for the wallet tests: a bank whose certificates are issued locally with the protocol's
 * issue functions (no HTTP — the enrollment over HTTP is the e2e suite's), a fresh database per
 * test on fake-indexeddb, an enrolled wallet, and a receiver that makes requests and receipts.
 */
import 'fake-indexeddb/auto';
import { generateSecretKey, getPublicKey, kid, randomBytes } from '@offpay/crypto';
import {
  CHALLENGE_LENGTH,
  bankKeySet,
  decodePayment,
  encodeCertificate,
  encodePaymentRequest,
  encodeReceipt,
  issuePayeeCertificate,
  issuePayerCertificate,
  openPayment,
  signPaymentRequest,
  signReceipt,
  verifyEnrollment,
  type BankKeys,
  type PayeeCertificate,
  type PayerCertificate,
  type Payment,
} from '@offpay/protocol';
import { openAppDb, type Vault } from '@offpay/app-kit';
import { walletSchema, type ChainRecord, type WalletDb } from '../src/db.js';
import { completeEnrollment, enrollmentKey, type EnrollClient } from '../src/state/enroll.js';
import { setupWallet } from '../src/state/wallet.js';

/** The device and bank clock of the tests (Unix seconds, January 2027). */
export const NOW = 1_800_000_000;
export const NOW_MS = NOW * 1000;
export const DAY = 24 * 3600;
export const PASSPHRASE = 'correct horse battery';
/** PBKDF2 iterations for test vaults and backups (the app uses the kit's default). */
export const ITERATIONS = 1000;

/** A bank: its signing and KEM keys. */
export interface Bank {
  signSk: Uint8Array;
  signPk: Uint8Array;
  kemPk: Uint8Array;
  keys: BankKeys;
}

export function makeBank(): Bank {
  const signSk = generateSecretKey();
  const signPk = getPublicKey(signSk);
  return { signSk, signPk, kemPk: getPublicKey(generateSecretKey()), keys: bankKeySet([signPk]) };
}

let serial = 5000;
let dbCount = 0;

/** A new, empty database. */
export function freshDb(): Promise<WalletDb> {
  return openAppDb(walletSchema, `wallet-test-${++dbCount}`);
}

/** The bank's certificate for a payer key, as wire bytes and decoded. */
export function issuePayer(
  bank: Bank,
  secretKey: Uint8Array,
  over: Partial<{ limit: number; expiresAt: number; currency: string; serial: number }> = {},
): { cert: PayerCertificate; bytes: Uint8Array } {
  const cert = issuePayerCertificate(
    {
      serial: over.serial ?? ++serial,
      signKey: getPublicKey(secretKey),
      currency: over.currency ?? 'EUR',
      expiresAt: over.expiresAt ?? NOW + 7 * DAY,
      limit: over.limit ?? 2000,
    },
    bank.signSk,
  );
  return { cert, bytes: encodeCertificate(cert) };
}

/** Enrolls the wallet in `db` as the app does after the bank answered, with a local certificate. */
export async function enrollLocally(
  db: WalletDb,
  vault: Vault,
  bank: Bank,
  over: Parameters<typeof issuePayer>[2] = {},
): Promise<PayerCertificate> {
  const secretKey = await enrollmentKey(db, vault);
  const { bytes } = issuePayer(bank, secretKey, over);
  return completeEnrollment(db, vault, {
    secretKey,
    certificate: bytes,
    pinned: { signKeys: [bank.signPk], kemKey: bank.kemPk },
  });
}

/** A set-up and enrolled wallet. */
export async function enrolledWallet(
  bank: Bank,
  over: Parameters<typeof issuePayer>[2] = {},
): Promise<{ db: WalletDb; vault: Vault; cert: PayerCertificate }> {
  const db = await freshDb();
  const vault = await setupWallet(db, PASSPHRASE, 'http://127.0.0.1:8787', {
    iterations: ITERATIONS,
  });
  const cert = await enrollLocally(db, vault, bank, over);
  return { db, vault, cert };
}

/** A receiver (payee) with its keys and bank certificate. */
export class Receiver {
  readonly signSk = generateSecretKey();
  readonly kemSk = generateSecretKey();
  readonly cert: PayeeCertificate;
  readonly kid: Uint8Array;

  constructor(
    issuer: Bank,
    over: Partial<{ currency: string; displayName: string; expiresAt: number }> = {},
  ) {
    this.cert = issuePayeeCertificate(
      {
        serial: ++serial,
        signKey: getPublicKey(this.signSk),
        kemKey: getPublicKey(this.kemSk),
        currency: over.currency ?? 'EUR',
        expiresAt: over.expiresAt ?? NOW + 365 * DAY,
        displayName: over.displayName ?? "Bob's Market",
      },
      issuer.signSk,
    );
    this.kid = kid(this.cert.signKey);
  }

  /** A signed payment request's wire bytes. */
  request(
    amount: number,
    over: Partial<{ expiresAt: number; memo: string; requestId: Uint8Array }> = {},
  ): Uint8Array {
    return encodePaymentRequest(
      signPaymentRequest(
        {
          amount,
          requestId: over.requestId ?? randomBytes(16),
          expiresAt: over.expiresAt ?? NOW + 600,
          memo: over.memo ?? 'Coffee',
        },
        this.cert,
        this.signSk,
      ),
    );
  }

  /** Opens a sealed payment as the receiving app does. */
  open(sealed: Uint8Array): Payment {
    return decodePayment(openPayment(sealed, this.kemSk, this.kid));
  }

  /** A receipt's wire bytes for `paymentId`, signed with `signSk` (the payee's own by default). */
  receipt(paymentId: Uint8Array, signSk: Uint8Array = this.signSk): Uint8Array {
    return encodeReceipt(
      signReceipt(
        { payeeKid: this.kid, paymentId, index: 0, entryHash: randomBytes(32), acceptedAt: NOW },
        signSk,
      ),
    );
  }
}

/** A write hook of {@link withWrite}: given the ops and the real write (of the db or its transaction). */
export type WriteHook = (
  ops: Parameters<WalletDb['write']>[0],
  next: WalletDb['write'],
) => Promise<void>;

/**
 * `db` with every write — its own and those made inside its transactions — passed through `write`
 * (to watch or fail writes), and each transaction it opens counted in `transactions`; everything
 * else is the real one.
 */
export function withWrite(db: WalletDb, write: WriteHook, transactions: string[][] = []): WalletDb {
  const hooked = <T extends Pick<WalletDb, 'write'>>(target: T): T =>
    Object.assign(Object.create(target) as T, {
      write: (ops: Parameters<WalletDb['write']>[0]) => write(ops, (o) => target.write(o)),
    });
  return Object.assign(hooked(db), {
    transaction: (stores: Parameters<WalletDb['transaction']>[0], body: (tx: never) => unknown) => {
      transactions.push([...stores]);
      return db.transaction(stores, (tx) => body(hooked(tx) as never) as Promise<unknown>);
    },
  });
}

/**
 * The bank's side of an enrollment, in memory: answers GET /v1/keys with `signKeys` (the bank's
 * key among them), checks the proof of possession and issues the certificate. `calls` records
 * every call by name.
 */
export function enrollingBank(
  bank: Bank,
  signKeys: Uint8Array[],
  calls: string[] = [],
): EnrollClient & { calls: string[] } {
  const challenges = new Map<string, Uint8Array>();
  return {
    calls,
    keys: () => {
      calls.push('keys');
      return Promise.resolve({
        signKeys,
        kemKey: bank.kemPk,
        signKey: bank.signPk,
        announcements: [],
      });
    },
    login: () => {
      calls.push('login');
      return Promise.resolve('token');
    },
    accounts: () => {
      calls.push('accounts');
      return Promise.resolve([
        {
          accountId: '3b0c1f3e-2a1d-4c55-9a53-6f0f8f7a1e11',
          kind: 'customer' as const,
          currency: 'EUR',
          balanceMinor: '100000',
        },
      ]);
    },
    challenge: () => {
      calls.push('challenge');
      const challengeId = `c${challenges.size}`.padEnd(22, 'x');
      const challenge = randomBytes(CHALLENGE_LENGTH);
      challenges.set(challengeId, challenge);
      return Promise.resolve({ challengeId, challenge });
    },
    enrollPayer: (_token, body) => {
      calls.push('enrollPayer');
      const challenge = challenges.get(body.challengeId)!;
      verifyEnrollment(
        { kind: 'payer', challenge, signKey: body.signKey, kemKey: new Uint8Array(0) },
        body.signature,
      );
      const cert = issuePayerCertificate(
        {
          serial: ++serial,
          signKey: body.signKey,
          currency: 'EUR',
          expiresAt: NOW + 7 * DAY,
          limit: Number(body.limitMinor),
        },
        bank.signSk,
      );
      return Promise.resolve({
        serial: String(cert.serial),
        certificate: encodeCertificate(cert),
        expiresAt: new Date(cert.expiresAt * 1000).toISOString(),
        currency: 'EUR',
        limitMinor: String(body.limitMinor),
      });
    },
  };
}

/** The stored chain record (the current certificate and its chain state). */
export async function chainRow(db: WalletDb): Promise<ChainRecord | undefined> {
  return (await db.all('chain'))[0];
}

/** Replaces fields of the stored chain record, as a damaged or edited database would. */
export async function patchChain(db: WalletDb, patch: Record<string, unknown>): Promise<void> {
  const row = await db.all('chain');
  await db.write([{ clear: 'chain' }, { put: 'chain', value: { ...row[0]!, ...patch } }]);
}

/** `n` valid P-256 public keys that no bank signs with. */
export function strangerKeys(n: number): Uint8Array[] {
  return Array.from({ length: n }, () => getPublicKey(generateSecretKey()));
}
