/**
 * Migration 014 on a bank that already published revocation lists (one whole list per
 * revocation): it keeps only the latest (with its bytes, served until the next list), records the live revoked payer serials as the current
 * entries, starts deltas after that list, and leaves the changes append-only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations, runMigrations } from '../../src/db/migrate.js';
import { createTestSchema, type TestSchema } from '../helpers/db.js';

const schemas: TestSchema[] = [];
afterEach(async () => {
  await Promise.all(schemas.splice(0).map((s) => s.drop()));
});

const bytes = (n: number, fill: number) => Buffer.alloc(n, fill);

describe('migration 014 (revocation deltas) on an existing bank', () => {
  it('keeps the latest signed list only and takes in the live revoked serials', async () => {
    const schema = await createTestSchema();
    schemas.push(schema);
    const db = schema.open();
    const all = await loadMigrations();
    await runMigrations(
      db,
      all.filter((m) => m.version < 14),
    );
    await db.query(
      `INSERT INTO bank_keys (kid, kind, public_key, secret_key_sealed) VALUES ($1, 'sign', $2, $3)`,
      [bytes(8, 1), bytes(33, 2), bytes(60, 3)],
    );
    const [account] = await db.query<{ id: string }>(
      `INSERT INTO accounts (kind, currency) VALUES ('reserve', 'EUR') RETURNING id`,
    );
    // Serial 1 expired long ago (past grace), 2 is live; both revoked; 3 live and not revoked.
    for (const [serial, expires] of [
      [1, "now() - interval '30 days'"],
      [2, "now() + interval '5 days'"],
      [3, "now() + interval '5 days'"],
    ] as const) {
      await db.query(
        `INSERT INTO payer_certificates (serial, account_id, issuer_kid, kid, sign_key, currency,
           limit_minor, issued_at, expires_at, status, closed_at, cert)
         VALUES ($1, $2, $3, $4, $5, 'EUR', 10, now() - interval '60 days', ${expires},
           'closed', now(), $6)`,
        [serial, account!.id, bytes(8, 1), bytes(8, 4), bytes(33, 5), bytes(10, 6)],
      );
    }
    await db.query(`INSERT INTO revocations (serial, reason) VALUES (1, 'closed'), (2, 'closed')`);
    for (const seq of [0, 1, 2])
      await db.query('INSERT INTO revocation_lists (seq, signed) VALUES ($1, $2)', [
        seq,
        bytes(100, seq),
      ]);

    expect((await runMigrations(db)).applied).toEqual(
      all.filter((m) => m.version >= 14).map((m) => m.version),
    );
    expect(
      await db.query(
        `SELECT seq, deltas_from, through_revocation, signed IS NOT NULL AS kept,
           issued_at = created_at AS issued FROM revocation_lists`,
      ),
    ).toEqual([{ seq: 2n, deltas_from: 3n, through_revocation: 2n, kept: true, issued: true }]);
    expect(await db.query('SELECT serial, added_seq FROM revocation_list_entries')).toEqual([
      { serial: 2n, added_seq: 2n },
    ]);
    // The changes log is append-only; a superseded list may be deleted, never changed.
    await db.query(
      `INSERT INTO revocation_list_changes (list_seq, serial, change) VALUES (3, 2, 'removed')`,
    );
    await expect(db.query('DELETE FROM revocation_list_changes')).rejects.toThrow();
    await expect(
      db.query('UPDATE revocation_lists SET signed = $1', [bytes(1, 0)]),
    ).rejects.toThrow();
    await db.query('DELETE FROM revocation_lists WHERE seq = 2');
    await db.close();
  });
});
