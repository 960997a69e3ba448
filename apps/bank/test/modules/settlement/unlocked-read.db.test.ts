/**
 * The payers' settled links are read before their certificates are locked and made exact under
 * the locks (settlement.repo.ts `settledLinksChecked`, docs/scaling.md "What one settlement
 * touches"): a settlement that commits payments of the same payer between the read and the lock
 * must still be seen, so a double spend racing it is caught.
 */
import { toHex } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import * as repo from '../../../src/modules/settlement/settlement.repo.js';
import { craftPayment, useWorld } from '../../helpers/world.js';

const world = useWorld({ invariants: true });

describe('settled links read before the certificate locks', () => {
  it('are read again for a payer whose payments another settlement committed in between', async () => {
    const payer = await world.payer(10_000n);
    const [a, b] = [await world.payee('Shop A'), await world.payee('Shop B')];
    const first = world.pay(payer, a, 4000);
    // The same counter again, to another payee: an equivocation of `first`.
    const twin = craftPayment(payer, { amount: 4000, payeeKid: b.kid, createdAt: world.now });
    world.append(b, twin);
    const batchA = await world.batch(a);
    await world.db.transaction(async (tx) => {
      const unlocked = await repo.settledLinks(tx, [twin]);
      expect(unlocked.links.size).toBe(0);
      expect(unlocked.versions.has(payer.cert.serial)).toBe(true);
      // Another payee's batch settles `first` and commits before this transaction locks.
      const res = await world.settle(batchA.sealed);
      expect(res.statusCode, res.body).toBe(200);
      const certs = await repo.lockPayerCerts(tx, [payer.cert.serial]);
      const settled = await repo.settledLinksChecked(tx, [twin], unlocked, certs);
      expect(settled.links.get(payer.cert.serial)?.map((l) => toHex(l.paymentId))).toEqual([
        toHex(first.paymentId),
      ]);
      expect(settled.ids.has(toHex(first.paymentId))).toBe(true);
    });
    // End to end: the twin is caught as the equivocation it is (within the reserve it still
    // settles; the proof is stored and the certificate revoked).
    const res = await world.settle((await world.batch(b)).sealed);
    expect(res.statusCode, res.body).toBe(200);
    const proofs = await world.db.query<{ kind: string }>(
      'SELECT kind FROM fraud_proofs WHERE serial = $1',
      [payer.cert.serial],
    );
    expect(proofs).toEqual([{ kind: 'equivocation' }]);
  });

  it('are kept as read when nothing was settled for the payer in between', async () => {
    const payer = await world.payer(10_000n);
    const a = await world.payee('Shop A');
    world.pay(payer, a, 1000);
    const settledFirst = await world.settle((await world.batch(a)).sealed);
    expect(settledFirst.statusCode, settledFirst.body).toBe(200);
    world.settledAll(a);
    const next = world.pay(payer, a, 500);
    await world.db.transaction(async (tx) => {
      const unlocked = await repo.settledLinks(tx, [next]);
      expect(unlocked.links.get(payer.cert.serial)).toHaveLength(1);
      const certs = await repo.lockPayerCerts(tx, [payer.cert.serial]);
      expect(certs[0]!.version).toBe(unlocked.versions.get(payer.cert.serial));
      expect(await repo.settledLinksChecked(tx, [next], unlocked, certs)).toBe(unlocked);
    });
  });
});
