/**
 * Accepting a payment (DESIGN.md §4 "Offline checks by the receiver"): the protocol's offline
 * verdict against this till's ledger, the request on screen, revocations and per-payer cap, then
 * ONE write that appends the ledger entry, moves the head, updates the ledger's indexes, marks the
 * request paid and keeps the receipt — so a payment is never half-recorded. The checks read a few
 * rows by key (state/ledger-index.ts), never the whole ledger, so a payment costs the same on a
 * long ledger. The whole check-and-write holds the till lock (state/lock.ts), so two tabs never
 * write the same ledger index.
 */
import { equalBytes, toHex } from '@offpay/crypto';
import {
  appendToLedger,
  decodePayment,
  encodeReceipt,
  fail,
  isAppError,
  Money,
  openPayment,
  signReceipt,
  verifyOpenedPayment,
  type AcceptedPayment,
  type LedgerHead,
  type Payment,
  type Receipt,
} from '@offpay/protocol';
import { AppError, trustedNow, type AppDb } from '@offpay/app-kit';
import { keepFraudProof } from './fraud.js';
import { ledgerKey, parseLedgerRecord, recordAt, type LedgerRecord } from './ledger.js';
import {
  acceptedIndex,
  conflictingPayments,
  ensureLedgerIndex,
  indexOps,
  payerIndex,
  type PayerIndex,
} from './ledger-index.js';
import { withTillLock } from './lock.js';
import { findRequest, requestKey, toOpenRequest, type StoredRequest } from './requests.js';
import { KEY, ledgerHead, payerCap, revocationCheck, type Till } from './store.js';

/** An accepted payment: its ledger record, the signed receipt and its bytes. */
export interface Accepted {
  record: LedgerRecord;
  receipt: Receipt;
  receiptBytes: Uint8Array;
  amount: Money;
}

/**
 * Checks a sealed payment for the request on screen (`requestId`) and, when it may be accepted,
 * records it and signs the receipt. `deviceNowMs` is the device clock (tests set it).
 * Refusals, in the order they are checked: a copy of an accepted payment is
 * PROTO_PAYMENT_DUPLICATE (whatever request is shown); a payment for another request is
 * PROTO_REQUEST_MISMATCH; a second payment for a paid request is APP_REQUEST_ALREADY_PAID
 * ({ paidIndex }); a request replaced by a newer one, or never made, is APP_REQUEST_UNKNOWN.
 * @throws ProtocolError with the protocol's refusal codes (PROTO_CLOCK_BEHIND included); AppError
 *   APP_REQUEST_UNKNOWN, APP_REQUEST_ALREADY_PAID, APP_PAYER_CAP_EXCEEDED, APP_STORAGE_FAILED.
 *   A fraud error's proof is kept.
 */
export async function acceptPayment(
  db: AppDb,
  till: Till,
  requestId: Uint8Array,
  sealed: Uint8Array,
  deviceNowMs?: number,
): Promise<Accepted> {
  // Opened once, outside the lock: the HPKE open is the costliest step on a phone.
  const opened = openPayment(sealed, till.kemSecret, till.kid);
  return withTillLock(() => accept(db, till, requestId, opened, deviceNowMs));
}

async function accept(
  db: AppDb,
  till: Till,
  requestId: Uint8Array,
  opened: Uint8Array,
  deviceNowMs: number | undefined,
): Promise<Accepted> {
  // Read under the lock: no other tab moves the head until this write is done.
  const [now, found, head] = await Promise.all([
    trustedNow(db, deviceNowMs),
    findRequest(db, requestId),
    ledgerHead(db, till),
  ]);
  await checkHead(db, head);
  await ensureLedgerIndex(db, head);
  const { accepted, payer } = await verify(db, till, opened, head, found?.request, now);
  const request = checkPayable(found);
  await checkCap(db, till, payer, accepted.payment);

  const { entry, head: next } = appendToLedger(head, accepted.payment, accepted.bytes);
  const receipt = signReceipt(
    {
      payeeKid: till.kid,
      paymentId: entry.paymentId,
      index: entry.index,
      entryHash: entry.entryHash,
      acceptedAt: now,
    },
    till.signSecret,
  );
  const receiptBytes = encodeReceipt(receipt);
  const record: LedgerRecord = {
    ...entry,
    amount: accepted.payment.amount,
    currency: till.cert.currency,
    payerSerial: accepted.payment.serial,
    counter: accepted.payment.counter,
    acceptedAt: now,
    status: 'accepted',
    receipt: receiptBytes,
  };
  const paid: StoredRequest = { ...request, status: 'paid', paidIndex: entry.index };
  await db.write([
    { log: 'ledger', key: ledgerKey(entry.index), value: record },
    { put: KEY.ledgerHead, value: next },
    ...indexOps(payer, entry.index, accepted.payment),
    { log: 'history', key: requestKey(request.requestId), value: paid },
    { put: KEY.currentRequest, value: paid },
  ]);
  return {
    record,
    receipt,
    receiptBytes,
    amount: Money.of(record.amount, record.currency),
  };
}

