/**
 * Paying a request (DESIGN.md §3 "The payer's chain"): `preparePayment` checks a scanned request
 * and our allowance before anything is signed; `commitPayment` signs the next payment of the
 * chain, seals it to the payee and stores the new chain state together with its history record —
 * reads, checks and write in one IndexedDB transaction — BEFORE the payment is shown, so a
 * counter is never used twice.
 */
import { toHex } from '@offpay/crypto';
import {
  Money,
  createPayment,
  decodePaymentRequest,
  encodeCertificate,
  encodePayment,
  fail,
  remainingAllowance,
  paymentSealerAsync,
  type PaymentRequest,
} from '@offpay/protocol';
import {
  allInOrder,
  AppError,
  bankTimeSettled,
  revocationsOf,
  TRUST_KEYS,
  trustedNowIn,
  verifyRequest,
  type Vault,
} from '@offpay/app-kit';
import type { HistoryItem, WalletDb, WalletReads } from '../db.js';
import { findByRequest } from './history.js';
import { loadEnrolled, type Enrolled } from './wallet.js';

/** Test hook: the device clock in milliseconds (default Date.now()). */
export interface ClockOption {
  nowMs?: number;
}

/** A request checked and ready for the Confirm screen. */
export interface PreparedPayment {
  kind: 'new';
  request: PaymentRequest;
  amount: Money;
  /** The payee's bank-verified display name. */
  payeeName: string;
  memo: string;
  /** What is left after this payment. */
  remainingAfter: Money;
}

/** A request this wallet has already paid: show that payment again, never pay twice. */
export interface AlreadyPaid {
  kind: 'paid';
  item: HistoryItem;
}

/** Details of a refusal about this wallet's own certificate (not the payee's). */
export const OWN = { whose: 'wallet' } as const;

/**
 * The reads both steps start from, issued together in their transaction: the four meta rows
 * (restored flag, pinned keys, clock, revocations) are one read when `tx.metaAtOnce()` was called.
 */
function readAll(
  tx: WalletReads,
  vault: Vault,
  request: PaymentRequest | Promise<never>,
  nowMs?: number,
) {
  return allInOrder([
    loadEnrolled(tx, vault),
    trustedNowIn(tx, nowMs),
    request instanceof Promise
      ? request
      : findByRequest(tx, toHex(request.payeeKid), toHex(request.requestId)),
    tx.get('meta', TRUST_KEYS.revocations),
  ] as const);
}

/** Checks `request` for this wallet at `now`; `revocations` is the stored list's meta row. */
function checkRequest(
  wallet: Enrolled,
  request: PaymentRequest,
  now: number,
  revocations: unknown,
): Money {
  const { cert, chain, bankKeys } = wallet;
  // The request carries the payee certificate: checked under the pinned keys with the request.
  verifyRequest(request, bankKeys, now);
  if (request.payeeCert.currency !== cert.currency) {
    throw new AppError('APP_CURRENCY_MISMATCH', undefined, {
      expected: cert.currency,
      actual: request.payeeCert.currency,
    });
  }
  if (now > cert.expiresAt) {
    fail('PROTO_CERT_EXPIRED', 'this wallet’s certificate has expired', OWN);
  }
  if (revocationsOf(revocations, bankKeys)?.revoked.has(cert.serial)) {
    fail('PROTO_CERT_REVOKED', 'this wallet’s certificate is revoked', OWN);
  }
  const amount = Money.of(request.amount, cert.currency);
  const remaining = remainingAllowance(cert, chain);
  if (amount.compare(remaining) > 0) {
    fail('PROTO_PAYMENT_OVER_LIMIT', 'the request is more than the allowance left', {
      serial: String(cert.serial),
      limitMinor: String(cert.limit),
      spentMinor: String(chain.spent + request.amount),
    });
  }
  return remaining.minus(amount);
}

type Seal = (paymentBytes: Uint8Array) => Uint8Array;

// The sealing key agreement of each request prepared for the Confirm screen, started then: it
// runs (natively, off the page's thread) while the payer reads the screen, not after the tap.
const sealers = new WeakMap<PaymentRequest, Promise<Seal>>();

function startSealer(request: PaymentRequest): void {
  const sealer = paymentSealerAsync(request.payeeCert.kemKey, request.payeeKid);
  sealer.catch(() => undefined); // a refusal is met again (and thrown) when confirmed
  sealers.set(request, sealer);
}

/** The sealer set up for `request` at prepare time, once (a retry sets up a fresh one). */
function takeSealer(request: PaymentRequest): Promise<Seal> {
  const sealer = sealers.get(request);
  sealers.delete(request);
  return sealer ?? paymentSealerAsync(request.payeeCert.kemKey, request.payeeKid);
}

