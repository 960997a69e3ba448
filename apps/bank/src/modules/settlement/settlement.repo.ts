/** SQL of settlement: payee heads, payer certificates' reserves, settled payments, results. */
import type { ChainLink } from '@offpay/protocol';
import type { Queryable } from '../../db/queryable.js';
import type { ChainedAudit } from '../audit/audit.service.js';
import { bytesParam, hexParams, safeInteger } from '../../db/values.js';

/** A payee certificate as settlement needs it. */
export interface PayeeRow {
  serial: number;
  accountId: string;
  currency: string;
  signKey: Uint8Array;
  status: string;
  expiresAt: number;
  /**
   * The till this one's ledger was handed over to (docs/protocol.md §9.7), or null: its key
   * signs the ledger's batches once this till is revoked.
   */
  successor: { serial: number; signKey: Uint8Array; status: string; expiresAt: number } | null;
}

/** The payee certificate whose signing key has this kid, with its ledger's successor if any. */
export async function findPayeeByKid(q: Queryable, kid: Uint8Array): Promise<PayeeRow | null> {
  const rows = await q.query<{
    serial: bigint;
    account_id: string;
    currency: string;
    sign_key: Uint8Array;
    status: string;
    expires_at: bigint;
    s_serial: bigint | null;
    s_sign_key: Uint8Array | null;
    s_status: string | null;
    s_expires_at: bigint | null;
  }>(
    `SELECT p.serial, p.account_id, p.currency, p.sign_key, p.status,
            extract(epoch FROM p.expires_at)::bigint AS expires_at,
            s.serial AS s_serial, s.sign_key AS s_sign_key, s.status AS s_status,
            extract(epoch FROM s.expires_at)::bigint AS s_expires_at
     FROM payee_certificates p
     LEFT JOIN ledger_handovers h ON h.from_serial = p.serial
     LEFT JOIN payee_certificates s ON s.serial = h.to_serial
     WHERE p.kid = $1`,
    [kid],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    serial: Number(r.serial),
    accountId: r.account_id,
    currency: r.currency.trim(),
    signKey: r.sign_key,
    status: r.status,
    expiresAt: Number(r.expires_at),
    successor:
      r.s_serial === null || r.s_sign_key === null
        ? null
        : {
            serial: Number(r.s_serial),
            signKey: r.s_sign_key,
            status: r.s_status ?? 'revoked',
            expiresAt: Number(r.s_expires_at),
          },
  };
}

/** The stored, bank-signed result of a batch, if it was settled before. */
export async function findResult(q: Queryable, batchKey: Uint8Array): Promise<Uint8Array | null> {
  const rows = await q.query<{ result: Uint8Array }>(
    'SELECT result FROM settlements WHERE batch_key = $1',
    [batchKey],
  );
  return rows[0]?.result ?? null;
}

/** Locks a payee's settled head for this transaction and returns it. */
export async function lockPayeeHead(
  tx: Queryable,
  payeeSerial: number,
): Promise<{ nextIndex: number; head: Uint8Array } | null> {
  const rows = await tx.query<{ next_index: bigint; head: Uint8Array }>(
    'SELECT next_index, head FROM payee_heads WHERE payee_serial = $1 FOR UPDATE',
    [payeeSerial],
  );
  const r = rows[0];
  return r ? { nextIndex: Number(r.next_index), head: r.head } : null;
}

/** A payer certificate locked for settlement, with the accounts its money moves between. */
export interface LockedCert {
  serial: number;
  currency: string;
  limit: bigint;
  settled: bigint;
  certTbsSource: Uint8Array;
  customerAccountId: string;
  reserveAccountId: string | null;
  /** True once the unspent reserve went back to the payer (expiry + grace passed). */
  released: boolean;
  /** True when a fraud proof against the certificate is stored. */
  proven: boolean;
  /** Unix seconds of the owner's close or the compromise report, whichever came first; or null. */
  recoveryEndedAt: number | null;
}

/**
 * Locks payer certificates in serial order (so two payees racing one payer serialise without
 * deadlock, DESIGN.md §5) and reads their reserve state and the accounts their money moves from
 * (locked next, with the payee's, by the service).
 */
