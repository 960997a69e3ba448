/** SQL of live events: which payee certificates a user may follow. */
import type { Queryable } from '../../db/queryable.js';

/** The kids of a user's payee certificates, newest first, at most `limit`. */
export async function payeeKidsOfUser(
  q: Queryable,
  userId: string,
  limit: number,
): Promise<Uint8Array[]> {
  const rows = await q.query<{ kid: Uint8Array }>(
    `SELECT p.kid FROM payee_certificates p JOIN accounts a ON a.id = p.account_id
     WHERE a.user_id = $1 ORDER BY p.serial DESC LIMIT $2`,
    [userId, limit],
  );
  return rows.map((r) => r.kid);
}
