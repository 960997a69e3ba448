/**
 * Fraud proofs at settlement against real Postgres (issue 4 "Attacks"; DESIGN.md §3 "Settlement
 * rule"; docs/protocol.md §8; docs/threat-model.md §4): each kind presented by two payees, the
 * reserve rule beyond the reserve (the worked example), and closed certificates.
 */
import { randomBytes } from '@offpay/crypto';
import type { Payment } from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { attackWorld, balances as kitBalances, craft as kitCraft } from './attack-kit.js';
import { auth, type PayeeDevice, type PayerDevice } from '../../helpers/world.js';

const world = attackWorld();

const settle = (payee: PayeeDevice, payments: Payment[]) => world.settleEntries(payee, payments);

const balances = (payer: PayerDevice, ...payees: PayeeDevice[]) =>
  kitBalances(world, payer, ...payees);
const craft = (
  payer: PayerDevice,
  payee: PayeeDevice,
  fields: Partial<Payment> & { amount: number },
  key?: Uint8Array,
) => kitCraft(world, payer, payee, fields, key);

/** The stored proofs of a serial, and the certificate's status. */
async function fraudState(serial: number) {
  const proofs = await world.db.query<{
    kind: string;
    payment_a: Uint8Array;
    payment_b: Uint8Array;
  }>('SELECT kind, payment_a, payment_b FROM fraud_proofs WHERE serial = $1', [serial]);
  const [cert] = await world.db.query<{ status: string }>(
    'SELECT status FROM payer_certificates WHERE serial = $1',
    [serial],
  );
  return { proofs, status: cert?.status, listed: (await world.revokedSerials()).includes(serial) };
}

describe('each fraud-proof kind presented by two payees', () => {
  const kinds = {
    // A holds counter 1; B gets another counter 1.
    equivocation: (payer: PayerDevice, a: PayeeDevice, b: PayeeDevice) => {
      const first = [world.pay(payer, a, 3000)];
      return { first, second: craft(payer, b, { amount: 3000 }) };
    },
    // A holds counter 1; B gets counter 2 whose prev is not counter 1's id.
    fork: (payer: PayerDevice, a: PayeeDevice, b: PayeeDevice) => {
      const first = [world.pay(payer, a, 3000)];
      return {
        first,
        second: craft(payer, b, { counter: 2, prev: randomBytes(32), spent: 6000, amount: 3000 }),
      };
    },
    // A holds counters 1 and 2 (spent 5000); B gets counter 3 claiming spent 4000 (amount 1000).
    understated: (payer: PayerDevice, a: PayeeDevice, b: PayeeDevice) => {
      const first = [world.pay(payer, a, 3000), world.pay(payer, a, 2000)];
      return {
        first,
        second: craft(payer, b, {
          counter: 3,
          prev: first[1]!.paymentId,
          spent: 4000,
          amount: 1000,
        }),
      };
    },
  } as const;

  for (const [kind, build] of Object.entries(kinds)) {
    it(`${kind}: the second payee settles while the reserve covers it; the proof is stored, the certificate revoked and listed`, async () => {
      const payer = await world.payer(10_000n);
      const a = await world.payee('Shop A');
      const b = await world.payee('Shop B');
      const { first, second } = build(payer, a, b);
      const firstTotal = first.reduce((s, p) => s + BigInt(p.amount), 0n);
      expect(await settle(a, first)).toMatchObject(first.map(() => ({ status: 'settled' })));
      expect(await fraudState(payer.cert.serial)).toMatchObject({
        proofs: [],
        status: 'active',
        listed: false,
      });
      expect(await settle(b, [second])).toMatchObject([{ status: 'settled', code: '' }]);
      const paid = BigInt(second.amount);
      expect(await balances(payer, a, b)).toEqual([
        10_000n - firstTotal - paid,
        0n,
        firstTotal,
        paid,
      ]);
      const state = await fraudState(payer.cert.serial);
      expect(state).toMatchObject({ proofs: [{ kind }], status: 'revoked', listed: true });
      const pair = [state.proofs[0]!.payment_a, state.proofs[0]!.payment_b];
      expect(pair).toContainEqual(new Uint8Array(second.paymentId));
    });
  }
});

