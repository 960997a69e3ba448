/**
 * Honest payees settling at once never deadlock (issue #10 item 2): every account a batch will
 * touch is locked in one statement in id order before the first transfer. The two scenarios that
 * deadlocked (40P01, answered 500 BANK_INTERNAL) when each chunked transfer locked its own
 * accounts: payers with two certificates whose batches draw on more than 63 reserve accounts, and
 * two users who pay and sell, cheating at each other's tills beyond their reserves. Each is run
 * several rounds; every answer must be 200 and the ledger and reserve invariants hold.
 */
import { describe, expect, it } from 'vitest';
import { craftPayment, useWorld, type PayerDevice } from '../../helpers/world.js';

const world = useWorld({ invariants: true });

interface ResultBody {
  results: { status: string; code: string }[];
}

const statuses = (body: ResultBody) => body.results.map((r) => r.status);

/** Settlement transactions this instance ran again after a deadlock or serialization failure. */
async function conflictRetries(): Promise<number> {
  const { values } = await world.app.metrics.settlementRetries.get();
  return values.find((v) => v.labels.reason === 'conflict')?.value ?? 0;
}

describe('concurrent settlements that share accounts', () => {
  it('two payees paid by the two phones of 126 payers (two chunks of 63 reserves per batch) settle at once, every round', async () => {
    const payers = 126;
    const rounds = 8;
    const [a, b] = [await world.payee('Shop A'), await world.payee('Shop B')];
    const phones: [PayerDevice, PayerDevice][] = [];
    for (let i = 0; i < payers; i += 6) {
      const group = await Promise.all(
        Array.from({ length: Math.min(6, payers - i) }, async () => {
          const first = await world.payer(10_000n, 20_000n);
          return [first, await world.payerOf(first.user, 10_000n)] as [PayerDevice, PayerDevice];
        }),
      );
      phones.push(...group);
    }
    // Shop A is paid by every first phone in one order, Shop B by every second phone with the
    // halves swapped: a transfer takes 63 sources, so each batch's first chunk locks the reserve
    // accounts its second chunk needs from the other — a deadlock when chunks lock on their own.
    const half = payers / 2;
    const orderB = [...phones.slice(half), ...phones.slice(0, half)];
    for (let round = 0; round < rounds; round++) {
      for (const [first] of phones) world.pay(first, a, 10);
      for (const [, second] of orderB) world.pay(second, b, 10);
      const [batchA, batchB] = [await world.batch(a), await world.batch(b)];
      const answers = await Promise.all([world.settle(batchA.sealed), world.settle(batchB.sealed)]);
      for (const r of answers) {
        expect(r.statusCode, `round ${round}: ${r.body}`).toBe(200);
        expect(statuses(r.json<ResultBody>())).toEqual(Array(payers).fill('settled'));
      }
      world.settledAll(a);
      world.settledAll(b);
    }
    // Not one deadlock needed the retry: the locks themselves prevent them.
    expect(await conflictRetries()).toBe(0);
    expect(await world.balance(a.user.accountId)).toBe(BigInt(payers * rounds * 10));
    expect(await world.balance(b.user.accountId)).toBe(BigInt(payers * rounds * 10));
    for (const [first] of phones) {
      expect(await world.balance(await world.reserveAccount(first.user))).toBe(
        20_000n - BigInt(2 * rounds * 10),
      );
    }
  }, 180_000);

  it('two users who pay and sell, each cheating at the other’s till beyond the reserve, settle at once, every round', async () => {
    const rounds = 8;
    const x = await world.payer(1_000n, 100_000n);
    const y = await world.payer(1_000n, 100_000n);
    const tillX = await world.payeeOf(x.user, 'X Shop');
    const tillY = await world.payeeOf(y.user, 'Y Shop');
    for (let round = 0; round < rounds; round++) {
      // A fresh certificate each round: the previous one was revoked by its fraud proof.
      const [phoneX, phoneY] =
        round === 0
          ? [x, y]
          : [await world.payerOf(x.user, 1_000n), await world.payerOf(y.user, 1_000n)];
      for (const [phone, till] of [
        [phoneX, tillY],
        [phoneY, tillX],
      ] as const) {
        // An equivocation: two first payments of 800 against a reserve of 1,000.
        for (let i = 0; i < 2; i++) {
          world.append(
            till,
            craftPayment(phone, { amount: 800, payeeKid: till.kid, createdAt: world.now }),
          );
        }
      }
      const [batchX, batchY] = [await world.batch(tillX), await world.batch(tillY)];
      const answers = await Promise.all([world.settle(batchX.sealed), world.settle(batchY.sealed)]);
      for (const r of answers) {
        expect(r.statusCode, `round ${round}: ${r.body}`).toBe(200);
        expect(statuses(r.json<ResultBody>())).toEqual(['settled', 'settled']);
      }
      world.settledAll(tillX);
      world.settledAll(tillY);
    }
    expect(await conflictRetries()).toBe(0);
    // Each round each user received 1,600 and paid 1,000 from a new reserve and 600 recovered.
    const proofs = await world.db.query('SELECT 1 FROM fraud_proofs');
    expect(proofs).toHaveLength(2 * rounds);
    for (const u of [x.user, y.user]) {
      const { customer } = await world.balances(u);
      // Per round: 1,000 reserved for a new certificate, 1,600 received, 600 recovered from it.
      expect(customer).toBe(100_000n);
    }
  }, 60_000);
});
