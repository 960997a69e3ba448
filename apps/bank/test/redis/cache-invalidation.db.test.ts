/**
 * Caches shared through Redis, invalidated on write: what one instance changes, another shows at
 * once — the revocation list (published by a close or by a fraud proof at settlement) and
 * balances (moved by a settlement). The settlement result cache answers replays the same way.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertLedgerInvariants } from '../helpers/ledger.js';
import { auth, craftPayment, type User } from '../helpers/world.js';
import { cluster, type Cluster } from './helpers.js';

let c: Cluster;
beforeAll(async () => {
  c = await cluster();
});
afterAll(async () => {
  await c.close();
});
afterEach(async () => {
  await assertLedgerInvariants(c.world.db);
});

const revocations = async (app: FastifyInstance) =>
  (await app.inject({ method: 'GET', url: '/v1/revocations' })).json<{
    seq: number;
    serials: string[];
  }>();

async function balances(app: FastifyInstance, user: User): Promise<Record<string, string>> {
  const res = await app.inject({ method: 'GET', url: '/v1/accounts/me', headers: auth(user) });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json<{ accounts: { kind: string; balanceMinor: string }[] }>();
  return Object.fromEntries(body.accounts.map((a) => [a.kind, a.balanceMinor]));
}

/** What Redis holds in a cache slot (through instance 1's stores). */
const slot = (key: string) => c.stores[0]!.cache.get(key);

describe('the revocation list', () => {
  it('shows a certificate closed on instance 2 on instance 1 at once', async () => {
    const payer = await c.world.payer(1_000n);
    const before = await revocations(c.one);
    expect(await slot('revocation-list:latest')).toMatch(/^v:/);
    const closed = await c.two.inject({
      method: 'POST',
      url: `/v1/certificates/${payer.cert.serial}/close`,
      headers: auth(payer.user),
    });
    expect(closed.statusCode, closed.body).toBe(200);
    const after = await revocations(c.one);
    expect(after.seq).toBe(before.seq + 1);
    expect(after.serials).toContain(String(payer.cert.serial));
  });

  it('shows a payer revoked by a fraud proof at settlement on instance 2 on instance 1 at once', async () => {
    const payer = await c.world.payer(10_000n);
    const [a, b] = [await c.world.payee('Shop A'), await c.world.payee('Shop B')];
    const first = c.world.pay(payer, a, 3000);
    // The same counter again, to another payee: equivocation.
    const second = craftPayment(payer, { payeeKid: b.kid, createdAt: c.world.now, amount: 3000 });
    const settledA = await c.world.settle((await c.world.batch(a, [first])).sealed, {}, c.two);
    expect(settledA.statusCode, settledA.body).toBe(200);
    expect((await revocations(c.one)).serials).not.toContain(String(payer.cert.serial));
    const settledB = await c.world.settle((await c.world.batch(b, [second])).sealed, {}, c.two);
    expect(settledB.statusCode, settledB.body).toBe(200);
    expect((await revocations(c.one)).serials).toContain(String(payer.cert.serial));
  });
});

describe('balances', () => {
  it('shows a settlement on instance 2 in GET /v1/accounts/me on instance 1 at once', async () => {
    const payer = await c.world.payer(10_000n);
    const payee = await c.world.payee();
    expect(await balances(c.one, payee.user)).toEqual({ customer: '0' });
    expect(await balances(c.one, payer.user)).toEqual({ customer: '0', reserve: '10000' });
    expect(await slot(`balances:${payee.user.userId}`)).toMatch(/^v:/);
    c.world.pay(payer, payee, 1250);
    c.world.pay(payer, payee, 750);
    const res = await c.world.settle((await c.world.batch(payee)).sealed, {}, c.two);
    expect(res.statusCode, res.body).toBe(200);
    expect(await balances(c.one, payee.user)).toEqual({ customer: '2000' });
    expect(await balances(c.one, payer.user)).toEqual({ customer: '0', reserve: '8000' });
  });
});

describe('a settlement whose instance died between COMMIT and invalidation', () => {
  it('shows the payee the settled balance once the batch is replayed on another instance', async () => {
    const payer = await c.world.payer(10_000n);
    const payee = await c.world.payee();
    expect(await balances(c.one, payee.user)).toEqual({ customer: '0' });
    const stale = await slot(`balances:${payee.user.userId}`);
    expect(stale).toMatch(/^v:/);
    c.world.pay(payer, payee, 900);
    const { sealed, batchKey } = await c.world.batch(payee);
    const settled = await c.world.settle(sealed, {}, c.two);
    expect(settled.statusCode, settled.body).toBe(200);
    // What a kill -9 right after COMMIT leaves behind: the old balance still cached, no result
    // cached (instance 2 never got to either).
    await c.stores[0]!.cache.set(`balances:${payee.user.userId}`, stale!, 30);
    await c.stores[0]!.cache.set(
      `settlement-result:${Buffer.from(batchKey).toString('hex')}`,
      'garbage',
      60,
    );
    expect(await balances(c.one, payee.user)).toEqual({ customer: '0' });
    const replayed = await c.world.settle(sealed, {}, c.one);
    expect(replayed.json<{ replayed: boolean }>().replayed).toBe(true);
    expect(await balances(c.one, payee.user)).toEqual({ customer: '900' });
  });
});

describe('settlement results', () => {
  it('answers a batch settled on instance 2 as a replay on instance 1, from the cache or not', async () => {
    const payer = await c.world.payer(5_000n);
    const payee = await c.world.payee();
    c.world.pay(payer, payee, 500);
    const { sealed, batchKey } = await c.world.batch(payee);
    const settled = await c.world.settle(sealed, {}, c.two);
    expect(settled.json<{ replayed: boolean }>().replayed).toBe(false);
    // Instance 2 cached exactly the signed result it answered with.
    expect(await slot(`settlement-result:${Buffer.from(batchKey).toString('hex')}`)).toBe(
      settled.json<{ signed: string }>().signed,
    );
    const replayed = await c.world.settle(sealed, {}, c.one);
    expect(replayed.json<{ replayed: boolean; signed: string }>()).toMatchObject({
      replayed: true,
      signed: settled.json<{ signed: string }>().signed,
    });
    // A damaged cache entry is a miss: Postgres answers the same.
    await c.stores[0]!.cache.set(
      `settlement-result:${Buffer.from(batchKey).toString('hex')}`,
      'garbage',
      60,
    );
    const again = await c.world.settle(sealed, {}, c.one);
    expect(again.json<{ signed: string }>().signed).toBe(settled.json<{ signed: string }>().signed);
    expect(await c.world.balance(payee.user.accountId)).toBe(500n);
  });
});