describe('beyond the reserve (docs/threat-model.md §4 worked example)', () => {
  // limit 100.00 reserved; A is paid 80.00 under counter 1, then B presents another 80.00 under counter 1.
  for (const [available, outcome] of [
    [0n, 'rejected'],
    [5000n, 'rejected'],
    [6000n, 'settled'],
  ] as const) {
    it(`payer available ${available}: B is ${outcome === 'settled' ? 'settled, 20.00 from the reserve and 60.00 from the payer' : 'rejected with the proof, and nothing moves for it'}`, async () => {
      const payer = await world.payer(10_000n, 10_000n + available);
      const a = await world.payee('Shop A');
      const b = await world.payee('Shop B');
      const toA = world.pay(payer, a, 8000);
      const toB = craft(payer, b, { amount: 8000 });
      expect(await settle(a, [toA])).toMatchObject([{ status: 'settled' }]);
      expect(await balances(payer, a, b)).toEqual([2000n, available, 8000n, 0n]);
      const results = await settle(b, [toB]);
      if (outcome === 'settled') {
        expect(results).toMatchObject([{ status: 'settled', code: '' }]);
        expect(await balances(payer, a, b)).toEqual([0n, available - 6000n, 8000n, 8000n]);
      } else {
        expect(results).toMatchObject([{ status: 'rejected', code: 'PROTO_FRAUD_EQUIVOCATION' }]);
        expect(await balances(payer, a, b)).toEqual([2000n, available, 8000n, 0n]);
        // Presented again: still rejected, and the proof is stored once.
        expect(await settle(b, [toB])).toMatchObject([
          { status: 'rejected', code: 'PROTO_FRAUD_EQUIVOCATION' },
        ]);
        expect(await balances(payer, a, b)).toEqual([2000n, available, 8000n, 0n]);
      }
      expect(await fraudState(payer.cert.serial)).toMatchObject({
        proofs: [{ kind: 'equivocation' }],
        status: 'revoked',
        listed: true,
      });
    });
  }

  it('a revoked certificate keeps settling what fits in the rest of its reserve', async () => {
    const payer = await world.payer(10_000n);
    const a = await world.payee('Shop A');
    const b = await world.payee('Shop B');
    const toA = world.pay(payer, a, 8000);
    expect(await settle(a, [toA])).toMatchObject([{ status: 'settled' }]);
    expect(await settle(b, [craft(payer, b, { amount: 8000 })])).toMatchObject([
      { status: 'rejected' },
    ]);
    const next = world.pay(payer, a, 2000); // counter 2 after toA: honest, and fits in the 20.00 left
    expect(await settle(a, [next])).toMatchObject([{ status: 'settled' }]);
    expect(await balances(payer, a, b)).toEqual([0n, 0n, 10_000n, 0n]);
  });
  it('a payment beyond the reserve of a certificate already proven to cheat is paid from the cheater balance, even with no proof of its own', async () => {
    // A and B hold an equivocating pair (counter 1, 30.00 each) that the reserve covered. C gets
    // counter 3 (prev unknown, spent 100.00, amount 50.00): it forms no proof with A or B (§8), yet
    // the three add up to 110.00 > limit. The certificate is proven to cheat, so the 10.00 beyond
    // the reserve comes from the payer's available balance and C is paid in full.
    const payer = await world.payer(10_000n, 10_000n + 20_000n);
    const [a, b, c] = [await world.payee('A'), await world.payee('B'), await world.payee('C')];
    expect(await settle(a, [world.pay(payer, a, 3000)])).toMatchObject([{ status: 'settled' }]);
    expect(await settle(b, [craft(payer, b, { amount: 3000 })])).toMatchObject([
      { status: 'settled' },
    ]);
    const toC = craft(payer, c, { counter: 3, prev: randomBytes(32), spent: 10_000, amount: 5000 });
    expect(await settle(c, [toC])).toMatchObject([{ status: 'settled' }]);
    expect(await balances(payer, a, b, c)).toEqual([0n, 19_000n, 3000n, 3000n, 5000n]);
    expect((await fraudState(payer.cert.serial)).proofs).toHaveLength(1);
  });
});

