/**
 * Phase 5 of a batch, record (docs/protocol.md §10), inside the batch's one transaction: the
 * bank-signed result, the payment rows, money in at most two balanced transfers (per chunk of
 * sources), the payee's new head and the audit line — ONE statement (`recordSettled`) — then fraud
 * proofs stored once with the cheating certificate revoked (rare) and the webhook event. All of it
 * commits or none of it does.
 */
import { equalBytes, toHex } from '@offpay/crypto';
import {
  decodePayment,
  encodeSettlementResult,
  makeFraudProof,
  signSettlementResult,
  type Payment,
  type ProtoErrorCode,
  type SettlementBatch,
} from '@offpay/protocol';
import type { Queryable } from '../../db/queryable.js';
import { afterCommit } from '../../kv/after-commit.js';
import { unixSeconds } from '../../time.js';
import { MAX_LEGS } from '../accounts/accounts.domain.js';
import type { TransferRows } from '../accounts/accounts.repo.js';
import { protocolSigner } from '../keys/keys.signer.js';
import type { SettlementDecision } from './settlement.domain.js';
import type { SettleOutcome, SettlementDeps } from './settlement.ports.js';
import * as repo from './settlement.repo.js';

/**
 * An entry whose payment did not decode (docs/protocol.md §9.3): rejected with its decoding code
 * before any other check, known by its paymentId only.
 */
export interface UndecodedEntry {
  index: number;
  paymentId: Uint8Array;
  code: ProtoErrorCode;
}

/** What the transaction decided for a batch, to be recorded. */
export interface Decided {
  /** The batch, with the entries that decoded (`undecoded` holds the others). */
  batch: SettlementBatch;
  /** Entries rejected because their payment did not decode. */
  undecoded?: readonly UndecodedEntry[];
  payee: repo.PayeeRow;
  certs: repo.LockedCert[];
  decision: SettlementDecision;
  /** The bank clock the decision used. */
  now: Date;
  /** The settlement row's id, drawn under the payee's lock (`lockPayeeHead`). */
  settlementId: bigint;
}

/** Signs the result, and writes everything the batch moves. */
export async function recordSettlement(
  deps: SettlementDeps,
  tx: Queryable,
  d: Decided,
): Promise<SettleOutcome> {
  const { batch, payee, decision, now } = d;
  const undecoded = d.undecoded ?? [];
  const count = batch.entries.length + undecoded.length;
  const results = [
    ...decision.outcomes.map((o) => ({
      index: o.index,
      paymentId: o.payment.paymentId,
      status: o.status,
      code: o.code,
    })),
    ...undecoded.map((u) => ({ ...u, status: 'rejected' as const })),
  ].sort((a, b) => a.index - b.index);
  const result = signSettlementResult(
    {
      payeeKid: batch.payeeKid,
      batchKey: batch.batchKey,
      fromIndex: batch.fromIndex,
      results,
      head: batch.head,
      settledAt: unixSeconds(now),
    },
    protocolSigner(deps.keyring),
  );
  const signed = encodeSettlementResult(result);
  const { payments, transfers, settled } = await planMoney(deps, tx, d);
  // The result, payments, transfers, settled totals, head and the audit line on the payee's own
  // chain in ONE statement, under the payee's row lock: settlements of different payees never
  // wait for each other's audit line.
  await repo.recordSettled(tx, {
    settlementId: d.settlementId,
    payeeSerial: payee.serial,
    batchKey: batch.batchKey,
    result: signed,
    at: now,
    payments,
    transfers,
    head: { nextIndex: batch.fromIndex + count, head: batch.head },
    settled,
    audit: deps.audit.chained(payee.serial, {
      actor: `payee:${payee.serial}`,
      action: 'settlement',
      data: {
        batchKey: toHex(batch.batchKey),
        entries: count,
        settled: decision.outcomes.filter((o) => o.status === 'settled').length,
      },
    }),
  });
  // After the payment rows, which a proof may name: rare, one proof per cheating certificate.
  await recordFrauds(deps, tx, decision, batch);
  // In the batch's transaction: the event exists exactly when the batch committed (outbox).
  await deps.outbox?.enqueue(tx, { accountId: payee.accountId }, 'settlement.settled', {
    ...settledEvent(d, count),
    settledAt: now.toISOString(),
  });
  return { result, signed, replayed: false };
}

/**
 * The data of the settlement.settled webhook event (docs/webhooks.md): the batch, its counts, and
 * the payments that settled with their amounts. Amounts are decimal strings of minor units.
 */
function settledEvent(d: Decided, count: number) {
  const settled = d.decision.outcomes.filter((o) => o.status === 'settled');
  const duplicates = d.decision.outcomes.filter((o) => o.status === 'duplicate').length;
  const total = settled.reduce((sum, o) => sum + BigInt(o.payment.amount), 0n);
  return {
    batchKey: toHex(d.batch.batchKey),
    payeeSerial: String(d.payee.serial),
    currency: d.payee.currency,
    fromIndex: d.batch.fromIndex,
    entries: count,
    settledCount: settled.length,
    duplicateCount: duplicates,
    rejectedCount: count - settled.length - duplicates,
    totalMinor: total.toString(),
    payments: settled.map((o) => ({
      paymentId: toHex(o.payment.paymentId),
      amountMinor: String(o.payment.amount),
    })),
  };
}

