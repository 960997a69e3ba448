/**
 * Named statements: SQL the `pg` driver prepares once per connection (protocol-level Parse with a
 * name, then Bind/Execute only). node-postgres sends every other query unnamed, which Postgres
 * parses, analyses and plans on every call; for the settlement's statements that is a large part
 * of their CPU (docs/PERFORMANCE.md "Round 5 (pgprep)").
 *
 * What holds a prepared statement, and what that means:
 * - it lives in one server session: a new connection (a pool's new client, a reconnect after a
 *   failover) prepares again on its first use; nothing is shared or persisted;
 * - Postgres re-plans it by itself after DDL on the tables it uses (a migration while the bank
 *   runs), except when the statement's result columns change type: that fails with "cached plan
 *   must not change result type" (SQLSTATE 0A000), which `pg.ts` answers by dropping the
 *   connection ({@link isCachedPlanInvalid}) and `retry.ts` by running the transaction again;
 * - behind PgBouncer in transaction pooling it needs PgBouncer ≥ 1.21 with
 *   `max_prepared_statements` > 0 (docs/scaling.md), which tracks protocol-level prepared
 *   statements per client and prepares them on whichever server connection runs them.
 */
import { createHash } from 'node:crypto';
import type { NamedStatement, Statement } from './queryable.js';

/** Names by text: a statement's name is derived once, whatever builds its text each call. */
const names = new Map<string, string>();
/** Distinct texts kept at most (the bank has a few dozen); past it the map starts afresh. */
const MAX_NAMES = 1_000;

/**
 * `text` as a statement prepared once per connection, named `label` and a hash of the text — so
 * two texts never share a name (node-postgres refuses that) and a builder that makes a few
 * variants of one statement (with or without an optional CTE) gets one prepared statement each.
 * Only for texts drawn from a small fixed set: values go in parameters, never in the text.
 * @throws RangeError when `label` is not 1–40 of `[a-z0-9_.]`
 */
export function named(label: string, text: string): NamedStatement {
  // Postgres cuts identifiers at 63 bytes: a long label would cut the hash off.
  if (!/^[a-z0-9_.]{1,40}$/.test(label)) throw new RangeError(`bad statement label: ${label}`);
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_NAMES) names.clear();
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
    name = `offpay.${label}.${hash}`;
    names.set(text, name);
  }
  return { name, text };
}

/** The SQL text of a statement. */
export function textOf(statement: Statement): string {
  return typeof statement === 'string' ? statement : statement.text;
}
