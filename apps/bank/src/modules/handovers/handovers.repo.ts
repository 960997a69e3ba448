/** SQL of ledger handovers (docs/protocol.md §9.7): the tills involved, the handover, the head. */
import type { LedgerHead } from '@offpay/protocol';
import type { Queryable } from '../../db/queryable.js';
import { bytesParam } from '../../db/values.js';

/** A till (payee certificate) as a handover needs it. */
export interface TillRow {
  serial: number;
  kid: Uint8Array;
  accountId: string;
  signKey: Uint8Array;
  status: string;
  /** Unix seconds. */
  expiresAt: number;
  reportedAt: Date | null;
}

/** Locks the tills with these kids in serial order (FOR UPDATE); the rows found. */
export async function lockTillsByKid(
  tx: Queryable,
  kids: readonly Uint8Array[],
): Promise<TillRow[]> {
  const rows = await tx.query<{
    serial: bigint;
    kid: Uint8Array;
    account_id: string;
    sign_key: Uint8Array;
    status: string;
    expires_at: bigint;
    reported_at: Date | null;
  }>(
    `SELECT serial, kid, account_id, sign_key, status,
            extract(epoch FROM expires_at)::bigint AS expires_at, reported_at
     FROM payee_certificates WHERE kid = ANY($1::bytea[]) ORDER BY serial FOR UPDATE`,
    [kids.map(bytesParam)],
  );
  return rows.map((r) => ({
    serial: Number(r.serial),
    kid: r.kid,
    accountId: r.account_id,
    signKey: r.sign_key,
    status: r.status,
    expiresAt: Number(r.expires_at),
    reportedAt: r.reported_at,
  }));
}

/** A stored handover. */
export interface HandoverRow {
  fromSerial: number;
  toSerial: number;
  from: LedgerHead;
}

/** The handover of the till `fromSerial`, if any. */
export async function findHandover(q: Queryable, fromSerial: number): Promise<HandoverRow | null> {
  const rows = await q.query<{ to_serial: bigint; from_index: bigint; from_head: Uint8Array }>(
    'SELECT to_serial, from_index, from_head FROM ledger_handovers WHERE from_serial = $1',
    [fromSerial],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    fromSerial,
    toSerial: Number(r.to_serial),
    from: { nextIndex: Number(r.from_index), head: r.from_head },
  };
}

/** Stores a handover, replacing an earlier one of the same old till. */
export async function upsertHandover(
  tx: Queryable,
  h: HandoverRow & { signed: Uint8Array; at: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO ledger_handovers (from_serial, to_serial, from_index, from_head, signed, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (from_serial) DO UPDATE SET to_serial = EXCLUDED.to_serial,
       from_index = EXCLUDED.from_index, from_head = EXCLUDED.from_head,
       signed = EXCLUDED.signed, created_at = EXCLUDED.created_at`,
    [h.fromSerial, h.toSerial, h.from.nextIndex, h.from.head, h.signed, h.at],
  );
}

/**
 * Sets the old till's settled head to the handover's, under the head's row lock (the lock
 * settlement takes first, so a batch in flight either committed before or continues from here).
 */
export async function resetPayeeHead(
  tx: Queryable,
  payeeSerial: number,
  head: LedgerHead,
): Promise<void> {
  await tx.query('SELECT 1 FROM payee_heads WHERE payee_serial = $1 FOR UPDATE', [payeeSerial]);
  await tx.query(
    'UPDATE payee_heads SET next_index = $2, head = $3, updated_at = now() WHERE payee_serial = $1',
    [payeeSerial, head.nextIndex, head.head],
  );
}