/**
 * Rows and money for settled entries: the payments to insert, one or two balanced transfers
 * (per chunk of sources) checked by the accounts service, and what each certificate settled —
 * written by `recordSettled`. Nothing here is a round trip: every account was locked before.
 */
async function planMoney(
  deps: SettlementDeps,
  tx: Queryable,
  w: Decided,
): Promise<{ payments: Payment[]; transfers: TransferRows[]; settled: Map<number, bigint> }> {
  const totals = new Map<number, bigint>();
  const settled = w.decision.outcomes.filter((o) => o.status === 'settled' && o.movement);
  if (settled.length === 0) return { payments: [], transfers: [], settled: totals };
  const bySerial = new Map(w.certs.map((c) => [c.serial, c]));
  const fromReserve = new Map<string, bigint>();
  const fromAvailable = new Map<string, bigint>();
  for (const { movement: m } of settled) {
    const cert = bySerial.get(m!.serial)!;
    if (m!.fromReserve > 0n) add(fromReserve, cert.reserveAccountId!, m!.fromReserve);
    if (m!.fromAvailable > 0n) add(fromAvailable, cert.customerAccountId, m!.fromAvailable);
    totals.set(m!.serial, (totals.get(m!.serial) ?? 0n) + m!.fromReserve + m!.fromAvailable);
  }
  const reference = `batch:${w.settlementId}`;
  const transfers = [
    ...(await move(deps, tx, 'settlement', reference, fromReserve, w.payee.accountId)),
    ...(await move(deps, tx, 'recovery', reference, fromAvailable, w.payee.accountId)),
  ];
  return { payments: settled.map((o) => o.payment), transfers, settled: totals };
}

function add(map: Map<string, bigint>, key: string, amount: bigint): void {
  map.set(key, (map.get(key) ?? 0n) + amount);
}

/** Balanced transfers: every source account debited, the payee credited with the sum. */
async function move(
  deps: SettlementDeps,
  tx: Queryable,
  kind: 'settlement' | 'recovery',
  reference: string,
  sources: Map<string, bigint>,
  payeeAccountId: string,
): Promise<TransferRows[]> {
  // A payee paid by its own account (self-dealing beyond the reserve): recovery from oneself moves
  // nothing, so that source drops out; the payment still settles and its fraud proof is stored.
  const entries = [...sources].filter(([accountId]) => accountId !== payeeAccountId);
  // A batch may draw on up to 1,000 payers' reserves; a transfer takes at most MAX_LEGS legs, so
  // the sources go in chunks, each its own balanced transfer (reference suffixed by its chunk).
  const chunk = MAX_LEGS - 1;
  const out: TransferRows[] = [];
  for (let start = 0; start < entries.length; start += chunk) {
    let total = 0n;
    const legs = entries.slice(start, start + chunk).map(([accountId, amount]) => {
      total += amount;
      return { accountId, amount: -amount };
    });
    out.push(
      await deps.accounts.prepare(tx, {
        kind,
        reference: start === 0 ? reference : `${reference}:${start / chunk}`,
        legs: [...legs, { accountId: payeeAccountId, amount: total }],
      }),
    );
  }
  return out;
}

/**
 * Stores one fraud proof per cheating certificate and revokes it, in the same transaction; a
 * certificate already proven (earlier in this batch or before) stores nothing and raises no alert.
 */
async function recordFrauds(
  deps: SettlementDeps,
  tx: Queryable,
  decision: SettlementDecision,
  batch: SettlementBatch,
) {
  for (const f of decision.frauds) {
    const other =
      batch.entries.find((p) => equalBytes(p.paymentId, f.conflictingId)) ??
      (await storedPayment(tx, f.conflictingId));
    const proof = makeFraudProof(other, f.payment);
    const { id, stored } = await deps.recordFraudProof(tx, proof);
    if (!stored) continue;
    // Counted and logged at warn (an alert) by the observer: public data only, no payment bytes.
    // After COMMIT: a transaction rolled back (and retried) must not count its proofs.
    const info = {
      serial: f.serial,
      kind: proof.kind,
      paymentIds: [proof.first.paymentId, proof.second.paymentId] as [Uint8Array, Uint8Array],
      proofId: id,
    };
    await afterCommit(tx, () => Promise.resolve(deps.observer?.fraudProof?.(info)));
  }
}

async function storedPayment(tx: Queryable, paymentId: Uint8Array): Promise<Payment> {
  const bytes = await repo.paymentBytes(tx, paymentId);
  if (!bytes) throw new Error(`settled payment ${toHex(paymentId)} has no stored bytes`);
  return decodePayment(bytes);
}
