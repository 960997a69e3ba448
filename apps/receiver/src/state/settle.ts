/**
 * Settling online (DESIGN.md §5): live events open first, then each batch from the settled head
 * is sealed, posted and answered. Batches exported earlier are posted again first (same batch
 * key: the bank answers with its stored result if someone already carried the file), so every
 * entry settles exactly once. Only the bank-signed result changes what the till stores; the live
 * event only shows the outcome sooner, and its lines are always redrawn from the signed result.
 */
import { toHex } from '@offpay/crypto';
import { isAppError, LIMITS, Money, type LedgerHead } from '@offpay/protocol';
import {
  AppError,
  isBankRefusal,
  isSignedOut,
  plainReason,
  type BankClient,
  type SettledEntry,
} from '@offpay/app-kit';
import type { EntryOutcome, LedgerRecord, TillDb } from '../db.js';
import {
  applySettlement,
  buildBatch,
  pendingBatches,
  rememberPending,
  unsettled,
  verifyAnswer,
  type BuiltBatch,
} from './batches.js';
import type { Till } from './till.js';

/** One entry's outcome in plain words. */
export interface OutcomeLine {
  index: number;
  amount: Money;
  status: EntryOutcome['status'];
  text: string;
}

/**
 * What settling reports as it goes. A batch's `results` replace any reported before for the same
 * batch: first (maybe) the live event's, `final: false`, unsigned and only provisional; then
 * always the lines of the bank-signed result once applied, `final: true` — or, when no signed
 * result was applied (an error), `final: true` with no lines: nothing is confirmed.
 */
export type SettleProgress =
  | { kind: 'status'; text: string }
  | { kind: 'results'; batchKey: string; lines: OutcomeLine[]; final: boolean };

/** The plain words for an entry's outcome. */
export function describeOutcome(status: EntryOutcome['status'], code: string): string {
  if (status === 'settled') return 'Settled';
  if (status === 'duplicate') return 'Already settled earlier';
  return plainReason(code);
}

/** What a settlement run did. */
export interface SettleSummary {
  batches: number;
  entries: number;
  /** False when the live event stream could not be opened. */
  live: boolean;
  /** True when the bank refused the token (sign in again for live updates). */
  signedOut: boolean;
}

/**
 * Settles every unsettled entry. `report` receives the status lines and each batch's results:
 * the live event's as they come (provisional), then always the verified signed result's (see
 * SettleProgress). A live stream the bank refuses is reported and settling goes on (posting a
 * batch needs no login); when the bank cannot be reached at all, nothing is sealed or sent.
 * @throws AppError APP_OFFLINE, APP_BANK_RESPONSE; BankRefusal (the bank's refusal);
 *   ProtocolError PROTO_LEDGER_* for a damaged ledger, PROTO_SIGNATURE_INVALID for a forged answer
 */
