/** SQL of what payers and merchants read back: payer sync and the settlements export. */
import { toHex } from '@offpay/crypto';
import type { Queryable } from '../../db/queryable.js';
import type { CertificateStatus } from '../revocations/revocations.domain.js';
import type { SettlementCsvRow } from './reports.csv.js';

/** A payer certificate as its owner sees it. */
export interface PayerCertificateView {
  serial: number;
  status: CertificateStatus;
  currency: string;
  limit: bigint;
  settled: bigint;
  expiresAt: Date;
  closedAt: Date | null;
  reserveReleasedAt: Date | null;
}

/** A settled payment under a payer certificate. */
export interface SettledPaymentView {
  serial: number;
  paymentId: Uint8Array;
  counter: number;
  amount: bigint;
  settledAt: Date;
  /** 1 for the newest payment of its certificate. */
  rank: number;
  /** The sum of its refunds. */
  refunded: bigint;
}

/** The user's newest payer certificates (by serial), at most `limit`. */
export async function listPayerCertificates(
  q: Queryable,
  userId: string,
  limit: number,
): Promise<PayerCertificateView[]> {
  const rows = await q.query<{
    serial: bigint;
    status: CertificateStatus;
    currency: string;
    limit_minor: bigint;
    settled_minor: bigint;
    expires_at: Date;
    closed_at: Date | null;
    reserve_released_at: Date | null;
  }>(
    `SELECT p.serial, p.status, p.currency, p.limit_minor, p.settled_minor, p.expires_at,
       p.closed_at, p.reserve_released_at
     FROM payer_certificates p JOIN accounts a ON a.id = p.account_id
     WHERE a.user_id = $1 ORDER BY p.serial DESC LIMIT $2`,
    [userId, limit],
  );
  return rows.map((r) => ({
    serial: Number(r.serial),
    status: r.status,
    currency: r.currency,
    limit: r.limit_minor,
    settled: r.settled_minor,
    expiresAt: r.expires_at,
    closedAt: r.closed_at,
    reserveReleasedAt: r.reserve_released_at,
  }));
}

/** The newest `perCertificate` settled payments of each of `serials`, newest first. */
export async function listSettledPayments(
  q: Queryable,
  serials: readonly number[],
  perCertificate: number,
): Promise<SettledPaymentView[]> {
  if (serials.length === 0) return [];
  const rows = await q.query<{
    serial: bigint;
    payment_id: Uint8Array;
    counter: bigint;
    amount: bigint;
    settled_at: Date;
    rank: bigint;
    refunded: bigint;
  }>(
    `SELECT serial, payment_id, counter, amount, settled_at, rank,
            (SELECT coalesce(sum(r.amount), 0) FROM refunds r WHERE r.payment_id = s.payment_id)::bigint
              AS refunded
     FROM (
       SELECT serial, payment_id, counter, amount, settled_at,
         row_number() OVER (PARTITION BY serial ORDER BY settled_at DESC, counter DESC, payment_id) AS rank
       FROM payments WHERE serial = ANY($1::bigint[]) AND status = 'settled'
     ) s WHERE rank <= $2 ORDER BY serial DESC, rank`,
    [serials.map(String), perCertificate],
  );
  return rows.map((r) => ({
    serial: Number(r.serial),
    paymentId: r.payment_id,
    counter: Number(r.counter),
    amount: r.amount,
    settledAt: r.settled_at,
    rank: Number(r.rank),
    refunded: r.refunded,
  }));
}

/**
 * Settled payments to the user's payee certificates with `from ≤ settled_at < to` (either bound
 * optional), oldest first, at most `limit`.
 */
export async function listMerchantSettlements(
  q: Queryable,
  userId: string,
  range: { from: Date | null; to: Date | null; limit: number },
): Promise<SettlementCsvRow[]> {
  const rows = await q.query<{
    settled_at: Date;
    payment_id: Uint8Array;
    serial: bigint;
    counter: bigint;
    amount: bigint;
    currency: string;
    payee_serial: bigint;
    refunded: bigint;
  }>(
    `SELECT p.settled_at, p.payment_id, p.serial, p.counter, p.amount, p.currency, p.payee_serial,
            (SELECT coalesce(sum(r.amount), 0) FROM refunds r WHERE r.payment_id = p.payment_id)::bigint
              AS refunded
     FROM payments p
     JOIN payee_certificates e ON e.serial = p.payee_serial
     JOIN accounts a ON a.id = e.account_id
     WHERE a.user_id = $1 AND p.status = 'settled'
       AND ($2::timestamptz IS NULL OR p.settled_at >= $2)
       AND ($3::timestamptz IS NULL OR p.settled_at < $3)
     ORDER BY p.settled_at, p.payment_id LIMIT $4`,
    [userId, range.from, range.to, range.limit],
  );
  return rows.map((r) => ({
    settledAt: r.settled_at,
    paymentId: toHex(r.payment_id),
    payerSerial: Number(r.serial),
    counter: Number(r.counter),
    amount: r.amount,
    currency: r.currency,
    payeeSerial: Number(r.payee_serial),
    refunded: r.refunded,
  }));
}
