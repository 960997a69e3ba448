/**
 * Issue #12 item 2, "a stolen payer key empties the owner's whole balance, not the allowance"
 * (docs/threat-model.md §4.1): a thief holding a wallet's key equivocates to a till of their
 * own, batch after batch. The owner's loss from one certificate is at most its limit plus the
 * recovery cap (default: the limit once more), and after the owner closes the certificate or
 * reports it lost or stolen, nothing beyond the reserve is taken. Regression tests: on the code
 * before the fix the thief settled the owner's whole 2,000 EUR balance.
 */
import type { Payment } from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { attackWorld, balances as kitBalances, craft as kitCraft } from './attack-kit.js';
import { auth, signInAgain, type PayeeDevice, type PayerDevice } from '../../helpers/world.js';

const world = attackWorld();

/** 20.00 EUR allowance. */
const LIMIT = 2_000n;
/** 2,000.00 EUR on the owner's account besides the reserve. */
const BALANCE = 200_000n;
const BATCHES = 10;
const PER_BATCH = 10;

const balances = (payer: PayerDevice, ...payees: PayeeDevice[]) =>
  kitBalances(world, payer, ...payees);

/** The thief's equivocations: counter 1 again and again, the whole allowance each time. */
function equivocations(payer: PayerDevice, till: PayeeDevice, n: number): Payment[] {
  return Array.from({ length: n }, () => kitCraft(world, payer, till, { amount: Number(LIMIT) }));
}

/** The thief settles batch after batch at their own till; returns every entry's status. */
async function thiefSettles(payer: PayerDevice, till: PayeeDevice): Promise<string[]> {
  const statuses: string[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const results = await world.settleEntries(till, equivocations(payer, till, PER_BATCH));
    statuses.push(...results.map((r) => r.status));
  }
  return statuses;
}

/** The owner reports `payer`, then signs in again: a report ends every session (§4.1). */
async function report(payer: PayerDevice, reason: 'lost' | 'stolen') {
  const res = await world.app.inject({
    method: 'POST',
    url: `/v1/certificates/${payer.cert.serial}/report`,
    headers: auth(payer.user),
    payload: { reason },
  });
  if (res.json<{ signedOut?: boolean }>().signedOut) await signInAgain(world, payer.user);
  return res;
}

describe('a stolen wallet key: the owner loses at most limit + recovery cap', () => {
  it('the owner paid a shop the whole allowance; the thief equivocates 100 times at their own till: 20.00 recovered once, the rest refused', async () => {
    const owner = await world.payer(LIMIT, LIMIT + BALANCE);
    const shop = await world.payee('Honest Shop');
    const thief = await world.payee('Thief Till');
    expect(await world.settleEntries(shop, [world.pay(owner, shop, Number(LIMIT))])).toMatchObject([
      { status: 'settled' },
    ]);
    const statuses = await thiefSettles(owner, thief);
    // The first equivocation is recovered from the owner's balance (the cap: the limit once
    // more); every later one is the thief's till's loss.
    expect(statuses.filter((s) => s === 'settled')).toHaveLength(1);
    const [reserve, customer, shopGot, thiefGot] = await balances(owner, shop, thief);
    expect(reserve).toBe(0n);
    expect(shopGot).toBe(LIMIT);
    expect(thiefGot).toBe(LIMIT);
    const loss = LIMIT + BALANCE - reserve! - customer!;
    expect(loss).toBe(2n * LIMIT);
  });

  it('with no honest payment either: the reserve and one cap, never the balance', async () => {
    const owner = await world.payer(LIMIT, LIMIT + BALANCE);
    const thief = await world.payee('Thief Till');
    await thiefSettles(owner, thief);
    const [reserve, customer, thiefGot] = await balances(owner, thief);
    expect(reserve).toBe(0n);
    expect(customer).toBe(BALANCE - LIMIT);
    expect(thiefGot).toBe(2n * LIMIT);
  });
});

describe('after the owner stops the certificate: nothing beyond the reserve', () => {
  for (const how of ['reported stolen', 'reported lost', 'closed'] as const) {
    it(`${how} before the thief settles: the thief gets at most the reserve`, async () => {
      const owner = await world.payer(LIMIT, LIMIT + BALANCE);
      const thief = await world.payee('Thief Till');
      const res =
        how === 'closed'
          ? await world.app.inject({
              method: 'POST',
              url: `/v1/certificates/${owner.cert.serial}/close`,
              headers: auth(owner.user),
            })
          : await report(owner, how === 'reported lost' ? 'lost' : 'stolen');
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({
        serial: String(owner.cert.serial),
        kind: 'payer',
        status: how === 'closed' ? 'closed' : 'revoked',
        reason: how === 'closed' ? 'closed' : 'compromised',
      });
      expect(await world.revokedSerials()).toContain(owner.cert.serial);
      await thiefSettles(owner, thief);
      const [reserve, customer, thiefGot] = await balances(owner, thief);
      expect(customer).toBe(BALANCE);
      expect(reserve).toBe(0n);
      expect(thiefGot).toBe(LIMIT);
    });
  }

  it('reported after one recovery: the recovery already made stands, nothing more is taken', async () => {
    const owner = await world.payer(LIMIT, LIMIT + BALANCE);
    const thief = await world.payee('Thief Till');
    // Reserve (20.00) then one equivocation recovered (10.00): the cap has 10.00 left.
    const first = kitCraft(world, owner, thief, { amount: Number(LIMIT) });
    const second = kitCraft(world, owner, thief, { amount: Number(LIMIT / 2n) });
    expect(await world.settleEntries(thief, [first, second])).toMatchObject([
      { status: 'settled' },
      { status: 'settled' },
    ]);
    expect((await report(owner, 'stolen')).statusCode).toBe(200);
    const later = kitCraft(world, owner, thief, { amount: 1 });
    expect(await world.settleEntries(thief, [later])).toMatchObject([
      { status: 'rejected', code: 'PROTO_FRAUD_EQUIVOCATION' },
    ]);
    expect(await balances(owner, thief)).toEqual([0n, BALANCE - LIMIT / 2n, LIMIT + LIMIT / 2n]);
  });

  it('reporting is idempotent, owner-only, and a closed certificate can still be reported', async () => {
    const owner = await world.payer(LIMIT, LIMIT + BALANCE);
    const stranger = await world.payer(LIMIT);
    const notMine = await world.app.inject({
      method: 'POST',
      url: `/v1/certificates/${owner.cert.serial}/report`,
      headers: auth(stranger.user),
      payload: { reason: 'stolen' },
    });
    expect(notMine.statusCode).toBe(404);
    expect(notMine.json()).toMatchObject({ code: 'BANK_CERTIFICATE_NOT_FOUND' });
    const closed = await world.app.inject({
      method: 'POST',
      url: `/v1/certificates/${owner.cert.serial}/close`,
      headers: auth(owner.user),
    });
    expect(closed.json()).toMatchObject({ status: 'closed' });
    const first = await report(owner, 'lost');
    const again = await report(owner, 'stolen');
    expect(first.statusCode, first.body).toBe(200);
    expect(again.json()).toEqual({ ...first.json<object>(), signedOut: false });
    expect(first.json()).toMatchObject({ status: 'revoked', reason: 'closed' });
    const bad = await world.app.inject({
      method: 'POST',
      url: `/v1/certificates/${owner.cert.serial}/report`,
      headers: auth(owner.user),
      payload: { reason: 'borrowed' },
    });
    expect(bad.statusCode).toBe(400);
  });
});
