/**
 * The first statement of a settlement locks the payee's head row and reads the batch's stored
 * result in the same round trip (settlement.repo.ts `lockPayeeHead`). Under READ COMMITTED its
 * snapshot predates a wait for that lock, so an equal batch that committed during the wait is
 * not in it: the head has moved, and the settlement must read the result again rather than
 * refuse the batch as not continuous.
 */
import {
  encodeSettlementBatch,
  readSettlementBatch,
  signSettlementBatch,
  type Payment,
} from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import type { SettlementDeps } from '../../../src/modules/settlement/settlement.ports.js';
import { findPayeeByKid } from '../../../src/modules/settlement/settlement.repo.js';
import { settleVerified } from '../../../src/modules/settlement/settlement.service.js';
import { createNativeVerifier } from '../../../src/modules/settlement/verify/native-verify.js';
import { useWorld } from '../../helpers/world.js';

const world = useWorld({ invariants: true });

/** Polls until `n` backends wait on a lock in the head-lock statement. */
async function waitersOnHead(n: number): Promise<void> {
  for (;;) {
    const rows = await world.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM pg_stat_activity
       WHERE wait_event_type = 'Lock' AND query LIKE '%FROM payee_heads h WHERE h.payee_serial%'`,
    );
    if (Number(rows[0]!.n) >= n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("an equal batch that waited on the payee's head row", () => {
  it('gets the stored result of the batch that settled meanwhile, not BANK_BATCH_NOT_CONTINUOUS', async () => {
    const payer = await world.payer(10_000n);
    const device = await world.payee();
    const payments: Payment[] = [world.pay(payer, device, 700), world.pay(payer, device, 300)];
    const signed = signSettlementBatch(
      { payeeKid: device.kid, from: device.settled, payments },
      device.secretKey,
    );
    const reading = readSettlementBatch(encodeSettlementBatch(signed));
    const payee = (await findPayeeByKid(world.db, device.kid))!;
    const s = world.app.services;
    // No Redis payee lock in front: both transactions meet on the Postgres row.
    const deps: SettlementDeps = {
      db: world.db,
      keyring: s.keyring,
      accounts: s.accounts,
      audit: s.audit,
      verifier: createNativeVerifier(),
      recordFraudProof: (tx, proof) => s.fraud.record(tx, proof),
      now: () => world.clock,
    };
    const outcomes = await world.db.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM payee_heads WHERE payee_serial = $1 FOR UPDATE', [
        payee.serial,
      ]);
      const both = [
        settleVerified(deps, reading, payee),
        settleVerified(deps, reading, payee),
      ] as const;
      // Awaited after COMMIT; a rejection before that is not left unhandled meanwhile.
      for (const p of both) p.catch(() => undefined);
      await waitersOnHead(2);
      return both; // the head row is released at this COMMIT
    });
    const [a, b] = await Promise.all(outcomes);
    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    expect(Buffer.from(a.signed).equals(Buffer.from(b.signed))).toBe(true);
    expect(a.result.results.map((r) => r.status)).toEqual(['settled', 'settled']);
    const rows = await world.db.query('SELECT 1 FROM settlements WHERE batch_key = $1', [
      signed.batchKey,
    ]);
    expect(rows).toHaveLength(1);
  });
});
