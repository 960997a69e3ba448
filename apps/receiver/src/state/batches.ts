/**
 * Settlement batches (docs/protocol.md §9–10): the run of the ledger after the settled head,
 * signed and sealed to the bank's KEM key, in batches of at most LIMITS.batchEntries; the
 * batches exported as files and still waiting for an answer; and applying the bank's signed
 * result, which moves the settled head and records each entry's outcome in one write.
 */
import { equalBytes, toHex } from '@offpay/crypto';
import {
  decodeSettlementResult,
  encodeFile,
  encodeSettlementBatch,
  LIMITS,
  Money,
  sealSettlementBatch,
  signSettlementBatch,
  verifySettlementResult,
  type LedgerHead,
  type SettlementBatch,
  type SettlementResult,
} from '@offpay/protocol';
import { AppError, fileDay, type SettlementAnswer } from '@offpay/app-kit';
import {
  META,
  type EntryOutcome,
  type LedgerRecord,
  type PendingBatch,
  type TillDb,
} from '../db.js';
import { paymentsOf, readLedger, recordsAfter } from './ledger.js';
import { readHead, withTillLock, type Till } from './till.js';

/** A signed, sealed batch and the records it carries. */
export interface BuiltBatch {
  batch: SettlementBatch;
  batchKey: string;
  sealed: Uint8Array;
  records: LedgerRecord[];
  /** Where the next batch continues from. */
  next: LedgerHead;
}

/** The settled head and the ledger records after it (checked to continue from it). */
export async function unsettled(
  db: TillDb,
  till: Till,
): Promise<{ from: LedgerHead; records: LedgerRecord[] }> {
  const from = await readHead(db, META.settledHead, till);
  return { from, records: recordsAfter(await readLedger(db, from.nextIndex), from) };
}

/** Signs and seals one batch of `records`, which continue from `from`. */
export function buildBatch(
  till: Till,
  from: LedgerHead,
  records: readonly LedgerRecord[],
): BuiltBatch {
  const batch = signSettlementBatch(
    { payeeKid: till.kid, from, payments: paymentsOf(records) },
    till.signSecret,
  );
  return {
    batch,
    batchKey: toHex(batch.batchKey),
    sealed: sealSettlementBatch(encodeSettlementBatch(batch), till.bankKemKey),
    records: [...records],
    next: { nextIndex: from.nextIndex + records.length, head: batch.head },
  };
}

/** Every batch needed for `records`, in order, each at most LIMITS.batchEntries long. */
export function buildBatches(
  till: Till,
  from: LedgerHead,
  records: readonly LedgerRecord[],
): BuiltBatch[] {
  const out: BuiltBatch[] = [];
  let at = from;
  for (let i = 0; i < records.length; i += LIMITS.batchEntries) {
    const built = buildBatch(till, at, records.slice(i, i + LIMITS.batchEntries));
    out.push(built);
    at = built.next;
  }
  return out;
}

/** The batches still waiting for the bank's answer, in ledger order. */
export async function pendingBatches(db: TillDb): Promise<PendingBatch[]> {
  return (await db.all('batches')).sort((a, b) => a.fromIndex - b.fromIndex);
}

/** Adds batches to the pending list (once each: keyed by batch key). */
export function rememberPending(
  db: TillDb,
  built: readonly BuiltBatch[],
  now: number,
): Promise<void> {
  return db.write(
    built.map((b) => ({
      put: 'batches' as const,
      value: {
        batchKey: b.batchKey,
        fromIndex: b.next.nextIndex - b.records.length,
        count: b.records.length,
        createdAt: now,
      },
    })),
  );
}

/** An exported batch file. */
export interface BatchFile {
  fileName: string;
  text: string;
  entries: number;
  total: Money;
  batchKey: string;
}

/**
 * Builds the batch files for every unsettled entry (works offline) and remembers them as
 * pending. Exporting again before the bank answers gives the same batch keys for the same
 * entries, so the bank settles each entry once whichever copy arrives.
 */
