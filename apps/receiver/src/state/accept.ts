/**
 * Accepting a payment (DESIGN.md §4 "Offline checks by the receiver"): the protocol's offline
 * verdict against this till's ledger, the request on screen, revocations and the limit per
 * customer, then the write that appends the ledger entry, moves the head, marks the request paid
 * and keeps the receipt — reads, checks and write in ONE IndexedDB transaction, so a payment is
 * never half-recorded (and a slow phone pays for one transaction, not ten). The checks read by index, never
 * the whole ledger nor all of a payer's entries: the `paymentId` index (a duplicate), the payer's
 * summary (its total, for the limit per customer) and, by the payer indexes, only the earlier
 * entries fraud detection could flag (`payerReads`).
 *
 * Two tabs never write the same ledger index without any lock: IndexedDB runs readwrite
 * transactions over the same stores one after the other, so the second reads the head the first
 * wrote. Every other writer of what an accept reads (a new request, a fraud proof) is one
 * transaction too. Only the switch of a ledger takeover (handover.ts) checks and writes apart, under
 * the till lock: while a takeover is under way, an accept takes that lock as well.
 */
import { equalBytes, toHex, type VerifyFn } from '@offpay/crypto';
import {
  appendToLedger,
  decodePayment,
  detectFraud,
  fail,
  isAppError,
  Money,
  openPaymentAsync,
  verifyOpenedPayment,
  type AcceptedPayment,
  type LedgerEntry,
  type LedgerHead,
  type Payment,
} from '@offpay/protocol';
import { AppError, bankTimeSettled, trustedNow, trustedNowIn, type DbTx } from '@offpay/app-kit';
import {
  META,
  type LedgerRecord,
  summaryWith,
  type PayerSummary,
  type StoredRequest,
  type TillDb,
  type TillReads,
  type tillSchema,
} from '../db.js';
import { keepFraudProof } from './fraud.js';
import { findRequest } from './requests.js';
import { receiptFor, rememberHead, signAhead } from './receipts.js';
import { paymentVerifier } from './signatures.js';
import { payerCap, readHead, revocationCheck, withTillLock, type Till } from './till.js';

type TillTx = DbTx<typeof tillSchema.stores>;

/** An accepted payment: its ledger record and the signed receipt's bytes. */
export interface Accepted {
  record: LedgerRecord;
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
  db: TillDb,
  till: Till,
  requestId: Uint8Array,
  sealed: Uint8Array,
  deviceNowMs?: number,
): Promise<Accepted> {
  // The seal is opened once, with the platform's native ECDH where it has one, and the
  // signatures are verified natively before the one transaction opens (WebCrypto cannot be
  // awaited inside it). The reads, checks and the write are then one transaction. The opened
  // bytes are decoded once, here, for the verifier, the reads and the check (bytes that do not
  // decode are refused inside the transaction, in the order of the checks).
  const opened = await openPaymentAsync(sealed, till.kemSecret, till.kid);
  const decoded = decodeOrError(opened);
  const verifier = await paymentVerifier(
    opened,
    till.bankKeys,
    'payment' in decoded ? decoded.payment : undefined,
  );
  const attempt: Attempt = { db, till, requestId, opened, decoded, verifier, deviceNowMs };
  const take = (locked: boolean) => record(db, attempt, locked);
  try {
    return await take(false);
  } catch (e) {
    if (e !== TAKEOVER_UNDER_WAY) throw e;
    return withTillLock(() => take(true));
  }
}

/** Thrown (and the transaction rolled back) by an accept without the lock during a takeover. */
const TAKEOVER_UNDER_WAY = new Error('a ledger takeover is under way');

/** One payment to accept: opened, decoded and its signatures' verifier ready, before the transaction. */
interface Attempt {
  db: TillDb;
  till: Till;
  requestId: Uint8Array;
  opened: Uint8Array;
  decoded: Decoded;
  verifier: VerifyFn;
  /** The device clock (tests set it). */
  deviceNowMs: number | undefined;
}

