/**
 * Accepting a payment (DESIGN.md §4 "Offline checks by the receiver"): the protocol's offline
 * verdict against this till's ledger, open requests, revocations and per-payer cap, then ONE
 * write that appends the ledger entry, moves the head, marks the request paid and keeps the
 * receipt — so a payment is never half-recorded.
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
  type Payment,
  type Receipt,
} from '@offpay/protocol';
import { AppError, trustedNow, type AppDb } from '@offpay/app-kit';
import { keepFraudProof } from './fraud.js';
import { ledgerKey, readLedger, recordAt, type LedgerRecord } from './ledger.js';
import { findRequest, requestKey, toOpenRequest, type StoredRequest } from './requests.js';
import { KEY, ledgerHead, payerCap, revokedSerials, type Till } from './store.js';

/** An accepted payment: its ledger record, the signed receipt and its bytes. */
export interface Accepted {
  record: LedgerRecord;
  receipt: Receipt;
  receiptBytes: Uint8Array;
  amount: Money;
}

const queues = new WeakMap<AppDb, Promise<unknown>>();

/** Runs `task` after every earlier task on the same database: one append at a time. */
function oneAtATime<T>(db: AppDb, task: () => Promise<T>): Promise<T> {
  const run = (queues.get(db) ?? Promise.resolve()).then(task, task);
  queues.set(
    db,
    run.catch(() => undefined),
  );
  return run;
}

/**
 * Checks a sealed payment and, when it may be accepted, records it and signs the receipt.
 * `deviceNowMs` is the device clock (tests set it).
 * @throws ProtocolError with the protocol's refusal codes (PROTO_CLOCK_BEHIND included); AppError
 *   APP_REQUEST_UNKNOWN, APP_PAYER_CAP_EXCEEDED, APP_STORAGE_FAILED. A fraud error's proof is kept.
 */
export function acceptPayment(
  db: AppDb,
  till: Till,
  sealed: Uint8Array,
  deviceNowMs?: number,
): Promise<Accepted> {
  return oneAtATime(db, () => accept(db, till, sealed, deviceNowMs));
}

async function accept(
  db: AppDb,
  till: Till,
  sealed: Uint8Array,
  deviceNowMs: number | undefined,
): Promise<Accepted> {
  const now = await trustedNow(db, deviceNowMs);
  // Opened once: to learn which request it answers, then for the verdict (HPKE open is the
  // costliest step on a phone).
  const opened = openPayment(sealed, till.kemSecret, till.kid);
  const { requestId } = decodePayment(opened);
  const request = await findRequest(db, requestId);
  const records = await readLedger(db);
  const head = await ledgerHead(db, till);
  const last = records.at(-1);
  if (
    (last && (last.index + 1 !== head.nextIndex || !equalBytes(last.entryHash, head.head))) ||
    (!last && head.nextIndex !== 0)
  ) {
    fail('PROTO_LEDGER_BROKEN', 'the ledger head does not match its last entry', {
      index: head.nextIndex,
    });
  }
  const accepted = await verify(db, till, opened, records, request, now);
  checkRequest(request);
  await checkCap(db, till, records, accepted.payment);

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
  await db.write([
    { log: 'ledger', key: ledgerKey(entry.index), value: record },
    { put: KEY.ledgerHead, value: next },
    {
      log: 'history',
      key: requestKey(requestId),
      value: { ...request, status: 'paid', paidIndex: entry.index },
    },
  ]);
  return {
    record,
    receipt,
    receiptBytes,
    amount: Money.of(record.amount, record.currency),
  };
}

/** The protocol's verdict; a fraud proof it finds is kept (and the payer refused from now on). */
async function verify(
  db: AppDb,
  till: Till,
  opened: Uint8Array,
  records: readonly LedgerRecord[],
  request: StoredRequest | undefined,
  now: number,
): Promise<AcceptedPayment> {
  const byId = new Map(records.map((r) => [toHex(r.paymentId), r.index]));
  const revoked = await revokedSerials(db, till);
  try {
    return verifyOpenedPayment(opened, {
      payee: { kid: till.kid, kemSecretKey: till.kemSecret, currency: till.cert.currency },
      bankKeys: till.bankKeys,
      now,
      isRevoked: (serial) => revoked.has(serial),
      // A paid request stays resolvable, so a second copy of its payment reads as a duplicate.
      request: request ? toOpenRequest(request) : undefined,
      findAccepted: (idHex) => byId.get(idHex),
      paymentsBySerial: (serial) => paymentsBySerial(records, serial),
    });
  } catch (e) {
    if (isAppError(e) && e.code.startsWith('PROTO_FRAUD_')) await keepFraudProof(db, e, now);
    throw e;
  }
}

function* paymentsBySerial(records: readonly LedgerRecord[], serial: number): Iterable<Payment> {
  for (const r of records) if (r.payerSerial === serial) yield decodePayment(r.payment);
}

function checkRequest(request: StoredRequest | undefined): asserts request is StoredRequest {
  if (!request) throw new AppError('APP_REQUEST_UNKNOWN');
  if (request.status === 'paid') {
    throw new AppError(
      'APP_REQUEST_UNKNOWN',
      `This request was already paid (ledger #${request.paidIndex ?? '?'}); make a new request.`,
      { paidIndex: request.paidIndex },
    );
  }
}

async function checkCap(
  db: AppDb,
  till: Till,
  records: readonly LedgerRecord[],
  payment: Payment,
): Promise<void> {
  const cap = await payerCap(db);
  if (cap === undefined) return;
  const currency = till.cert.currency;
  let total = Money.of(payment.amount, currency);
  for (const r of records) {
    if (r.payerSerial === payment.serial) total = total.plus(Money.of(r.amount, currency));
  }
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
