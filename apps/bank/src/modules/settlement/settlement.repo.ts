/**
 * SQL of settlement: the payee and a batch's stored result, the payee head's and the payer
 * certificates' locks, a settled payment's bytes. The settled links are read by
 * `settlement.links.repo.ts` and the record phase written by `settlement.record.repo.ts`; the
 * functions of theirs that the service and the record phase call are re-exported here, so that
 * `repo` stays the settlement transaction's one view of its SQL.
 */
import type { Queryable } from '../../db/queryable.js';
import { named } from '../../db/statements.js';
import { StatementParams } from '../../db/values.js';
import {
  emptyReading,
  linkBounds,
  linksSelect,
  readLinks,
  type BatchLink,
  type LinkRow,
  type SettledReading,
} from './settlement.links.repo.js';

export {
  settledLinks,
  settledLinksChecked,
  type BatchLink,
  type SettledReading,
} from './settlement.links.repo.js';
export { preparePayments, recordSettled, type SettledRecord } from './settlement.record.repo.js';

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
  return (await findPayeeAndResult(q, kid, null)).payee;
}

const PAYEE_AND_RESULT = named(
  'payee_and_result',
  `SELECT p.serial, p.account_id, p.currency, p.sign_key, p.status,
            extract(epoch FROM p.expires_at)::bigint AS expires_at,
            s.serial AS s_serial, s.sign_key AS s_sign_key, s.status AS s_status,
            extract(epoch FROM s.expires_at)::bigint AS s_expires_at,
            (SELECT result FROM settlements WHERE batch_key = $2::bytea) AS stored
     FROM payee_certificates p
     LEFT JOIN ledger_handovers h ON h.from_serial = p.serial
     LEFT JOIN payee_certificates s ON s.serial = h.to_serial
     WHERE p.kid = $1`,
);

/**
 * {@link findPayeeByKid} and, in the same round trip, the stored result of batch `batchKey` if
 * it was settled before ({@link findResult}); `stored` is null when the payee is unknown.
 */
export async function findPayeeAndResult(
  q: Queryable,
  kid: Uint8Array,
  batchKey: Uint8Array | null,
): Promise<{ payee: PayeeRow | null; stored: Uint8Array | null }> {
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
    stored: Uint8Array | null;
  }>(PAYEE_AND_RESULT, [kid, batchKey]);
  const r = rows[0];
  if (!r) return { payee: null, stored: null };
  const payee = {
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
  return { payee, stored: r.stored };
}

const RESULT = named('result', 'SELECT result FROM settlements WHERE batch_key = $1');

/** The stored, bank-signed result of a batch, if it was settled before. */
export async function findResult(q: Queryable, batchKey: Uint8Array): Promise<Uint8Array | null> {
  const rows = await q.query<{ result: Uint8Array }>(RESULT, [batchKey]);
  return rows[0]?.result ?? null;
}

/** What the first statement of a settlement reads under the payee's row lock. */
export interface LockedHead {
  /** The payee's settled head, or null when it has no head row. */
  head: { nextIndex: number; head: Uint8Array } | null;
  /**
   * The stored result of this batch key, as the statement's snapshot saw it. READ COMMITTED:
   * the snapshot predates a wait for the lock, so a batch committed during that wait shows here
   * as a head that moved — read again with {@link findResult} before refusing.
   */
  stored: Uint8Array | null;
  /** A fresh settlement id (sequence value) for {@link recordSettled}; 0n without a head row. */
  settlementId: bigint;
  /**
   * {@link settledLinks} of the batch's payments, read in the same statement's snapshot — before
   * their certificates are locked, so made exact by {@link settledLinksChecked} under the locks.
   */
  unlocked: SettledReading;
}

/**
 * Locks a payee's settled head for this transaction and returns it, with the stored result of
 * the batch, the id its settlement row will have and the settled links of `batch`'s payers
 * (no lock on them) — one round trip.
 */
export async function lockPayeeHead(
  tx: Queryable,
  payeeSerial: number,
  batchKey: Uint8Array,
  batch: readonly BatchLink[] = [],
): Promise<LockedHead> {
  const p = new StatementParams();
  const head = `SELECT h.next_index, h.head,
            (SELECT result FROM settlements WHERE batch_key = ${p.add(batchKey)}) AS stored,
            nextval(pg_get_serial_sequence('settlements', 'id')) AS settlement_id
     FROM payee_heads h WHERE h.payee_serial = ${p.add(payeeSerial)} FOR UPDATE OF h`;
  const bounds = linkBounds(batch);
  // The links take no lock: joined to the locked head row, they come back in the same round trip.
  const sql =
    bounds.size === 0
      ? head
      : `WITH head AS (${head})
     SELECT head.*, l.* FROM head LEFT JOIN (${linksSelect(p, batch, bounds)}) AS l ON true
     ORDER BY l.cert_serial, l.counter`;
  const rows = await tx.query<
    LinkRow & {
      next_index: bigint;
      head: Uint8Array;
      stored: Uint8Array | null;
      settlement_id: bigint;
    }
  >(named('lock_payee_head', sql), p.values);
  const r = rows[0];
  if (!r) return { head: null, stored: null, settlementId: 0n, unlocked: emptyReading() };
  return {
    head: { nextIndex: Number(r.next_index), head: r.head },
    stored: r.stored,
    settlementId: BigInt(r.settlement_id),
    unlocked: bounds.size === 0 ? emptyReading() : readLinks(rows),
  };
}

const LOCK_PAYER_CERTS = named(
  'lock_payer_certs',
  `SELECT c.serial, c.currency, c.limit_minor, c.settled_minor, c.cert, c.account_id,
            c.xmin::text AS version,
            c.reserve_released_at IS NOT NULL AS released,
            floor(extract(epoch FROM c.recovery_ended_at))::bigint AS recovery_ended_at,
            EXISTS (SELECT 1 FROM fraud_proofs f WHERE f.serial = c.serial) AS proven,
            r.id AS reserve_id
     FROM payer_certificates c
     JOIN accounts a ON a.id = c.account_id
     LEFT JOIN accounts r ON r.user_id = a.user_id AND r.kind = 'reserve' AND r.currency = c.currency
     WHERE c.serial = ANY($1::bigint[])
     ORDER BY c.serial
     FOR NO KEY UPDATE OF c`,
);

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
  /**
   * The row version (`xmin`): every settlement that adds payments under the certificate updates
   * its row (settled_minor), so an unchanged version means no settled payment was added.
   */
  version: string;
}

/**
 * Locks payer certificates in serial order (so two payees racing one payer serialise without
 * deadlock, DESIGN.md §5) and reads their reserve state and the accounts their money moves from
 * (locked next, with the payee's, by the service). `FOR NO KEY UPDATE`: it excludes every other
 * settlement, revocation and release of these rows as `FOR UPDATE` did (they take the same lock or
 * update the rows), but not the `FOR KEY SHARE` of foreign-key checks — a payment or fraud proof
 * inserted elsewhere that merely references a certificate does not queue behind a settlement.
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
    version: string;
  }>(LOCK_PAYER_CERTS, [serials.map(String)]);
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
    version: r.version,
  }));
}

/** The stored wire bytes of a settled payment (for fraud proofs). */
export async function paymentBytes(
  tx: Queryable,
  paymentId: Uint8Array,
): Promise<Uint8Array | null> {
  const rows = await tx.query<{ signed: Uint8Array }>(
    'SELECT signed FROM payments WHERE payment_id = $1', // rare: a fraud proof's other payment
    [paymentId],
  );
  return rows[0]?.signed ?? null;
}
