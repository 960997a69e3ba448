/**
 * Work to run after a transaction commits: cache invalidations. Running them inside the
 * transaction would let a reader refill the cache from the not-yet-committed (old) rows.
 *
 * `trackCommits(db)` wraps a database so that each of its transactions collects hooks, run after
 * COMMIT (never after ROLLBACK) and awaited before `transaction()` resolves, so the caller's
 * response is sent only once every instance sees the change.
 */
import type { Database, Queryable, Row } from '../db/queryable.js';

type Hook = () => Promise<void>;

const pending = new WeakMap<Queryable, Hook[]>();

/** The same database; its transactions run {@link afterCommit} hooks after COMMIT. */
export function trackCommits(db: Database): Database {
  return {
    kind: db.kind,
    query: <R extends object = Row>(text: string, params?: readonly unknown[]) =>
      db.query<R>(text, params),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const hooks: Hook[] = [];
      const result = await db.transaction((tx) => {
        pending.set(tx, hooks);
        return fn(tx);
      });
      // Hooks are best effort (they never reject: see ReadThroughCache.invalidate); one failing
      // must not fail a committed transaction.
      await Promise.all(hooks.map((hook) => hook().catch(() => undefined)));
      return result;
    },
  };
}

/**
 * Runs `hook` after `tx` commits. On a connection that is not a tracked transaction (autocommit,
 * or a transaction opened on an unwrapped database) it runs now: the best that can be done there,
 * with the cache's TTL bounding any staleness.
 */
export async function afterCommit(tx: Queryable, hook: Hook): Promise<void> {
  const hooks = pending.get(tx);
  if (hooks) hooks.push(hook);
  else await hook().catch(() => undefined);
}