describe('closed certificates', () => {
  it('still settles payments under a certificate its owner closed (receivers refuse it offline; the reserve is held until expiry + grace), never beyond the reserve', async () => {
    const payer = await world.payer(10_000n);
    const a = await world.payee('Shop A');
    const b = await world.payee('Shop B');
    const p1 = world.pay(payer, a, 6000);
    const p2 = world.pay(payer, a, 4000);
    const closed = await world.app.inject({
      method: 'POST',
      url: `/v1/certificates/${payer.cert.serial}/close`,
      headers: auth(payer.user),
    });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(await fraudState(payer.cert.serial)).toMatchObject({
      proofs: [],
      status: 'closed',
      listed: true,
    });
    expect(await balances(payer, a)).toEqual([10_000n, 0n, 0n]);
    expect(await settle(a, [p1, p2])).toMatchObject([{ status: 'settled' }, { status: 'settled' }]);
    expect(await balances(payer, a)).toEqual([0n, 0n, 10_000n]);
    // Beyond the reserve with nothing available: rejected with the proof; nothing moves.
    expect(await settle(b, [craft(payer, b, { amount: 100 })])).toMatchObject([
      { status: 'rejected', code: 'PROTO_FRAUD_EQUIVOCATION' },
    ]);
    expect(await balances(payer, a, b)).toEqual([0n, 0n, 10_000n, 0n]);
    const state = await fraudState(payer.cert.serial);
    expect(state.proofs).toMatchObject([{ kind: 'equivocation' }]);
    expect(state.listed).toBe(true);
  });
});

describe('a fraud against a link deep in a long settled history (the SQL prefilter of settledLinks)', () => {
  // A holds counters 1..20 (100 each, spent 100..2000). B presents one cheating payment; the
  // proof must pair it with the same settled link the full scan finds first.
  const cases = {
    // Counter 5 again, continuing from counter 4: pairs with the settled counter 5.
    equivocation: (first: Payment[]) => ({
      fields: { counter: 5, prev: first[3]!.paymentId, spent: 500, amount: 100 },
      pairedWith: first[4]!,
    }),
    // Counter 8 whose prev is no settled id: the settled counter 7 is the first it breaks from.
    fork: (first: Payment[]) => ({
      fields: { counter: 8, prev: randomBytes(32), spent: 800, amount: 100 },
      pairedWith: first[6]!,
    }),
    // Counter 21 claiming spent 1500 (so 1400 before it): counter 15 (spent 1500) is the first
    // settled link it understates, six counters below it.
    understated: (first: Payment[]) => ({
      fields: { counter: 21, prev: first[19]!.paymentId, spent: 1500, amount: 100 },
      pairedWith: first[14]!,
    }),
  } as const;

  for (const [kind, build] of Object.entries(cases)) {
    it(`${kind}: found, and proven with the first conflicting settled link`, async () => {
      const payer = await world.payer(10_000n);
      const a = await world.payee('Shop A');
      const b = await world.payee('Shop B');
      const first = Array.from({ length: 20 }, () => world.pay(payer, a, 100));
      expect(await settle(a, first)).toMatchObject(first.map(() => ({ status: 'settled' })));
      const { fields, pairedWith } = build(first);
      expect(await settle(b, [craft(payer, b, fields)])).toMatchObject([{ status: 'settled' }]);
      const state = await fraudState(payer.cert.serial);
      expect(state).toMatchObject({ proofs: [{ kind }], status: 'revoked' });
      const pair = [state.proofs[0]!.payment_a, state.proofs[0]!.payment_b];
      expect(pair).toContainEqual(new Uint8Array(pairedWith.paymentId));
    });
  }
});