async function record(db: TillDb, attempt: Attempt, locked: boolean): Promise<Accepted> {
  await bankTimeSettled(db);
  try {
    const accepted = await db.transaction(['meta', 'ledger', 'payers', 'requests'], (tx) =>
      accept(tx, attempt, locked),
    );
    const { index, entryHash } = accepted.record;
    rememberHead(db, { nextIndex: index + 1, head: entryHash });
    return accepted;
  } catch (e) {
    // The transaction was rolled back; the proof is kept (and the payer refused) by a
    // transaction of its own.
    if (isAppError(e) && e.code.startsWith('PROTO_FRAUD_')) {
      await keepFraudProof(db, e, await trustedNow(db, attempt.deviceNowMs));
    }
    throw e;
  }
}

async function accept(tx: TillTx, attempt: Attempt, locked: boolean): Promise<Accepted> {
  const { db, till, requestId, opened, decoded, verifier } = attempt;
  const deviceNowMs = attempt.deviceNowMs ?? Date.now();
  // Every read in one transaction, issued at once (one round trip): no other tab moves the head
  // meanwhile. Refusals keep the order of the checks: clock, head, the payment's bytes, its rows.
  // The six meta singletons read (clock, current request, head, local and bank revocations, cap)
  // are one read of the meta store.
  tx.metaAtOnce();
  const reads = Promise.allSettled([
    tx.get('meta', META.handover),
    trustedNowIn(tx, deviceNowMs),
    findRequest(tx, requestId),
    readHead(tx, META.ledgerHead, till),
    revocationCheck(tx, till),
    payerCap(tx),
    tx.last('ledger'),
    payerReads(tx, decoded),
  ] as const);
  // While the browser runs them, the receipt is signed for the head this tab wrote last
  // (receipts.ts); it is used only if the reads find that head and the checks pass.
  const ahead =
    'payment' in decoded
      ? signAhead(db, till, decoded.payment.paymentId, Math.floor(deviceNowMs / 1000))
      : undefined;
  const [takeover, time, shown, stored, revoked, limit, tail, payer] = await reads;
  // A takeover's switch clears the ledger once it is settled to its end: taken under the lock.
  if (!locked && settledValue(takeover) !== undefined) throw TAKEOVER_UNDER_WAY;
  const now = settledValue(time);
  const found = settledValue(shown);
  const head = settledValue(stored);
  const [isRevoked, cap] = [settledValue(revoked), settledValue(limit)];
  checkHead(head, settledValue(tail));
  if ('error' in decoded) throw decoded.error;
  const { payment } = decoded;
  const { duplicate, summary, nearby } = settledValue(payer);
  const accepted = verify(
    till,
    opened,
    payment,
    { now, isRevoked, duplicate, nearby },
    found,
    verifier,
  );
  const request = checkPayable(found);
  checkCap(till, cap, summary, accepted.payment);
  const { entry, head: next } = appendToLedger(head, accepted.payment, accepted.bytes);
  const receipt = receiptFor(till, entry, now, ahead);
  const record = recordOf(till, entry, accepted.payment, request.memo, now, receipt);
  await tx.write([
    { put: 'ledger', value: record },
    { put: 'payers', value: summaryWith(summary, record) },
    { put: 'meta', key: META.ledgerHead, value: next },
    { put: 'requests', value: { ...request, status: 'paid', paidIndex: entry.index } },
  ]);
  return { record, receiptBytes: record.receipt, amount: Money.of(record.amount, record.currency) };
}

/** The value of a settled read, or its error thrown (reads are settled first, thrown in order). */
function settledValue<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

/** The opened bytes decoded, or why they do not decode (thrown where the checks refuse them). */
type Decoded = { payment: Payment } | { error: Error };