export async function exportBatches(db: TillDb, till: Till, nowMs: number): Promise<BatchFile[]> {
  const { from, records } = await unsettled(db, till);
  const built = buildBatches(till, from, records);
  if (built.length === 0) return [];
  const now = Math.floor(nowMs / 1000);
  await rememberPending(db, built, now);
  const day = fileDay(new Date(nowMs));
  return built.map((b, i) => {
    const total = b.records.reduce(
      (sum, r) => sum.plus(Money.of(r.amount, till.cert.currency)),
      Money.of(0, till.cert.currency),
    );
    const suffix = built.length > 1 ? `-${i + 1}` : '';
    return {
      fileName: `offpay-batch-${day}${suffix}.json`,
      text: encodeFile('settlement-batch', b.sealed, {
        entries: b.records.length,
        payee: till.cert.displayName,
        total: total.toString(),
      }),
      entries: b.records.length,
      total,
      batchKey: b.batchKey,
    };
  });
}

/**
 * The bank's answer, trusted only through its signed result: verified under the pinned keys and
 * naming this till. @throws AppError APP_BANK_RESPONSE; PROTO_UNKNOWN_ISSUER, PROTO_SIGNATURE_INVALID
 */
export function verifyAnswer(answer: SettlementAnswer, till: Till): SettlementResult {
  if (!answer.signed) throw new AppError('APP_BANK_RESPONSE');
  let result: SettlementResult;
  try {
    result = decodeSettlementResult(answer.signed);
  } catch {
    throw new AppError('APP_BANK_RESPONSE');
  }
  verifySettlementResult(result, till.bankKeys);
  if (!equalBytes(result.payeeKid, till.kid)) throw new AppError('APP_BANK_RESPONSE');
  return result;
}

/** What applying a result changed. */
export interface AppliedSettlement {
  outcomes: (EntryOutcome & { amount: Money })[];
  head: LedgerHead;
}

/**
 * Applies a verified result that continues from the settled head: every entry's outcome and the
 * new settled head in one write; the batch leaves the pending list. Holds the till lock, the
 * settled head read under it. Returns undefined for a result already applied (or not continuing
 * from the settled head).
 * @throws AppError APP_BANK_RESPONSE when the result does not match the ledger
 */
export function applySettlement(
  db: TillDb,
  till: Till,
  result: SettlementResult,
): Promise<AppliedSettlement | undefined> {
  return withTillLock(() => applyLocked(db, till, result));
}

async function applyLocked(
  db: TillDb,
  till: Till,
  result: SettlementResult,
): Promise<AppliedSettlement | undefined> {
  const { from, records } = await unsettled(db, till);
  if (result.fromIndex !== from.nextIndex) return undefined;
  const n = result.results.length;
  const covered = records.slice(0, n);
  const matches =
    n >= 1 &&
    covered.length === n &&
    result.results.every(
      (r, i) => r.index === from.nextIndex + i && equalBytes(r.paymentId, covered[i]!.paymentId),
    ) &&
    equalBytes(result.head, covered[n - 1]!.entryHash);
  if (!matches) throw new AppError('APP_BANK_RESPONSE');
  const batchKey = toHex(result.batchKey);
  const outcomes = result.results.map((r, i) => ({
    index: r.index,
    status: r.status,
    code: r.status === 'rejected' ? r.code : '',
    settledAt: result.settledAt,
    batchKey,
    amount: Money.of(covered[i]!.amount, till.cert.currency),
  }));
  const head = { nextIndex: from.nextIndex + n, head: result.head };
  // This batch and any other one starting before the new settled head can no longer be answered.
  const done = (await pendingBatches(db)).filter(
    (p) => p.batchKey === batchKey || p.fromIndex < head.nextIndex,
  );
  await db.write([
    ...outcomes.map(({ amount: _amount, ...o }) => ({ put: 'outcomes' as const, value: o })),
    { put: 'meta', key: META.settledHead, value: head },
    ...done.map((p) => ({ delete: 'batches' as const, key: p.batchKey })),
  ]);
  return { outcomes, head };
}