export async function settleNow(
  db: TillDb,
  till: Till,
  bank: BankClient,
  token: string,
  report: (p: SettleProgress) => void,
  nowMs: number = Date.now(),
): Promise<SettleSummary> {
  const controller = new AbortController();
  const expecting = new Map<string, LedgerRecord[]>();
  const provisional = new Set<string>();
  const settled = new Set<string>();
  const showLive = (batchKey: string, results: readonly SettledEntry[]): void => {
    const records = expecting.get(batchKey);
    if (!records || settled.has(batchKey)) return;
    provisional.add(batchKey);
    report({ kind: 'results', batchKey, lines: liveLines(till, records, results), final: false });
  };
  const showFinal = (batchKey: string, lines: OutcomeLine[]): void => {
    settled.add(batchKey);
    provisional.delete(batchKey);
    report({ kind: 'results', batchKey, lines, final: true });
  };
  const summary: SettleSummary = { batches: 0, entries: 0, live: true, signedOut: false };
  try {
    await bank.events(
      token,
      till.kidHex,
      (e) => showLive(e.batchKey, e.results),
      controller.signal,
    );
    report({ kind: 'status', text: 'Following the bank live' });
  } catch (e) {
    // Unreachable: say so alone, and leave the ledger as it was (nothing "sent", nothing pending).
    if (!isBankRefusal(e)) throw e;
    // Live events only show outcomes sooner: the bank's signed answer comes back either way.
    summary.live = false;
    summary.signedOut = isSignedOut(e);
    report({ kind: 'status', text: 'Live updates unavailable: waiting for the bank’s answer' });
  }
  try {
    const tried = new Set<string>();
    // Each round settles a batch or sets a stale exported one aside: this bounds the loop.
    const waiting = (await unsettled(db, till)).records.length;
    const rounds = (await pendingBatches(db)).length + Math.ceil(waiting / LIMITS.batchEntries);
    for (let round = 0; round < rounds; round++) {
      const { from, records } = await unsettled(db, till);
      if (records.length === 0) break;
      const next = await nextBatch(db, till, from, records, tried);
      expecting.set(next.built.batchKey, next.built.records);
      const n = next.built.records.length;
      // Remembered before it leaves: if the answer is lost, the same batch is posted again.
      if (!next.pending) await rememberPending(db, [next.built], Math.floor(nowMs / 1000));
      report({ kind: 'status', text: `Sending ${n} payment${n === 1 ? '' : 's'} to the bank…` });
      const answer = await bank.settle(next.built.sealed).catch((e: unknown) => {
        if (next.pending && isAppError(e, 'BANK_BATCH_NOT_CONTINUOUS')) return undefined;
        throw e;
      });
      if (!answer) {
        tried.add(next.built.batchKey);
        continue;
      }
      const result = verifyAnswer(answer, till);
      if (result.fromIndex !== from.nextIndex) throw new AppError('APP_BANK_RESPONSE');
      const applied = await applySettlement(db, till, result);
      if (!applied) throw new AppError('APP_BANK_RESPONSE');
      report({ kind: 'status', text: 'The bank answered' });
      // Matched to the ledger by index and payment id when applied: these are the final words.
      showFinal(
        next.built.batchKey,
        applied.outcomes.map((o) => ({
          index: o.index,
          amount: o.amount,
          status: o.status,
          text: describeOutcome(o.status, o.code),
        })),
      );
      summary.batches++;
      summary.entries += n;
    }
  } finally {
    controller.abort();
    // A live answer the signed result never confirmed is taken back.
    for (const batchKey of [...provisional]) showFinal(batchKey, []);
  }
  return summary;
}

/** The next batch: one handed out before that continues from the settled head, else a new one. */
async function nextBatch(
  db: TillDb,
  till: Till,
  from: LedgerHead,
  records: readonly LedgerRecord[],
  tried: Set<string>,
): Promise<{ built: BuiltBatch; pending: boolean }> {
  for (const p of await pendingBatches(db)) {
    if (p.fromIndex !== from.nextIndex || tried.has(p.batchKey) || p.count > records.length) {
      continue;
    }
    const built = buildBatch(till, from, records.slice(0, p.count));
    // The same entries from the same head always give the same key; anything else is stale.
    if (built.batchKey === p.batchKey) return { built, pending: true };
    tried.add(p.batchKey);
  }
  return { built: buildBatch(till, from, records.slice(0, LIMITS.batchEntries)), pending: false };
}

/** The live event's lines: each result matched to an expected record by index and payment id. */
function liveLines(
  till: Till,
  records: readonly LedgerRecord[],
  results: readonly SettledEntry[],
): OutcomeLine[] {
  const lines: OutcomeLine[] = [];
  for (const r of results) {
    const record = records.find((x) => x.index === r.index && toHex(x.paymentId) === r.paymentId);
    if (!record) continue;
    lines.push({
      index: record.index,
      amount: moneyOf(till, record.amount),
      status: r.status,
      text: describeOutcome(r.status, r.code),
    });
  }
  return lines;
}

const moneyOf = (till: Till, minor: number): Money => Money.of(minor, till.cert.currency);