function decodeOrError(bytes: Uint8Array): { request: PaymentRequest } | { error: Error } {
  try {
    return { request: decodePaymentRequest(bytes) };
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/**
 * Checks a scanned payment request: well formed, signed by a payee the bank certified, still
 * open, in our currency and within the allowance left. A request of this payee already paid
 * returns that payment instead.
 * @throws AppError APP_MUST_ENROLL_AGAIN, APP_NOT_ENROLLED, APP_CURRENCY_MISMATCH,
 *   APP_WALLET_STATE_CHANGED; PROTO_CLOCK_BEHIND, PROTO_REQUEST_EXPIRED, PROTO_CERT_EXPIRED,
 *   PROTO_CERT_REVOKED, PROTO_PAYMENT_OVER_LIMIT, PROTO_SIGNATURE_INVALID, PROTO_UNKNOWN_ISSUER
 *   and the decoding codes
 */
export async function preparePayment(
  db: WalletDb,
  vault: Vault,
  requestBytes: Uint8Array,
  options: ClockOption = {},
): Promise<PreparedPayment | AlreadyPaid> {
  await bankTimeSettled(db);
  // Every read in one transaction (it writes nothing), issued together; the refusals keep their
  // order: the wallet, the clock, then the request's bytes.
  return db.transaction(['meta', 'chain', 'history'], async (tx) => {
    const decoded = decodeOrError(requestBytes);
    tx.metaAtOnce();
    const [wallet, now, paid, revocations] = await readAll(
      tx,
      vault,
      'error' in decoded ? Promise.reject(decoded.error) : decoded.request,
      options.nowMs,
    );
    if ('error' in decoded) throw decoded.error; // (readAll threw it already)
    const { request } = decoded;
    if (paid) return { kind: 'paid', item: paid };
    const remainingAfter = checkRequest(wallet, request, now, revocations);
    startSealer(request);
    return {
      kind: 'new',
      request,
      amount: Money.of(request.amount, wallet.cert.currency),
      payeeName: request.payeeCert.displayName,
      memo: request.memo,
      remainingAfter,
    };
  });
}

/**
 * Makes the payment: the next link of the chain, signed and sealed to the payee, stored with the
 * new chain state in one transaction before it is returned for showing. Everything is checked
 * again against the chain as stored now, in that transaction: another tab paying meanwhile runs
 * its transaction before or after this one (IndexedDB runs readwrite transactions over the same
 * stores one at a time), so a counter is never signed twice — without the wallet lock's round
 * trip. A request already paid returns its payment again.
 * @throws the codes of preparePayment; AppError APP_STORAGE_FAILED (then nothing was shown)
 */
export function commitPayment(
  db: WalletDb,
  vault: Vault,
  prepared: PreparedPayment,
  options: ClockOption = {},
): Promise<HistoryItem> {
  return commit(db, vault, prepared.request, options);
}

async function commit(
  db: WalletDb,
  vault: Vault,
  request: PaymentRequest,
  options: ClockOption,
): Promise<HistoryItem> {
  // The native key agreement first (started when the request was prepared): WebCrypto cannot be
  // awaited inside the transaction below, where the payment is signed and sealed (synchronously)
  // between reading the chain and writing it — one transaction per payment.
  const seal = await takeSealer(request);
  await bankTimeSettled(db);
  return db.transaction(['meta', 'chain', 'history'], async (tx) => {
    const payeeKid = toHex(request.payeeKid);
    tx.metaAtOnce();
    const [wallet, now, paid, revocations] = await readAll(tx, vault, request, options.nowMs);
    // Confirmed twice (a double tap, two tabs): the request keeps its one payment.
    if (paid) return paid;
    checkRequest(wallet, request, now, revocations);
    const { payment, state } = createPayment(wallet.cert, wallet.chain, wallet.secretKey, {
      amount: request.amount,
      payeeKid: request.payeeKid,
      payeeCurrency: request.payeeCert.currency,
      requestId: request.requestId,
      now,
    });
    const item: HistoryItem = {
      paymentId: toHex(payment.paymentId),
      serial: wallet.cert.serial,
      counter: payment.counter,
      amount: payment.amount,
      currency: wallet.cert.currency,
      payeeKid,
      payeeName: request.payeeCert.displayName,
      memo: request.memo,
      createdAt: now,
      state: 'sent',
      sealed: seal(encodePayment(payment)),
      requestId: toHex(request.requestId),
      payeeCert: encodeCertificate(request.payeeCert),
    };
    const chain = { ...state, certificate: wallet.chain.certificate };
    await tx.write([
      { put: 'chain', value: chain },
      { put: 'history', value: item },
    ]);
    return item;
  });
}