export async function lockPayerCerts(
  tx: Queryable,
  serials: readonly number[],
): Promise<LockedCert[]> {
  if (serials.length === 0) return [];
  const rows = await tx.query<{
    serial: bigint;
    currency: string;
    limit_minor: bigint;
    settled_minor: bigint;
    cert: Uint8Array;
    account_id: string;
    reserve_id: string | null;
    released: boolean;
    proven: boolean;
    recovery_ended_at: bigint | null;
  }>(
    `SELECT c.serial, c.currency, c.limit_minor, c.settled_minor, c.cert, c.account_id,
            c.reserve_released_at IS NOT NULL AS released,
            floor(extract(epoch FROM c.recovery_ended_at))::bigint AS recovery_ended_at,
            EXISTS (SELECT 1 FROM fraud_proofs f WHERE f.serial = c.serial) AS proven,
            r.id AS reserve_id
     FROM payer_certificates c
     JOIN accounts a ON a.id = c.account_id
     LEFT JOIN accounts r ON r.user_id = a.user_id AND r.kind = 'reserve' AND r.currency = c.currency
     WHERE c.serial = ANY($1::bigint[])
     ORDER BY c.serial
     FOR UPDATE OF c`,
    [serials.map(String)],
  );
  return rows.map((r) => ({
    serial: Number(r.serial),
    currency: r.currency.trim(),
    limit: r.limit_minor,
    settled: r.settled_minor,
    certTbsSource: r.cert,
    customerAccountId: r.account_id,
    reserveAccountId: r.reserve_id,
    released: r.released,
    proven: r.proven,
    recoveryEndedAt: r.recovery_ended_at === null ? null : Number(r.recovery_ended_at),
  }));
}

/** A batch payment as the settled-links prefilter needs it. */
export interface BatchLink {
  serial: number;
  counter: number;
  spent: number;
  amount: number;
  paymentId: Uint8Array;
  prev: Uint8Array;
}

/**
 * The settled payments under these serials that may conflict with one of `batch` (fraud detection
 * reads them), in (serial, counter) order. A superset of the links `mayConflict`
 * (settlement.domain.ts) accepts against any payment of the batch, decided in SQL so the payers'
 * whole histories never leave Postgres: for each serial, a settled link is read when its counter
 * is at least the batch's lowest counter − 1 (equal, adjacent, or above a batch payment), when its
 * spent exceeds the lowest `spent − amount` of the batch (it could be understated against a later
 * batch payment), or when it is linked by `prev` to a batch payment either way. Any pair
 * `mayConflict` accepts meets one of these, so `findConflict` finds the same first conflict.
 */
export async function settledLinks(
  tx: Queryable,
  batch: readonly BatchLink[],
): Promise<Map<number, ChainLink[]>> {
  const out = new Map<number, ChainLink[]>();
  if (batch.length === 0) return out;
  const bounds = new Map<number, { minCounter: number; minLow: number }>();
  for (const p of batch) {
    const b = bounds.get(p.serial);
    const low = p.spent - p.amount;
    if (!b) bounds.set(p.serial, { minCounter: p.counter, minLow: low });
    else {
      if (p.counter < b.minCounter) b.minCounter = p.counter;
      if (low < b.minLow) b.minLow = low;
    }
  }
  const rows = await tx.query<{
    payment_id: Uint8Array;
    serial: bigint;
    counter: bigint;
    prev: Uint8Array;
    spent: bigint;
    amount: bigint;
  }>(
    `SELECT p.payment_id, p.serial, p.counter, p.prev, p.spent, p.amount
     FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS b(serial, min_counter, min_low)
     JOIN payments p ON p.serial = b.serial AND p.status = 'settled'
      AND (p.counter >= b.min_counter - 1 OR p.spent > b.min_low
           OR p.payment_id = ANY($4::bytea[]) OR p.prev = ANY($5::bytea[]))
     ORDER BY p.serial, p.counter`,
    [
      [...bounds.keys()].map(String),
      [...bounds.values()].map((b) => String(b.minCounter)),
      [...bounds.values()].map((b) => String(b.minLow)),
      batch.map((p) => bytesParam(p.prev)),
      batch.map((p) => bytesParam(p.paymentId)),
    ],
  );
  for (const r of rows) {
    const serial = safeInteger(r.serial);
    const list = out.get(serial) ?? [];
    list.push({
      paymentId: r.payment_id,
      serial,
      counter: safeInteger(r.counter),
      prev: r.prev,
      spent: safeInteger(r.spent),
      amount: safeInteger(r.amount),
    });
    out.set(serial, list);
  }
  return out;
}

