/** SQL of payout batches: approved payouts put in flight together, and read back for the file. */
import type { Queryable } from '../../db/queryable.js';
import { PAYOUT_SELECT, toPayout, type PayoutRow, type RawPayout } from './payouts.repo.js';

/** A stored batch. */
export interface BatchRow {
  id: string;
  messageId: string;
  currency: string;
  payouts: number;
  total: bigint;
  createdAt: Date;
}

/** The oldest approved payouts of `currency`, locked (at most `limit`). */
export async function lockApproved(
  tx: Queryable,
  currency: string,
  limit: number,
): Promise<PayoutRow[]> {
  const rows = await tx.query<RawPayout>(
    `${PAYOUT_SELECT} WHERE p.state = 'approved' AND p.currency = $1
     ORDER BY p.requested_at, p.id LIMIT $2 FOR UPDATE OF p`,
    [currency, limit],
  );
  return rows.map(toPayout);
}

/** Records a batch and puts its payouts in flight. */
export async function insertBatch(
  tx: Queryable,
  b: {
    id: string;
    messageId: string;
    currency: string;
    payoutIds: readonly string[];
    total: bigint;
    operatorId: string;
    reason: string;
    at: Date;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO payout_batches (id, message_id, currency, payouts, total, operator_id, reason, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      b.id,
      b.messageId,
      b.currency,
      b.payoutIds.length,
      b.total.toString(),
      b.operatorId,
      b.reason,
      b.at,
    ],
  );
  await tx.query(
    `UPDATE payouts SET state = 'in_flight', batch_id = $1
     WHERE id = ANY($2::uuid[]) AND state = 'approved'`,
    [b.id, b.payoutIds],
  );
}

/** A batch, or null. */
export async function findBatch(q: Queryable, id: string): Promise<BatchRow | null> {
  const rows = await q.query<{
    id: string;
    message_id: string;
    currency: string;
    payouts: number;
    total: bigint;
    created_at: Date;
  }>(
    'SELECT id, message_id, currency, payouts, total, created_at FROM payout_batches WHERE id = $1',
    [id],
  );
  const r = rows[0];
  return r
    ? {
        id: r.id,
        messageId: r.message_id,
        currency: r.currency,
        payouts: r.payouts,
        total: r.total,
        createdAt: r.created_at,
      }
    : null;
}

/** The payouts of a batch, in the order they were requested. */
export async function batchPayouts(q: Queryable, batchId: string): Promise<PayoutRow[]> {
  const rows = await q.query<RawPayout>(
    `${PAYOUT_SELECT} WHERE p.batch_id = $1 ORDER BY p.requested_at, p.id`,
    [batchId],
  );
  return rows.map(toPayout);
}
