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
  rememberBankTime,
  AppError,
  isBankRefusal,
  entryReason,
  isSignedOut,
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
  return entryReason(code);
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
 * The results shown per batch: a live event's lines are provisional until the signed result's
 * replace them; a batch the signed result never confirmed is taken back at the end.
 */
class ResultLines {
  readonly #expecting = new Map<string, LedgerRecord[]>();
  readonly #provisional = new Set<string>();
  readonly #final = new Set<string>();

  constructor(
    private readonly till: Till,
    private readonly report: (p: SettleProgress) => void,
  ) {}

  expect(built: BuiltBatch): void {
    this.#expecting.set(built.batchKey, built.records);
  }

  live(batchKey: string, results: readonly SettledEntry[]): void {
    const records = this.#expecting.get(batchKey);
    if (!records || this.#final.has(batchKey)) return;
    this.#provisional.add(batchKey);
    const lines = liveLines(this.till, records, results);
    this.report({ kind: 'results', batchKey, lines, final: false });
  }

  final(batchKey: string, lines: OutcomeLine[]): void {
    this.#final.add(batchKey);
    this.#provisional.delete(batchKey);
    this.report({ kind: 'results', batchKey, lines, final: true });
  }

  takeBackUnconfirmed(): void {
    for (const batchKey of [...this.#provisional]) this.final(batchKey, []);
  }
}

/**
 * Opens the live event stream. A stream the bank refuses is reported and settling goes on
 * (posting a batch needs no login); an unreachable bank is thrown at once, before anything is
 * sealed, sent or remembered.
 */
async function openLive(
  bank: BankClient,
  token: string,
  till: Till,
  lines: ResultLines,
  signal: AbortSignal,
  summary: SettleSummary,
  report: (p: SettleProgress) => void,
): Promise<void> {
  try {
    await bank.events(token, till.kidHex, (e) => lines.live(e.batchKey, e.results), signal);
    report({ kind: 'status', text: 'Following the bank live' });
  } catch (e) {
    if (!isBankRefusal(e)) throw e;
    summary.live = false;
    summary.signedOut = isSignedOut(e);
    report({ kind: 'status', text: 'Live updates unavailable: waiting for the bank’s answer' });
  }
}

/**
 * Settles every unsettled entry. `report` receives the status lines and each batch's results:
 * the live event's as they come (provisional), then always the verified signed result's (see
 * SettleProgress). When the bank cannot be reached at all, nothing is sealed or sent.
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
  const lines = new ResultLines(till, report);
  const summary: SettleSummary = { batches: 0, entries: 0, live: true, signedOut: false };
  await openLive(bank, token, till, lines, controller.signal, summary, report);
  try {
    const tried = new Set<string>();
    // Each round settles a batch or sets a stale one aside: this bounds the loop.
    const waiting = (await unsettled(db, till)).records.length;
    const rounds = (await pendingBatches(db)).length + Math.ceil(waiting / LIMITS.batchEntries);
    for (let round = 0; round < rounds; round++) {
      const settled = await settleOne(db, till, bank, { tried, lines, report, nowMs });
      if (settled === undefined) break;
      if (settled === 0) continue;
      summary.batches++;
      summary.entries += settled;
    }
  } finally {
    controller.abort();
    lines.takeBackUnconfirmed();
  }
  return summary;
}

/**
 * One round: the next batch sealed, remembered, posted, its signed answer verified and applied.
 * Returns how many entries settled, 0 for a stale batch set aside, undefined when none is left.
 */
async function settleOne(
  db: TillDb,
  till: Till,
  bank: BankClient,
  run: {
    tried: Set<string>;
    lines: ResultLines;
    report: (p: SettleProgress) => void;
    nowMs: number;
  },
): Promise<number | undefined> {
  const { from, records } = await unsettled(db, till);
  if (records.length === 0) return undefined;
  const next = await nextBatch(db, till, from, records, run.tried);
  run.lines.expect(next.built);
  const n = next.built.records.length;
  // Remembered before it leaves: if the answer is lost, the same batch is posted again.
  if (!next.pending) await rememberPending(db, [next.built], Math.floor(run.nowMs / 1000));
  run.report({ kind: 'status', text: `Sending ${n} payment${n === 1 ? '' : 's'} to the bank…` });
  const answer = await bank.settle(next.built.sealed).catch((e: unknown) => {
    // An exported batch someone else's later batch overtook: set aside.
    if (next.pending && isAppError(e, 'BANK_BATCH_NOT_CONTINUOUS')) return undefined;
    throw e;
  });
  if (!answer) {
    run.tried.add(next.built.batchKey);
    return 0;
  }
  const result = verifyAnswer(answer, till);
  if (result.fromIndex !== from.nextIndex) throw new AppError('APP_BANK_RESPONSE');
  // The result's signed settlement time raises the clock floor (@offpay/app-kit clock.ts).
  await rememberBankTime(db, result.settledAt);
  const applied = await applySettlement(db, till, result);
  if (!applied) throw new AppError('APP_BANK_RESPONSE');
  run.report({ kind: 'status', text: 'The bank answered' });
  // Matched to the ledger by index and payment id when applied: these are the final words.
  const words = applied.outcomes.map(({ index, amount, status, code }) => {
    return { index, amount, status, text: describeOutcome(status, code) };
  });
  run.lines.final(next.built.batchKey, words);
  return n;
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
