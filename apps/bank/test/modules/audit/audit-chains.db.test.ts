/**
 * The payee audit chains (docs/scaling.md "The audit chain"): a settlement's audit line goes on its
 * payee's own chain, moved with the payee's head row; the main chain's anchors commit to those
 * chains; `AuditLog.verify()` walks all of them and finds an edited entry, a chain cut short behind
 * an anchor, and a head row that no longer matches its chain.
 */
import { describe, expect, it } from 'vitest';
import { type PayeeDevice, useWorld } from '../../helpers/world.js';

const world = useWorld({ invariants: true });

const audit = () => world.app.services.audit;

async function settleOne(payee: PayeeDevice, amount: number): Promise<void> {
  const payer = await world.payer(10_000n);
  const results = await world.settleEntries(payee, [world.pay(payer, payee, amount)]);
  expect(results.map((r) => r.status)).toEqual(['settled']);
}

async function chainRows(serial: number) {
  return world.db.query<{ id: bigint; action: string; actor: string }>(
    'SELECT id, action, actor FROM audit_log WHERE chain = $1 ORDER BY id',
    [serial],
  );
}

/** Runs `fn` with the append-only trigger off (what someone with the database's rights could do). */
async function tampering(fn: () => Promise<unknown>): Promise<void> {
  await world.db.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
  try {
    await fn();
  } finally {
    await world.db.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
  }
}

describe('payee audit chains', () => {
  let shop: PayeeDevice;
  let other: PayeeDevice;

  it('puts each settlement line on its payee chain, moved with the payee head, and verifies', async () => {
    shop = await world.payee('Chain Shop');
    other = await world.payee('Other Shop');
    await Promise.all([settleOne(shop, 100), settleOne(other, 200)]);
    await settleOne(shop, 300);

    const mine = await chainRows(shop.cert.serial);
    expect(mine.map((r) => [r.action, r.actor])).toEqual([
      ['settlement', `payee:${shop.cert.serial}`],
      ['settlement', `payee:${shop.cert.serial}`],
    ]);
    expect(await chainRows(other.cert.serial)).toHaveLength(1);
    const [head] = await world.db.query<{ audit_count: bigint }>(
      'SELECT audit_count FROM payee_heads WHERE payee_serial = $1',
      [shop.cert.serial],
    );
    expect(head?.audit_count).toBe(2n);
    // No settlement line went on the main chain, so no settlement took its lock.
    expect(
      await world.db.query("SELECT 1 FROM audit_log WHERE chain IS NULL AND action = 'settlement'"),
    ).toEqual([]);
    const all = await world.db.query<{ n: bigint }>('SELECT count(*) AS n FROM audit_log');
    expect(await audit().verify(world.db)).toEqual({ ok: true, count: Number(all[0]!.n) });
  });

  it('anchors each grown chain once in the main chain, and again only after it grew', async () => {
    expect(await audit().anchor(world.db)).toBeGreaterThanOrEqual(2);
    const [anchor] = await world.db.query<{ data: { chains: [number, number, string][] } }>(
      "SELECT data FROM audit_log WHERE chain IS NULL AND action = 'audit.anchor' ORDER BY id DESC LIMIT 1",
    );
    const named = new Map(anchor!.data.chains.map(([chain, count]) => [chain, count]));
    expect(named.get(shop.cert.serial)).toBe(2);
    expect(named.get(other.cert.serial)).toBe(1);
    expect(await audit().anchor(world.db)).toBe(0);
    await settleOne(shop, 400);
    expect(await audit().anchor(world.db)).toBe(1);
    expect((await audit().verify(world.db)).ok).toBe(true);
  });

  it('finds an edited settlement line', async () => {
    const [first] = await chainRows(shop.cert.serial);
    await tampering(() =>
      world.db.query(`UPDATE audit_log SET data = data || '{"entries": 99}' WHERE id = $1`, [
        first!.id,
      ]),
    );
    try {
      expect(await audit().verify(world.db)).toMatchObject({ ok: false, brokenAt: first!.id });
    } finally {
      await tampering(() =>
        world.db.query(`UPDATE audit_log SET data = data || '{"entries": 1}' WHERE id = $1`, [
          first!.id,
        ]),
      );
    }
    expect((await audit().verify(world.db)).ok).toBe(true);
  });

  it('finds a head row that does not match its chain', async () => {
    const serial = other.cert.serial;
    const [row] = await world.db.query<{ audit_head: Uint8Array }>(
      'SELECT audit_head FROM payee_heads WHERE payee_serial = $1',
      [serial],
    );
    await world.db.query(
      "UPDATE payee_heads SET audit_head = decode(repeat('ab', 32), 'hex') WHERE payee_serial = $1",
      [serial],
    );
    try {
      expect((await audit().verify(world.db)).ok).toBe(false);
    } finally {
      await world.db.query('UPDATE payee_heads SET audit_head = $2 WHERE payee_serial = $1', [
        serial,
        row!.audit_head,
      ]);
    }
    expect((await audit().verify(world.db)).ok).toBe(true);
  });

  it('finds a chain cut short behind an anchor, even with its head row moved back to match', async () => {
    const serial = shop.cert.serial;
    const rows = await chainRows(serial);
    expect(rows).toHaveLength(3);
    const last = await world.db.query<Record<string, unknown>>(
      'SELECT * FROM audit_log WHERE id = $1',
      [rows[2]!.id],
    );
    const [before] = await world.db.query<{ entry_hash: Uint8Array }>(
      'SELECT entry_hash FROM audit_log WHERE id = $1',
      [rows[1]!.id],
    );
    const [anchorId] = await world.db.query<{ id: bigint }>(
      "SELECT max(id) AS id FROM audit_log WHERE chain IS NULL AND action = 'audit.anchor'",
    );
    await tampering(() => world.db.query('DELETE FROM audit_log WHERE id = $1', [rows[2]!.id]));
    await world.db.query(
      'UPDATE payee_heads SET audit_head = $2, audit_count = 2 WHERE payee_serial = $1',
      [serial, before!.entry_hash],
    );
    try {
      expect(await audit().verify(world.db)).toMatchObject({ ok: false, brokenAt: anchorId!.id });
    } finally {
      const r = last[0]!;
      await world.db.query(
        `INSERT INTO audit_log (id, chain, prev_hash, entry_hash, at, actor, action, data)
         OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [r.id, r.chain, r.prev_hash, r.entry_hash, r.at, r.actor, r.action, r.data],
      );
      await world.db.query(
        'UPDATE payee_heads SET audit_head = $2, audit_count = 3 WHERE payee_serial = $1',
        [serial, r.entry_hash],
      );
    }
    expect((await audit().verify(world.db)).ok).toBe(true);
  });
});
