/**
 * Migration 015 (per-payee audit chains) on a bank whose audit log is one chain: the entries stay
 * the main chain, which verifies and takes new entries after them; no payee chain exists yet.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations, runMigrations } from '../../src/db/migrate.js';
import {
  AUDIT_GENESIS,
  auditEntryHash,
  type AuditEntry,
} from '../../src/modules/audit/audit.domain.js';
import { createAuditLog } from '../../src/modules/audit/audit.service.js';
import { createTestSchema, type TestSchema } from '../helpers/db.js';

const schemas: TestSchema[] = [];
afterEach(async () => {
  await Promise.all(schemas.splice(0).map((s) => s.drop()));
});

describe('migration 015 (payee audit chains) on an existing bank', () => {
  it('keeps the one chain as the main chain, verified and appended to', async () => {
    const schema = await createTestSchema();
    schemas.push(schema);
    const db = schema.open();
    const all = await loadMigrations();
    await runMigrations(
      db,
      all.filter((m) => m.version < 15),
    );
    // Three entries as the bank wrote them before: one chain from the genesis.
    let prev = AUDIT_GENESIS;
    for (let i = 0; i < 3; i++) {
      const entry: AuditEntry = {
        at: new Date(Date.UTC(2026, 11, 1, 0, 0, i)),
        actor: i === 1 ? 'payee:7' : 'cli',
        action: i === 1 ? 'settlement' : 'operator.created',
        data: { i },
      };
      const hash = auditEntryHash(prev, entry);
      await db.query(
        `INSERT INTO audit_log (prev_hash, entry_hash, at, actor, action, data)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [prev, hash, entry.at, entry.actor, entry.action, JSON.stringify(entry.data)],
      );
      prev = hash;
    }
    await runMigrations(db, all);
    const audit = createAuditLog({ now: () => new Date(Date.UTC(2026, 11, 2)) });
    expect(await audit.verify(db)).toEqual({ ok: true, count: 3 });
    expect(
      await db.query<{ n: bigint }>('SELECT count(*) AS n FROM audit_log WHERE chain IS NULL'),
    ).toEqual([{ n: 3n }]);
    await db.transaction((tx) => audit.append(tx, { actor: 'cli', action: 'operator.created' }));
    expect(await audit.verify(db)).toEqual({ ok: true, count: 4 });
    const [last] = await db.query<{ prev_hash: Uint8Array }>(
      'SELECT prev_hash FROM audit_log ORDER BY id DESC LIMIT 1',
    );
    expect(last?.prev_hash).toEqual(prev);
    // Nothing to anchor: no payee chain yet.
    expect(await audit.anchor(db)).toBe(0);
  });
});
