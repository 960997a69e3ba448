/**
 * SQL of the console's risk views (docs/operations.md "The console"): refunds, fraud proofs with
 * their payer and what recovery took, the payments a proof holds as the bank knows them, and
 * certificates with their owner and revocation.
 */
import type { Queryable } from '../../db/queryable.js';

/** A refund with its merchant, payer and certificates. */
export interface RefundRow {
  refundId: string;
  paymentId: Uint8Array;
  amount: bigint;
  currency: string;
  reason: string;
  transferId: bigint;
  createdAt: Date;
  merchantUserId: string;
  merchantEmail: string;
  payerEmail: string;
  payerSerial: number;
  payeeSerial: number;
}

/** Refunds with a transfer id below `before` (all when null), newest first, at most `limit`. */
export async function listRefunds(
  q: Queryable,
  before: bigint | null,
  limit: number,
): Promise<RefundRow[]> {
  // refunds.transfer_id is unique (indexed) and grows with time: the order and the cursor.
  const rows = await q.query<{
    id: string;
    payment_id: Uint8Array;
    amount: bigint;
    currency: string;
    reason: string;
    transfer_id: bigint;
    created_at: Date;
    user_id: string;
    merchant_email: string;
    payer_email: string;
    serial: bigint;
    payee_serial: bigint;
  }>(
    `SELECT r.id, r.payment_id, r.amount, r.currency, r.reason, r.transfer_id, r.created_at,
            r.user_id, mu.email AS merchant_email, pu.email AS payer_email, pm.serial, pm.payee_serial
     FROM refunds r
     JOIN users mu ON mu.id = r.user_id
     JOIN payments pm ON pm.payment_id = r.payment_id
     JOIN payer_certificates pc ON pc.serial = pm.serial
     JOIN accounts pa ON pa.id = pc.account_id
     JOIN users pu ON pu.id = pa.user_id
     WHERE ($1::bigint IS NULL OR r.transfer_id < $1::bigint)
     ORDER BY r.transfer_id DESC
     LIMIT $2`,
    [before?.toString() ?? null, limit],
  );
  return rows.map((r) => ({
    refundId: r.id,
    paymentId: r.payment_id,
    amount: r.amount,
    currency: r.currency,
    reason: r.reason,
    transferId: r.transfer_id,
    createdAt: r.created_at,
    merchantUserId: r.user_id,
    merchantEmail: r.merchant_email,
    payerEmail: r.payer_email,
    payerSerial: Number(r.serial),
    payeeSerial: Number(r.payee_serial),
  }));
}

/** A stored fraud proof with its certificate's owner, totals and revocation. */
export interface ProofRow {
  id: string;
  serial: number;
  kind: string;
  detectedAt: Date;
  userId: string;
  email: string;
  accountId: string;
  currency: string;
  limit: bigint;
  settled: bigint;
  /** What 'recovery' transfers of batches holding its payments took from the payer's account. */
  recovered: bigint;
  revokedAt: Date | null;
}

// Recovery transfers are per batch (`batch:<settlement id>` or `…:<chunk>`) and draw on the
// payer's customer account; those of batches that settled a payment of this certificate count.
const PROOFS = `
  SELECT f.id::text AS id, f.serial, f.kind, f.detected_at, a.user_id, u.email, c.account_id,
         c.currency, c.limit_minor, c.settled_minor, rv.created_at AS revoked_at,
         (SELECT coalesce(-sum(p.amount), 0)::text
          FROM postings p JOIN transfers t ON t.id = p.transfer_id
          WHERE p.account_id = c.account_id AND t.kind = 'recovery' AND p.amount < 0
            AND EXISTS (
              SELECT 1 FROM payments x
              WHERE x.serial = c.serial AND x.status = 'settled'
                AND x.settlement_id = substring(t.reference FROM '^batch:([0-9]+)')::bigint)
         ) AS recovered
  FROM fraud_proofs f
  JOIN payer_certificates c ON c.serial = f.serial
  JOIN accounts a ON a.id = c.account_id
  JOIN users u ON u.id = a.user_id
  LEFT JOIN revocations rv ON rv.serial = f.serial`;

interface ProofDbRow {
  id: string;
  serial: bigint;
  kind: string;
  detected_at: Date;
  user_id: string;
  email: string;
  account_id: string;
  currency: string;
  limit_minor: bigint;
  settled_minor: bigint;
  revoked_at: Date | null;
  recovered: string;
}

function proofRow(r: ProofDbRow): ProofRow {
  return {
    id: r.id,
    serial: Number(r.serial),
    kind: r.kind,
    detectedAt: r.detected_at,
    userId: r.user_id,
    email: r.email,
    accountId: r.account_id,
    currency: r.currency,
    limit: r.limit_minor,
    settled: r.settled_minor,
    recovered: BigInt(r.recovered),
    revokedAt: r.revoked_at,
  };
}

/** Proofs with an id below `before` (all when null), newest first, at most `limit`. */
export async function listProofs(
  q: Queryable,
  before: bigint | null,
  limit: number,
): Promise<ProofRow[]> {
  const rows = await q.query<ProofDbRow>(
    `${PROOFS} WHERE ($1::bigint IS NULL OR f.id < $1::bigint) ORDER BY f.id DESC LIMIT $2`,
    [before?.toString() ?? null, limit],
  );
  return rows.map(proofRow);
}

