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
