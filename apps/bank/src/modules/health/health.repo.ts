/** SQL of the health checks. */
import type { Queryable } from '../../db/queryable.js';

/** Resolves when the database answers a trivial statement; rejects when it cannot. */
export async function pingDatabase(q: Queryable): Promise<void> {
  await q.query('SELECT 1');
}