/** One proof by id, or null. */
export async function findProof(q: Queryable, id: string): Promise<ProofRow | null> {
  const rows = await q.query<ProofDbRow>(`${PROOFS} WHERE f.id = $1::bigint`, [id]);
  return rows[0] ? proofRow(rows[0]) : null;
}

/** What the bank knows of a payment: its status, and the payee certificate of its kid. */
export interface KnownPayment {
  status: 'settled' | 'rejected' | 'unknown';
  settledAt: Date | null;
  payeeSerial: number | null;
  payeeName: string | null;
}

/** The bank's record of `paymentId` (paid to the payee of `payeeKid`). */
export async function knownPayment(
  q: Queryable,
  paymentId: Uint8Array,
  payeeKid: Uint8Array,
): Promise<KnownPayment> {
  const rows = await q.query<{
    status: 'settled' | 'rejected' | null;
    settled_at: Date | null;
    serial: bigint | null;
    display_name: string | null;
  }>(
    `SELECT pm.status, pm.settled_at, pc.serial, pc.display_name
     FROM (SELECT 1) one
     LEFT JOIN payments pm ON pm.payment_id = $1
     LEFT JOIN payee_certificates pc ON pc.kid = $2`,
    [paymentId, payeeKid],
  );
  const r = rows[0];
  return {
    status: r?.status ?? 'unknown',
    settledAt: r?.settled_at ?? null,
    payeeSerial: r?.serial === null || r?.serial === undefined ? null : Number(r.serial),
    payeeName: r?.display_name ?? null,
  };
}

/** A certificate as the console lists it. */
export interface CertificateRow {
  serial: number;
  kind: 'payer' | 'payee';
  status: 'active' | 'closed' | 'revoked';
  revocationReason: 'fraud' | 'closed' | 'compromised' | null;
  revokedAt: Date | null;
  userId: string;
  email: string;
  accountId: string;
  displayName: string | null;
  currency: string;
  limit: bigint | null;
  settled: bigint | null;
  issuedAt: Date;
  expiresAt: Date;
  closedAt: Date | null;
}

/** What the certificate list filters and pages by. */
export interface CertificateFilter {
  kind: 'payer' | 'payee' | null;
  status: 'active' | 'closed' | 'revoked' | null;
  /** A serial: that certificate only. */
  serial: number | null;
  /** An ILIKE literal: part of the owner's email or the payee's name. */
  text: string | null;
  before: number | null;
  limit: number;
}

/** Payer and payee certificates by serial, newest first, at most `limit`. */
export async function listCertificates(
  q: Queryable,
  f: CertificateFilter,
): Promise<CertificateRow[]> {
  const rows = await q.query<{
    serial: bigint;
    kind: 'payer' | 'payee';
    status: CertificateRow['status'];
    reason: CertificateRow['revocationReason'];
    revoked_at: Date | null;
    user_id: string;
    email: string;
    account_id: string;
    display_name: string | null;
    currency: string;
    limit_minor: bigint | null;
    settled_minor: bigint | null;
    issued_at: Date;
    expires_at: Date;
    closed_at: Date | null;
  }>(
    `SELECT c.*, rv.reason, rv.created_at AS revoked_at, a.user_id, u.email
     FROM (
       SELECT 'payer' AS kind, serial, status, account_id, NULL::text AS display_name, currency,
              limit_minor, settled_minor, issued_at, expires_at, closed_at
       FROM payer_certificates WHERE $1::text IS DISTINCT FROM 'payee'
       UNION ALL
       SELECT 'payee', serial, status, account_id, display_name, currency,
              NULL::bigint, NULL::bigint, issued_at, expires_at, closed_at
       FROM payee_certificates WHERE $1::text IS DISTINCT FROM 'payer'
     ) c
     JOIN accounts a ON a.id = c.account_id
     JOIN users u ON u.id = a.user_id
     LEFT JOIN revocations rv ON rv.serial = c.serial
     WHERE ($2::text IS NULL OR c.status = $2::text)
       AND ($3::bigint IS NULL OR c.serial = $3::bigint)
       AND ($4::text IS NULL OR u.email ILIKE '%' || $4::text || '%'
            OR c.display_name ILIKE '%' || $4::text || '%')
       AND ($5::bigint IS NULL OR c.serial < $5::bigint)
     ORDER BY c.serial DESC
     LIMIT $6`,
    [f.kind, f.status, f.serial, f.text, f.before, f.limit],
  );
  return rows.map((r) => ({
    serial: Number(r.serial),
    kind: r.kind,
    status: r.status,
    revocationReason: r.reason,
    revokedAt: r.revoked_at,
    userId: r.user_id,
    email: r.email,
    accountId: r.account_id,
    displayName: r.display_name,
    currency: r.currency,
    limit: r.limit_minor,
    settled: r.settled_minor,
    issuedAt: r.issued_at,
    expiresAt: r.expires_at,
    closedAt: r.closed_at,
  }));
}
