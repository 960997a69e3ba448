/**
 * SQL of settlement's record phase: the payment rows' parameters, prepared before the transaction,
 * and the ONE statement of data-modifying CTEs that writes everything a decided batch moves.
 */
import { encodePayment, type Payment } from '@offpay/protocol';
import type { Queryable } from '../../db/queryable.js';
import { named } from '../../db/statements.js';
import { StatementParams } from '../../db/values.js';
import type { ChainedAudit } from '../audit/audit.service.js';
import { transferWrites, type TransferRows } from '../accounts/accounts.repo.js';

/** A payment's column values, as the insert sends them. */
interface PaymentParams {
  serial: string;
  counter: string;
  currency: string;
  amount: string;
  spent: string;
  createdAt: string;
  /** The payer-signed payment as received: its canonical encoding (decoding checked it is). */
  signed: Uint8Array;
}

/**
 * Parameters of payments prepared before their transaction ({@link preparePayments}), by payment
 * object: the transaction then only picks the settled ones. Weak, so nothing outlives its batch.
 */
const prepared = new WeakMap<Payment, PaymentParams>();

function paramsOf(p: Payment): PaymentParams {
  return {
    serial: String(p.serial),
    counter: String(p.counter),
    currency: p.payerCert.currency,
    amount: String(p.amount),
    spent: String(p.spent),
    createdAt: String(p.createdAt),
    signed: encodePayment(p),
  };
}

/**
 * Computes the row parameters of payments that may settle — re-encoding each — before the
 * transaction, so this CPU work is not done while the payers' certificates are locked.
 */
export function preparePayments(payments: readonly Payment[]): void {
  for (const p of payments) if (!prepared.has(p)) prepared.set(p, paramsOf(p));
}

/**
 * The data-modifying CTE (`payment_rows AS (…),`) inserting settled payments, never a row per
 * payment; uses the parameters {@link preparePayments} computed, or computes them. The bytea
 * columns travel in binary: the ids, the prevs (32 bytes each) and the signed payments each
 * concatenated into one `bytea` parameter (node-postgres sends a Buffer parameter in binary, text
 * arrays as text) and cut in SQL by position — no hex to build, send, parse and decode (1,000
 * rows: ~35 % less INSERT time than `decode` over `unnest($n::text[])`, docs/PERFORMANCE.md
 * "Round 3"). Empty when there is nothing to insert.
 */
function settledPaymentWrites(
  p: StatementParams,
  w: { payeeSerial: string; settlementId: string; at: Date; payments: readonly Payment[] },
): string {
  const n = w.payments.length;
  if (n === 0) return '';
  const cols = Array.from({ length: 8 }, () => new Array<string>(n));
  const ids = Buffer.allocUnsafe(32 * n);
  const prevs = Buffer.allocUnsafe(32 * n);
  const signed: Uint8Array[] = new Array<Uint8Array>(n);
  let offset = 1; // SQL positions count from 1
  for (let i = 0; i < n; i++) {
    const pay = w.payments[i]!;
    const r = prepared.get(pay) ?? paramsOf(pay);
    if (pay.paymentId.length !== 32 || pay.prev.length !== 32)
      throw new RangeError('a payment id and prev are 32 bytes');
    ids.set(pay.paymentId, 32 * i);
    prevs.set(pay.prev, 32 * i);
    signed[i] = r.signed;
    cols[0]![i] = r.serial;
    cols[1]![i] = r.counter;
    cols[2]![i] = r.currency;
    cols[3]![i] = r.amount;
    cols[4]![i] = r.spent;
    cols[5]![i] = r.createdAt;
    cols[6]![i] = String(offset);
    cols[7]![i] = String(r.signed.length);
    offset += r.signed.length;
  }
  const [ids$, prevs$, signed$, at] = [ids, prevs, Buffer.concat(signed), w.at].map((v) =>
    p.add(v),
  );
  const [serial, counter, currency, amount, spent, createdAt, off, len] = cols.map((c) => p.add(c));
  return `payment_rows AS (
       INSERT INTO payments (payment_id, serial, counter, prev, payee_serial, currency, amount,
                             spent, signed, created_at, received_at, status, settled_at,
                             settlement_id)
       SELECT substring(${ids$}::bytea FROM (u.i * 32 - 31)::int FOR 32), u.serial, u.counter,
              substring(${prevs$}::bytea FROM (u.i * 32 - 31)::int FOR 32), ${w.payeeSerial},
              u.currency, u.amount, u.spent, substring(${signed$}::bytea FROM u.off FOR u.len),
              to_timestamp(u.created_at), ${at}, 'settled', ${at}, ${w.settlementId}
       FROM unnest(${serial}::bigint[], ${counter}::bigint[], ${currency}::text[],
                   ${amount}::bigint[], ${spent}::bigint[], ${createdAt}::bigint[], ${off}::int[],
                   ${len}::int[]) WITH ORDINALITY
            AS u(serial, counter, currency, amount, spent, created_at, off, len, i)),
     `;
}

