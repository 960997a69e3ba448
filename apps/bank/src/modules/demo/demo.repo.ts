/** SQL the demo seed needs. */
import type { Queryable } from '../../db/queryable.js';

/** The customer account of the user with `email` in `currency`; null when absent. */
export async function findCustomerAccount(
  q: Queryable,
  email: string,
  currency: string,
): Promise<string | null> {
  const rows = await q.query<{ id: string }>(
    `SELECT a.id FROM accounts a JOIN users u ON u.id = a.user_id
     WHERE u.email = $1 AND a.kind = 'customer' AND a.currency = $2`,
    [email, currency],
  );
  return rows[0]?.id ?? null;
}

/** The id of the user with `email`; null when absent. */
export async function findUserId(q: Queryable, email: string): Promise<string | null> {
  const rows = await q.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [email]);
  return rows[0]?.id ?? null;
}

/** True when an operator with `email` exists. */
export async function operatorExists(q: Queryable, email: string): Promise<boolean> {
  const rows = await q.query('SELECT 1 FROM operators WHERE email = $1', [email]);
  return rows.length > 0;
}

/** True when the user has ever applied to be a merchant (or is one). */
export async function hasApplied(q: Queryable, userId: string): Promise<boolean> {
  const rows = await q.query('SELECT 1 FROM merchant_applications WHERE user_id = $1 LIMIT 1', [
    userId,
  ]);
  return rows.length > 0;
}