function decodeOrError(opened: Uint8Array): Decoded {
  try {
    return { payment: decodePayment(opened) };
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/** What the checks of a payment read of its payer (payerReads). */
interface PayerRows {
  /** The entry of this very payment, if it was accepted before. */
  duplicate: LedgerRecord[];
  /** The payer's summary; undefined before its first entry here. */
  summary: PayerSummary | undefined;
  /** The payer's earlier entries fraud detection could flag against the payment, by index. */
  nearby: LedgerRecord[];
}

const NONE: PayerRows = { duplicate: [], summary: undefined, nearby: [] };

/**
 * The rows the checks of a payment read: the payment by its id (a duplicate), its payer's summary,
 * and every earlier entry of the payer that could conflict with it — and no other. Nothing to read
 * for bytes that did not decode (they are refused first).
 *
 * An earlier entry E conflicts with the payment P only if (detectFraud, docs/protocol.md §8):
 * (a) E.counter ≥ P.counter − 1 (equivocation, a fork between consecutive counters, anything
 * against a later counter); (b) E.paymentId = P.prev or (c) E.prev = P.paymentId (a fork by link);
 * or (d) E.spent > P.spent − P.amount (understated). (b) and (c) are read with the first requests;
 * (a) and (d) only when the summary says such entries exist beyond the one (b) found — for an honest
 * payer, never. So the verdict and its proof are those of comparing all the payer's entries.
 * @throws PROTO_LEDGER_BROKEN when an entry read is damaged or does not match the summary
 */
async function payerReads(tx: TillReads, decoded: Decoded): Promise<PayerRows> {
  if ('error' in decoded) return NONE;
  const { paymentId, serial, counter, prev, spent, amount } = decoded.payment;
  const [duplicate, summary, ...linked] = await Promise.all([
    tx.byIndex('ledger', 'paymentId', paymentId),
    tx.get('payers', serial),
    tx.counted('ledger', prev, 'paymentId'), // (b)
    tx.counted('ledger', [serial, paymentId] as unknown as IDBValidKey, 'payerPrev'), // (c)
  ]);
  const mine = (rows: LedgerRecord[]) => rows.filter((r) => r.payerSerial === serial);
  const found = linked.flatMap(({ rows }) => mine(rows));
  if (!summary) {
    if (found.length > 0 || linked.some((r) => r.rows.length !== r.stored)) broken(serial);
    return { duplicate, summary, nearby: [] };
  }
  const from = (low: number, index: string) =>
    tx.counted('ledger', IDBKeyRange.bound([serial, low], [serial, Infinity], true), index);
  const more = await Promise.all([
    needsCounters(summary, counter, found) ? from(counter - 2, 'payerCounter') : undefined, // (a)
    summary.maxSpent > spent - amount ? from(spent - amount, 'payerSpent') : undefined, // (d)
  ]);
  const reads = [...linked, ...more.filter((r) => r !== undefined)];
  if (reads.some((r) => r.rows.length !== r.stored)) broken(serial);
  const byIndex = new Map<number, LedgerRecord>();
  for (const r of reads.flatMap(({ rows }) => mine(rows))) byIndex.set(r.index, r);
  return { duplicate, summary, nearby: [...byIndex.values()].sort((x, y) => x.index - y.index) };
}

/**
 * Whether the payer's entries with a counter ≥ `counter` − 1 must be read: unless it has none, or
 * exactly one — at `counter` − 1 — and it is among the entries already read.
 */
function needsCounters(summary: PayerSummary, counter: number, read: LedgerRecord[]): boolean {
  if (summary.maxCounter < counter - 1) return false;
  const onlyOne = summary.maxCounter === counter - 1 && summary.atMaxCounter === 1;
  return !(onlyOne && read.some((r) => r.counter === counter - 1));
}

function broken(serial: number): never {
  return fail('PROTO_LEDGER_BROKEN', `an entry of payer ${serial} is unreadable`, { serial });
}

/** The ledger record of an accepted payment, with the receipt the till signed for it. */
function recordOf(
  till: Till,
  entry: LedgerEntry,
  p: Payment,
  memo: string,
  now: number,
  receipt: Uint8Array,
): LedgerRecord {
  return {
    ...entry,
    amount: p.amount,
    currency: till.cert.currency,
    payerSerial: p.serial,
    counter: p.counter,
    spent: p.spent,
    prev: p.prev,
    memo,
    acceptedAt: now,
    status: 'accepted',
    receipt,
  };
}

/**
 * Checks that the stored head is the one the ledger's last entry leads to, and that no entry is
 * stored at or after the next index — from the last entry alone, whatever the ledger's length.
 * @throws PROTO_LEDGER_BROKEN
 */
function checkHead({ nextIndex, head }: LedgerHead, last: LedgerRecord | undefined): void {
  const matches =
    nextIndex === 0
      ? last === undefined
      : last !== undefined && last.index === nextIndex - 1 && equalBytes(last.entryHash, head);
  if (!matches)
    fail('PROTO_LEDGER_BROKEN', 'the ledger head does not match its last entry', {
      index: nextIndex,
    });
}

/** What the protocol's check reads from the till's storage, read beforehand. */
interface Reads {
  now: number;
  isRevoked: (serial: number) => boolean;
  duplicate: LedgerRecord[];
  nearby: LedgerRecord[];
}

/**
 * The protocol's verdict, with the payer's earlier entries that could conflict with the payment
 * already read (payerReads), and only those that do conflict decoded. A fraud error is
 * thrown as it is (acceptPayment keeps its proof once this transaction is rolled back).
 */
function verify(
  till: Till,
  opened: Uint8Array,
  payment: Payment,
  { now, isRevoked, duplicate, nearby }: Reads,
  found: Awaited<ReturnType<typeof findRequest>>,
  verifier: VerifyFn,
): AcceptedPayment {
  const request = found?.request;
  const idHex = toHex(payment.paymentId);
  return verifyOpenedPayment(
    opened,
    {
      payee: { kid: till.kid, kemSecretKey: till.kemSecret, currency: till.cert.currency },
      bankKeys: till.bankKeys,
      now,
      isRevoked,
      // The protocol checks the duplicate first, then that the payment answers this request.
      request: request && {
        requestId: request.requestId,
        amount: request.amount,
        expiresAt: request.expiresAt,
      },
      findAccepted: (id: string) => (id === idHex ? duplicate[0]?.index : undefined),
      paymentsBySerial: (serial: number) =>
        serial === payment.serial ? conflicting(nearby, payment) : [],
      // Verdicts found by WebCrypto before the transaction (signatures.ts).
      verifier,
    },
    payment,
  );
}

/**
 * The payer's earlier payments that fraud detection would flag against `payment`, in ledger
 * order, decoded — usually none. The protocol checks each again; every other earlier payment
 * would pass its check, so leaving them out changes no verdict. @throws PROTO_LEDGER_BROKEN for an entry that is not
 * the payment it describes
 */
function conflicting(earlier: readonly LedgerRecord[], payment: Payment): Payment[] {
  return earlier
    .filter((r) => detectFraudOf(r, payment))
    .map((r) => {
      const decoded = decodePayment(r.payment);
      if (!equalBytes(decoded.paymentId, r.paymentId)) {
        return fail('PROTO_LEDGER_BROKEN', `ledger entry ${r.index} was altered`, {
          index: r.index,
        });
      }
      return decoded;
    });
}

function detectFraudOf(r: LedgerRecord, payment: Payment): boolean {
  const link = {
    serial: r.payerSerial,
    counter: r.counter,
    spent: r.spent,
    amount: r.amount,
    paymentId: r.paymentId,
    prev: r.prev,
  };
  return detectFraud(link, payment) !== null;
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

/**
 * Checks the payer's total with this payment (from its summary) against the limit per customer.
 * @throws AppError APP_PAYER_CAP_EXCEEDED
 */
function checkCap(
  till: Till,
  cap: number | undefined,
  summary: PayerSummary | undefined,
  payment: Payment,
): void {
  const total = (summary?.total ?? 0) + payment.amount;
  if (cap !== undefined && total > cap) {
    throw new AppError('APP_PAYER_CAP_EXCEEDED', undefined, {
      capMinor: String(cap),
      totalMinor: String(total),
      currency: till.cert.currency,
    });
  }
}
