/**
 * The ledger's invariants (DESIGN.md §5), checked against the database itself. Call them after
 * every test that moves money: the sum of all postings is zero, every transfer has ≥ 2 postings
 * summing to zero, every balance equals the sum of its account's postings, and no payer
 * certificate settled beyond its reserve and what was recovered from the payer.
 */
import { expect } from 'vitest';
import type { Queryable } from '../../src/db/queryable.js';

/** Asserts every ledger invariant; returns the number of transfers checked. */
export async function assertLedgerInvariants(db: Queryable): Promise<{ transfers: number }> {
  const [total] = await db.query<{ total: string; transfers: bigint }>(
    'SELECT coalesce(sum(amount), 0)::text AS total, (SELECT count(*) FROM transfers) AS transfers FROM postings',
  );
  expect(total?.total, 'the sum of all postings').toBe('0');

  const unbalanced = await db.query(
    `SELECT t.id, count(p.id) AS n, coalesce(sum(p.amount), 0)::text AS total
     FROM transfers t LEFT JOIN postings p ON p.transfer_id = t.id
     GROUP BY t.id HAVING count(p.id) < 2 OR coalesce(sum(p.amount), 0) <> 0`,
  );
  expect(unbalanced, 'transfers with fewer than two postings or a non-zero sum').toEqual([]);

  const drifted = await db.query(
    `SELECT a.id, b.balance::text AS balance, coalesce(sum(p.amount), 0)::text AS postings
     FROM accounts a LEFT JOIN account_balances b ON b.account_id = a.id
     LEFT JOIN postings p ON p.account_id = a.id
     GROUP BY a.id, b.balance
     HAVING b.balance IS NULL OR b.balance <> coalesce(sum(p.amount), 0)`,
  );
  expect(drifted, 'accounts whose balance is not the sum of their postings').toEqual([]);

  const overdrawn = await db.query(
    'SELECT account_id FROM account_balances b WHERE balance < 0 AND NOT may_go_negative',
  );
  expect(overdrawn, 'overdrawn accounts').toEqual([]);
  return { transfers: Number(total?.transfers ?? 0) };
}

/**
 * Breaches of the reserve invariant (issue 4 "Invariant"), per payer account: what its
 * certificates settled equals the sum of their settled payments; it is at most their reserved
 * limits plus what was recovered from the payer's available balance ('recovery' transfers); the
 * reserve paid out exactly the rest ('settlement' transfers); no reserve account is negative.
 * A payer paying its own till beyond the reserve (self-dealing) is recovered from itself, which
 * moves nothing: up to what it paid its own tills may be settled with no recovery transfer.
 * Empty when every certificate is within its bound.
 */
export async function reserveViolations(db: Queryable): Promise<unknown[]> {
  return db.query(
    `WITH paid AS (
       SELECT serial, sum(amount) AS total FROM payments WHERE status = 'settled' GROUP BY serial),
     own AS (
       SELECT pc.account_id, sum(p.amount) AS total
       FROM payments p JOIN payer_certificates pc ON pc.serial = p.serial
       JOIN payee_certificates e ON e.serial = p.payee_serial AND e.account_id = pc.account_id
       WHERE p.status = 'settled' GROUP BY pc.account_id),
     certs AS (
       SELECT a.user_id, c.account_id, c.currency, sum(c.limit_minor) AS limits,
              sum(c.settled_minor) AS settled, sum(coalesce(paid.total, 0)) AS paid
       FROM payer_certificates c JOIN accounts a ON a.id = c.account_id
       LEFT JOIN paid ON paid.serial = c.serial
       GROUP BY a.user_id, c.account_id, c.currency),
     moved AS (
       SELECT p.account_id, t.kind, -sum(p.amount) AS total
       FROM postings p JOIN transfers t ON t.id = p.transfer_id
       WHERE t.kind IN ('settlement', 'recovery') AND p.amount < 0
       GROUP BY p.account_id, t.kind)
     SELECT certs.account_id, certs.limits::text, certs.settled::text, certs.paid::text,
            coalesce(rec.total, 0)::text AS recovered, coalesce(res.total, 0)::text AS from_reserve,
            rb.balance::text AS reserve_balance
     FROM certs
     LEFT JOIN moved rec ON rec.account_id = certs.account_id AND rec.kind = 'recovery'
     LEFT JOIN accounts r ON r.user_id = certs.user_id AND r.kind = 'reserve'
                         AND r.currency = certs.currency
     LEFT JOIN account_balances rb ON rb.account_id = r.id
     LEFT JOIN moved res ON res.account_id = r.id AND res.kind = 'settlement'
     LEFT JOIN own ON own.account_id = certs.account_id
     WHERE certs.settled <> certs.paid
        OR certs.settled > certs.limits + coalesce(rec.total, 0) + coalesce(own.total, 0)
        OR coalesce(res.total, 0) + coalesce(rec.total, 0) > certs.settled
        OR coalesce(res.total, 0) + coalesce(rec.total, 0) + coalesce(own.total, 0)
           < certs.settled
        OR rb.balance < 0`,
  );
}
