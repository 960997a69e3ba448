import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/queryable.js';
import { createAuditLog } from '../../../src/modules/audit/audit.service.js';
import { createMigratedDatabase, type TestSchema } from '../../helpers/db.js';

let db: Database;
let schema: TestSchema;
beforeAll(async () => {
  ({ db, schema } = await createMigratedDatabase());
});
afterAll(async () => {
  await schema.drop();
});

describe('audit log on Postgres', () => {
  it('stays one unbroken chain under concurrent appends', async () => {
    const audit = createAuditLog({ now: () => new Date() });
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        db.transaction((tx) =>
          audit.append(tx, {
            actor: 'test',
            action: 'test.append',
            data: { i, nested: { z: 1, a: 'x' } },
          }),
        ),
      ),
    );
    expect(await audit.verify(db)).toEqual({ ok: true, count: 25 });
  });

  it('stores any actor and data exactly as given (quotes, backslashes, SQL, unicode) and the chain still verifies', async () => {
    const audit = createAuditLog({ now: () => new Date() });
    const actor = `user:o'brien\\'); DROP TABLE audit_log; -- ü 😀`;
    const data = { note: "'; DELETE FROM audit_log; --", path: 'C:\\x00\\n', emoji: '😀', n: 7 };
    await db.transaction((tx) => audit.append(tx, { actor, action: 'test.quoted', data }));
    const rows = await audit.list(db, 0n, 1000);
    const mine = rows.find((r) => r.action === 'test.quoted');
    expect(mine).toMatchObject({ actor, data });
    expect((await audit.verify(db)).ok).toBe(true);
  });

  it('rolls an entry back with the transaction it belongs to', async () => {
    const audit = createAuditLog({ now: () => new Date() });
    await expect(
      db.transaction(async (tx) => {
        await audit.append(tx, { actor: 'test', action: 'test.rolled_back' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await db.query("SELECT 1 FROM audit_log WHERE action = 'test.rolled_back'")).toEqual([]);
    expect((await audit.verify(db)).ok).toBe(true);
  });

  it('refuses edits and deletions (append-only)', async () => {
    await expect(db.query("UPDATE audit_log SET actor = 'mallory'")).rejects.toMatchObject({
      code: '23001',
    });
    await expect(db.query('DELETE FROM audit_log')).rejects.toMatchObject({ code: '23001' });
    await expect(db.query('TRUNCATE audit_log')).rejects.toMatchObject({ code: '23001' });
  });
});