/** What a decided batch writes, all of it in {@link recordSettled}. */
export interface SettledRecord {
  /** From {@link lockPayeeHead}. */
  settlementId: bigint;
  payeeSerial: number;
  batchKey: Uint8Array;
  /** The bank-signed result. */
  result: Uint8Array;
  at: Date;
  /** The payments that settle, as rows. */
  payments: readonly Payment[];
  /** The balanced transfers that move their money, checked by the accounts service. */
  transfers: readonly TransferRows[];
  /** The payee's new settled head. */
  head: { nextIndex: number; head: Uint8Array };
  /** What each payer certificate settled in this batch, added to its settled total. */
  settled: ReadonlyMap<number, bigint>;
  audit: ChainedAudit;
}

/**
 * The record phase of a settlement in ONE statement of data-modifying CTEs, under the payee's
 * row lock: the signed result (`settlements`, with the id {@link lockPayeeHead} drew), the
 * settled payments, the transfers and their postings (accounts.repo.ts `transferWrites`), the
 * payer certificates' settled totals, the audit line on the payee's own chain, and the payee's
 * new head. The chain's head is read from the payee's row, held locked since `lockPayeeHead`, so
 * no other lock is taken; Postgres hashes `SHA-256(prefix ‖ head ‖ body)` (auditEntryHash, which
 * `AuditLog.verify()` recomputes), inserts the entry and moves the row's audit head and count
 * (docs/scaling.md "The audit chain"). The sub-statements share one snapshot; foreign keys (the
 * payments' and postings' rows on the settlement's and transfers') are checked at the statement's
 * end, every transfer's balance at COMMIT, and a payment settled meanwhile by another batch still
 * fails the payments' unique constraint.
 */
export async function recordSettled(tx: Queryable, r: SettledRecord): Promise<void> {
  const { audit } = r;
  if (audit.chain !== r.payeeSerial) throw new RangeError('audit chain is not this payee');
  if (Number.isNaN(audit.at.getTime())) throw new RangeError('audit time is not a date');
  if (r.settlementId <= 0n) throw new RangeError('no settlement id was drawn');
  const p = new StatementParams();
  const payee = p.add(r.payeeSerial);
  const id = p.add(r.settlementId.toString());
  const sql = `WITH settlement_row AS (
       INSERT INTO settlements (id, payee_serial, batch_key, result) OVERRIDING SYSTEM VALUE
       VALUES (${id}, ${payee}, ${p.add(r.batchKey)}, ${p.add(r.result)})),
     ${settledPaymentWrites(p, { payeeSerial: payee, settlementId: id, at: r.at, payments: r.payments })}${transferWrites(r.transfers, p)}e AS (
       SELECT prev, sha256(${p.add(audit.prefix)}::bytea || prev || ${p.add(audit.body)}::bytea) AS hash
       FROM (SELECT coalesce(audit_head, ${p.add(audit.genesis)}::bytea) AS prev FROM payee_heads
             WHERE payee_serial = ${payee}) AS h),
     audit_row AS (
       INSERT INTO audit_log (chain, prev_hash, entry_hash, at, actor, action, data)
       SELECT ${payee}, e.prev, e.hash, ${p.add(audit.at)}, ${p.add(audit.actor)},
              ${p.add(audit.action)}, ${p.add(JSON.stringify(audit.data))}::jsonb FROM e),
     certs AS (
       UPDATE payer_certificates c SET settled_minor = c.settled_minor + u.amount
       FROM unnest(${p.add([...r.settled.keys()].map(String))}::bigint[],
                   ${p.add([...r.settled.values()].map(String))}::bigint[]) AS u(serial, amount)
       WHERE c.serial = u.serial)
     UPDATE payee_heads SET next_index = ${p.add(r.head.nextIndex)}, head = ${p.add(r.head.head)},
       updated_at = now(), audit_head = (SELECT hash FROM e), audit_count = audit_count + 1
     WHERE payee_serial = ${payee} RETURNING 1`;
  // Up to four texts (with or without payment rows, with or without transfers): each prepared once.
  const rows = await tx.query(named('record_settled', sql), p.values);
  if (rows.length !== 1) throw new Error(`payee ${r.payeeSerial} has no head row`);
}
