/**
 * Regression tests of issue #12 item 5 on Postgres: past 100,000 revoked serials the newest is
 * still listed, storage grows by O(1) rows per revocation, and a signed delta from list N applied
 * to list N gives list N+k exactly. Bulk certificates and revocations are inserted with SQL
 * (generate_series); the revocation under test goes through the bank.
 */
import { fromBase64Url } from '@offpay/crypto';
import { applyRevocationDelta, GRACE_SECONDS, LIMITS } from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { revocationsSince } from '../../helpers/revocations.js';
import { useWorld, type World } from '../../helpers/world.js';

const bank = useWorld({ clock: new Date('2030-01-01T00:00:00.000Z') });
const DAY = 86_400;

/**
 * `n` payer certificates cloned from a real one (same account and keys), revoked with reason
 * `closed` — rows only, as if revoked long ago. Returns the highest new serial.
 */
async function bulkRevoked(world: World, n: number): Promise<number> {
  const template = (await world.payer(10n)).cert.serial;
  await world.db.query(
    `INSERT INTO payer_certificates (account_id, issuer_kid, kid, sign_key, currency, limit_minor,
       issued_at, expires_at, status, closed_at, cert)
     SELECT account_id, issuer_kid, kid, sign_key, currency, limit_minor, issued_at, expires_at,
       'closed', issued_at, cert
     FROM payer_certificates, generate_series(1, $2) WHERE serial = $1`,
    [template, n],
  );
  const rows = await world.db.query<{ serial: bigint }>(
    `INSERT INTO revocations (serial, reason, created_at)
     SELECT serial, 'closed', issued_at FROM payer_certificates WHERE serial > $1
       AND status = 'closed' AND serial NOT IN (SELECT serial FROM revocations)
     RETURNING serial`,
    [template],
  );
  return Math.max(...rows.map((r) => Number(r.serial)));
}

/** Closes a fresh payer certificate through the API: the newest revocation. */
async function closeNew(world: World): Promise<number> {
  const { user, cert } = await world.payer(10n);
  const res = await world.post(`/v1/certificates/${cert.serial}/close`, undefined, user);
  expect(res.statusCode, res.body).toBe(200);
  return cert.serial;
}

/** Rows and bytes of the revocation tables. */
async function storage(world: World) {
  const rows = await world.db.query<{ lists: bigint; bytes: bigint; changes: bigint }>(
    `SELECT (SELECT count(*) FROM revocation_lists) AS lists,
       (SELECT coalesce(sum(octet_length(signed)), 0) FROM revocation_lists) AS bytes,
       (SELECT count(*) FROM revocation_list_changes) AS changes`,
  );
  const r = rows[0]!;
  return { lists: Number(r.lists), bytes: Number(r.bytes), changes: Number(r.changes) };
}

describe('a revocation list that scales (issue #12 item 5)', () => {
  it('stores one small list row and O(1) change rows per revocation', async () => {
    await closeNew(bank);
    const before = await storage(bank);
    const latest = await bank.revocationList();
    for (let i = 0; i < 5; i++) await closeNew(bank);
    const after = await storage(bank);
    // Before: one whole signed list per revocation, each larger than the last. Now no list bytes
    // are stored (the latest list is signed when read), one row per list.
    expect(after.lists).toBe(1);
    expect(after.changes - before.changes).toBe(5);
    expect(after.bytes).toBe(0);
    expect(fromBase64Url(latest.signed).length).toBeGreaterThan(0);
    expect((await bank.revocationList()).seq).toBe(latest.seq + 5);
  });

  it('answers a signed delta that turns list N into list N+k, removals included', async () => {
    const expiring = await closeNew(bank);
    const base = await bank.revocationList();
    expect(base.serials).toContain(String(expiring));
    // Past expiry + grace the expiring certificate leaves with the next publication.
    bank.advance(7 * DAY + GRACE_SECONDS + 1);
    const added = [await closeNew(bank), await closeNew(bank), await closeNew(bank)];
    const latest = await bank.revocationList();
    expect(latest.seq).toBe(base.seq + 3);

    const answer = await revocationsSince(bank, base.seq);
    if (answer.kind !== 'delta') throw new Error(`expected a delta, got ${answer.kind}`);
    expect(answer).toMatchObject({
      fromSeq: base.seq,
      toSeq: latest.seq,
      issuedAt: latest.issuedAt,
    });
    expect(answer.added).toEqual(added.map(String));
    expect(answer.removed).toContain(String(expiring));
    const applied = applyRevocationDelta(
      { seq: base.seq, serials: base.serials.map(Number) },
      {
        fromSeq: answer.fromSeq,
        added: answer.added.map(Number),
        removed: answer.removed.map(Number),
      },
    );
    expect(applied).toEqual(latest.serials.map(Number));

    // The latest list itself: an empty delta. Newer than the latest, or malformed: refused or full.
    expect(await revocationsSince(bank, latest.seq)).toMatchObject({
      kind: 'delta',
      fromSeq: latest.seq,
      toSeq: latest.seq,
      added: [],
      removed: [],
    });
    expect(await revocationsSince(bank, latest.seq + 1)).toMatchObject({
      kind: 'list',
      seq: latest.seq,
    });
    for (const bad of ['-1', 'abc', '01', '99999999999999999'])
      expect((await bank.get(`/v1/revocations?since=${bad}`)).statusCode).toBe(400);
    // Without since: the full list, as before deltas.
    expect((await bank.get('/v1/revocations')).json()).toMatchObject({
      kind: 'list',
      seq: latest.seq,
    });
  });

  it('keeps the newest revocation on the list past 100,000 serials, and sends the full list when a delta would be too large', async () => {
    const before = await bank.revocationList();
    const highestBulk = await bulkRevoked(bank, 100_001);
    const newest = await closeNew(bank);
    expect(newest).toBeGreaterThan(highestBulk);
    const list = await bank.revocationList();
    // Before: ORDER BY serial LIMIT 100000 left off the highest serials — the newest first.
    expect(list.serials.length).toBeGreaterThan(100_001);
    expect(list.serials.at(-1)).toBe(String(newest));
    expect(list.serials).toContain(String(highestBulk));
    // 100,002 changes since `before`: more than a delta carries, so the full list.
    expect(await revocationsSince(bank, before.seq)).toMatchObject({ kind: 'list', seq: list.seq });
    const metric = await bank.app.metrics.registry.getSingleMetricAsString(
      'offpay_revocation_list_entries',
    );
    expect(metric).toContain(`offpay_revocation_list_entries ${list.serials.length}`);
  }, 120_000);

  it('refuses a revocation that would take the list past its bound, recording nothing', async () => {
    const list = await bank.revocationList();
    const room = LIMITS.revocationListEntries - list.serials.length;
    await bulkRevoked(bank, room - 1);
    const last = await closeNew(bank);
    expect((await bank.revocationList()).serials).toHaveLength(LIMITS.revocationListEntries);
    expect((await bank.revocationList()).serials.at(-1)).toBe(String(last));

    const { user, cert } = await bank.payer(10n);
    const res = await bank.post(`/v1/certificates/${cert.serial}/close`, undefined, user);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      code: 'BANK_REVOCATION_LIST_FULL',
      details: { limit: LIMITS.revocationListEntries },
    });
    const recorded = await bank.db.query('SELECT 1 FROM revocations WHERE serial = $1', [
      cert.serial,
    ]);
    expect(recorded).toHaveLength(0);
  }, 120_000);
});
