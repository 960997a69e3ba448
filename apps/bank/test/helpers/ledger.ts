/**
 * The ledger's invariants (DESIGN.md §5), checked against the database itself. Call it after
 * every test that moves money: the sum of all postings is zero, every transfer has ≥ 2 postings
 * summing to zero, and every balance equals the sum of its account's postings.
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