/** Which of these payment ids were settled before (hex). */
export async function settledAmong(
  tx: Queryable,
  ids: readonly Uint8Array[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx.query<{ id: string }>(
    `SELECT encode(payment_id, 'hex') AS id FROM payments
     WHERE payment_id = ANY(SELECT decode(x, 'hex') FROM unnest($1::text[]) AS x) AND status = 'settled'`,
    [hexParams(ids)],
  );
  return new Set(rows.map((r) => r.id));
}

/** The stored wire bytes of a settled payment (for fraud proofs). */
export async function paymentBytes(
  tx: Queryable,
  paymentId: Uint8Array,
): Promise<Uint8Array | null> {
  const rows = await tx.query<{ signed: Uint8Array }>(
    'SELECT signed FROM payments WHERE payment_id = $1',
    [paymentId],
  );
  return rows[0]?.signed ?? null;
}

/** Stores a batch's signed result; returns the settlement id. */
export async function insertSettlement(
  tx: Queryable,
  s: { payeeSerial: number; batchKey: Uint8Array; result: Uint8Array },
): Promise<bigint> {
  const rows = await tx.query<{ id: bigint }>(
    'INSERT INTO settlements (payee_serial, batch_key, result) VALUES ($1, $2, $3) RETURNING id',
    [s.payeeSerial, s.batchKey, s.result],
  );
  return (rows[0] as { id: bigint }).id;
}

/** One settled payment row. */
export interface SettledPaymentRow {
  paymentId: Uint8Array;
  serial: number;
  counter: number;
  prev: Uint8Array;
  currency: string;
  amount: number;
  spent: number;
  signed: Uint8Array;
  createdAt: number;
}

/** Inserts settled payments in one statement (unnest), never a round trip per payment. */
export async function insertSettledPayments(
  tx: Queryable,
  payeeSerial: number,
  settlementId: bigint,
  at: Date,
  rows: readonly SettledPaymentRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO payments (payment_id, serial, counter, prev, payee_serial, currency, amount, spent,
                           signed, created_at, received_at, status, settled_at, settlement_id)
     SELECT decode(u.id, 'hex'), u.serial, u.counter, decode(u.prev, 'hex'), $1, u.currency, u.amount,
            u.spent, decode(u.signed, 'hex'), to_timestamp(u.created_at), $2, 'settled', $2, $3
     FROM unnest($4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::bigint[],
                 $10::bigint[], $11::text[], $12::bigint[])
          AS u(id, serial, counter, prev, currency, amount, spent, signed, created_at)`,
    [
      payeeSerial,
      at,
      settlementId.toString(),
      hexParams(rows.map((r) => r.paymentId)),
      rows.map((r) => String(r.serial)),
      rows.map((r) => String(r.counter)),
      hexParams(rows.map((r) => r.prev)),
      rows.map((r) => r.currency),
      rows.map((r) => String(r.amount)),
      rows.map((r) => String(r.spent)),
      hexParams(rows.map((r) => r.signed)),
      rows.map((r) => String(r.createdAt)),
    ],
  );
}

/**
 * The last statement of a settlement, ONE round trip: adds the batch's amounts to each payer
 * certificate's settled total (rows locked by `lockPayerCerts`), moves the payee's settled head,
 * and appends the settlement's audit line to the payee's own audit chain (docs/scaling.md "The
 * audit chain"). The chain's head is read from the payee's row, which the settlement holds locked
 * since `lockPayeeHead`, so no other lock is taken; Postgres hashes
 * `SHA-256(prefix ‖ head ‖ body)` (auditEntryHash, which `AuditLog.verify()` recomputes), inserts
 * the entry and moves the row's audit head and count.
 */
export async function finishSettlement(
  tx: Queryable,
  s: {
    payeeSerial: number;
    head: { nextIndex: number; head: Uint8Array };
    settled: ReadonlyMap<number, bigint>;
    audit: ChainedAudit;
  },
): Promise<void> {
  const { payeeSerial, head, audit } = s;
  if (audit.chain !== payeeSerial) throw new RangeError('audit chain is not this payee');
  if (Number.isNaN(audit.at.getTime())) throw new RangeError('audit time is not a date');
  const rows = await tx.query(
    `WITH e AS (
       SELECT prev, sha256($4::bytea || prev || $5::bytea) AS hash
       FROM (SELECT coalesce(audit_head, $6::bytea) AS prev FROM payee_heads
             WHERE payee_serial = $1) AS h),
     ins AS (
       INSERT INTO audit_log (chain, prev_hash, entry_hash, at, actor, action, data)
       SELECT $1, e.prev, e.hash, $7, $8, $9, $10::jsonb FROM e),
     certs AS (
       UPDATE payer_certificates c SET settled_minor = c.settled_minor + u.amount
       FROM unnest($11::bigint[], $12::bigint[]) AS u(serial, amount) WHERE c.serial = u.serial)
     UPDATE payee_heads SET next_index = $2, head = $3, updated_at = now(),
       audit_head = (SELECT hash FROM e), audit_count = audit_count + 1
     WHERE payee_serial = $1 RETURNING 1`,
    [
      payeeSerial,
      head.nextIndex,
      head.head,
      audit.prefix,
      audit.body,
      audit.genesis,
      audit.at,
      audit.actor,
      audit.action,
      JSON.stringify(audit.data),
      [...s.settled.keys()].map(String),
      [...s.settled.values()].map(String),
    ],
  );
  if (rows.length !== 1) throw new Error(`payee ${payeeSerial} has no head row`);
}