/**
 * Checks that the stored head is the one its last entry leads to, and that nothing is stored
 * where the next entry goes — two reads by key, whatever the ledger's length.
 * @throws PROTO_LEDGER_BROKEN
 */
async function checkHead(db: AppDb, head: LedgerHead): Promise<void> {
  const { nextIndex } = head;
  const [lastRow, nextRow] = await Promise.all([
    nextIndex > 0 ? db.record<unknown>('ledger', ledgerKey(nextIndex - 1)) : undefined,
    db.record<unknown>('ledger', ledgerKey(nextIndex)),
  ]);
  const last = parseLedgerRecord(lastRow);
  const matches =
    nextRow === undefined &&
    (nextIndex === 0
      ? lastRow === undefined
      : last?.index === nextIndex - 1 && equalBytes(last.entryHash, head.head));
  if (!matches) {
    fail('PROTO_LEDGER_BROKEN', 'the ledger head does not match its last entry', {
      index: nextIndex,
    });
  }
}

/**
 * The protocol's verdict, with the payer's index row (for the cap and the write); a fraud proof
 * it finds is kept (and the payer refused from now on). Only the index rows of this payment and
 * its payer are read, and only the earlier payments that conflict with it are decoded.
 */
async function verify(
  db: AppDb,
  till: Till,
  opened: Uint8Array,
  head: LedgerHead,
  request: StoredRequest | undefined,
  now: number,
): Promise<{ accepted: AcceptedPayment; payer: PayerIndex }> {
  // The protocol decodes it again first: a malformed payment fails here with the same code.
  const payment = decodePayment(opened);
  const idHex = toHex(payment.paymentId);
  const [index, payer, isRevoked] = await Promise.all([
    acceptedIndex(db, idHex, head),
    payerIndex(db, payment.serial, head),
    revocationCheck(db, till),
  ]);
  const earlier = await conflictingPayments(db, payer, payment);
  try {
    const accepted = verifyOpenedPayment(opened, {
      payee: { kid: till.kid, kemSecretKey: till.kemSecret, currency: till.cert.currency },
      bankKeys: till.bankKeys,
      now,
      isRevoked,
      // The protocol checks the duplicate first, then that the payment answers this request.
      request: request && toOpenRequest(request),
      findAccepted: (id) => (id === idHex ? index : undefined),
      paymentsBySerial: (serial) => (serial === payment.serial ? earlier : []),
    });
    return { accepted, payer };
  } catch (e) {
    if (isAppError(e) && e.code.startsWith('PROTO_FRAUD_')) await keepFraudProof(db, e, now);
    throw e;
  }
}

/** The request shown, if it may be paid: only the current request, still open. */
function checkPayable(found: Awaited<ReturnType<typeof findRequest>>): StoredRequest {
  if (!found) throw new AppError('APP_REQUEST_UNKNOWN');
  const { request, current } = found;
  if (request.status === 'paid') {
    throw new AppError('APP_REQUEST_ALREADY_PAID', undefined, { paidIndex: request.paidIndex });
  }
  if (request.status !== 'open' || !current) {
    throw new AppError(
      'APP_REQUEST_UNKNOWN',
      'This request was replaced by a newer one and can no longer be paid.',
    );
  }
  return request;
}

async function checkCap(db: AppDb, till: Till, payer: PayerIndex, payment: Payment): Promise<void> {
  const cap = await payerCap(db);
  if (cap === undefined) return;
  const currency = till.cert.currency;
  const total = Money.of(payer.totalMinor, currency).plus(Money.of(payment.amount, currency));
  if (total.minor > cap) {
    throw new AppError('APP_PAYER_CAP_EXCEEDED', undefined, {
      capMinor: String(cap),
      totalMinor: String(total.minor),
      currency,
    });
  }
}

/** The receipt kept with ledger entry `index`, to show again (for a payment shown twice). */
export async function receiptOf(db: AppDb, index: number): Promise<Uint8Array | undefined> {
  return (await recordAt(db, index))?.receipt;
}
