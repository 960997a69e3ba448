/**
 * Properties over random payer histories and random tampering (fast-check, fixed numRuns: signing
 * and sealing cost milliseconds in pure JS). A failing seed becomes a regression test.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  detectFraud,
  encodeFraudProof,
  makeFraudProof,
  verifyFraudProof,
  type FraudKind,
  type Payment,
} from '../src/index.js';
import {
  codeOf,
  flipByte,
  makeBank,
  makePayee,
  makePayer,
  MemoryReceiver,
  next,
  pay,
  random,
  sealTo,
  type Payee,
} from './helpers.js';

const LIMIT = 1_000_000;
const bank = makeBank();
const payer = makePayer(bank, { limit: LIMIT });
const payees = [makePayee(bank), makePayee(bank), makePayee(bank)];

/** Random honest histories: 1..8 payments within the limit, spread over three receivers. */
const history = fc.array(
  fc.record({ amount: fc.integer({ min: 1, max: LIMIT / 10 }), to: fc.nat(payees.length - 1) }),
  {
    minLength: 1,
    maxLength: 8,
  },
);

/** Signs an honest chain: counters from 1, prev links, cumulative totals. */
function honest(steps: { amount: number; to: number }[]): Payment[] {
  const out: Payment[] = [];
  for (const { amount, to } of steps) {
    const payee = payees[to]!;
    out.push(
      out.length === 0
        ? pay(payer, payee, { amount })
        : next(payer, payee, out[out.length - 1]!, amount),
    );
  }
  return out;
}

/** The kinds every pair of `others` with `p` reports (both argument orders). */
const kindsWith = (p: Payment, others: Payment[]) =>
  others.flatMap((o) => [detectFraud(o, p), detectFraud(p, o)]);

describe('honest payers', () => {
  it('are never flagged: no pair of an honest history is a fraud, in either order', () => {
    fc.assert(
      fc.property(history, (steps) => {
        const chain = honest(steps);
        for (const p of chain) expect(kindsWith(p, chain).filter((k) => k !== null)).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it('are accepted by one receiver whatever order their payments arrive in', () => {
    const payee = payees[0]!;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 2, maxLength: 4 }),
        fc.func(fc.integer()),
        (amounts, key) => {
          const chain = honest(amounts.map((amount) => ({ amount, to: 0 })));
          const receiver = new MemoryReceiver(bank, payee);
          const shuffled = chain.map((p, i) => ({ p, k: key(i) })).sort((a, b) => a.k - b.k);
          for (const { p } of shuffled) receiver.accept(sealTo(payee, p));
          expect(receiver.entries).toHaveLength(chain.length);
        },
      ),
      { numRuns: 6 },
    );
  });
});

/** One cheating payment added to an honest chain of `n`, with the kind it must be caught as. */
type Cheat = {
  kind: FraudKind;
  make: (chain: Payment[], k: number, to: Payee, delta: number) => Payment;
};
const cheats: Cheat[] = [
  {
    // Re-signs counter k with another amount (and possibly another payee).
    kind: 'equivocation',
    make: (chain, k, to, delta) => {
      const h = chain[k - 1]!;
      return pay(payer, to, {
        counter: k,
        prev: h.prev,
        amount: h.amount + delta,
        spent: h.spent + delta,
      });
    },
  },
  {
    // Counter max(k, 2) that does not link to the payment before it.
    kind: 'fork',
    make: (chain, k, to, delta) => {
      const before = chain[Math.max(k - 2, 0)]!;
      return pay(payer, to, {
        counter: Math.max(k, 2),
        prev: random(32),
        amount: delta,
        spent: before.spent + delta,
      });
    },
  },
  {
    // Counter k + 2 linking to payment k, skipping k + 1.
    kind: 'fork',
    make: (chain, k, to, delta) => {
      const h = chain[k - 1]!;
      return pay(payer, to, {
        counter: k + 2,
        prev: h.paymentId,
        amount: delta,
        spent: h.spent + delta,
      });
    },
  },
  {
    // Counter k + 1 after payment k, with a total lower than payment k's total plus its amount.
    kind: 'understated',
    make: (chain, k, to, delta) => {
      const h = chain[k - 1]!;
      const amount = 1 + (delta % 1000);
      const under = 1 + (delta % h.spent);
      return pay(payer, to, {
        counter: k + 1,
        prev: h.paymentId,
        amount,
        spent: h.spent + amount - under,
      });
    },
  },
];

describe('a payer that cheats once', () => {
  it('is always caught by a pair involving the cheating payment, and that pair is a valid proof', () => {
    fc.assert(
      fc.property(
        history,
        fc.constantFrom(...cheats),
        fc.nat(),
        fc.nat(payees.length - 1),
        fc.integer({ min: 1, max: LIMIT / 10 }),
        (steps, cheat, at, to, delta) => {
          const chain = honest(steps);
          const k = 1 + (at % chain.length);
          const cheating = cheat.make(chain, k, payees[to]!, delta);
          const caughtBy = chain.filter((h) => detectFraud(h, cheating) === cheat.kind);
          expect(caughtBy.length).toBeGreaterThan(0);
          expect(detectFraud(cheating, caughtBy[0]!)).toBe(cheat.kind);
          const proof = verifyFraudProof(
            encodeFraudProof(makeFraudProof(cheating, caughtBy[0]!)),
            bank.keys,
          );
          expect(proof.kind).toBe(cheat.kind);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('sealed payments', () => {
  const payee = payees[1]!;
  const sealed = sealTo(payee, pay(payer, payee));

  it('are refused by the receiver whatever single byte is changed', () => {
    fc.assert(
      fc.property(fc.nat(sealed.length - 1), fc.integer({ min: 1, max: 255 }), (position, mask) => {
        const receiver = new MemoryReceiver(bank, payee);
        expect(codeOf(() => receiver.verify(flipByte(sealed, position, mask)))).toBe(
          'PROTO_SEAL_OPEN_FAILED',
        );
      }),
      { numRuns: 60 },
    );
    expect(() => new MemoryReceiver(bank, payee).verify(sealed)).not.toThrow();
  });
});
