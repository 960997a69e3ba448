/**
 * Settlement under concurrency against real Postgres (issue 4 "Concurrency"; DESIGN.md §5
 * "Exactly once"): one batch posted many times at once, two payees racing one payer's last
 * reserve, and two bank instances on one database — settled once, no deadlock, every answer
 * identical, and the ledger and reserve invariants after each test.
 */
import { toHex } from '@offpay/crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { craftPayment, type PayerDevice, useWorld } from '../../helpers/world.js';

const world = useWorld({ invariants: true });

interface ResultBody {
  batchKey: string;
  replayed: boolean;
  results: { status: string; code: string }[];
  signed: string;
}

const reserveOf = (payer: PayerDevice) => world.reserveAccount(payer.user);

async function settlementRows(batchKey: Uint8Array): Promise<number> {
  const [row] = await world.db.query<{ n: bigint }>(
    'SELECT count(*) AS n FROM settlements WHERE batch_key = $1',
    [batchKey],
  );
  return Number(row!.n);
}

/** Every answer is 200 with one identical signed result, exactly one of them not a replay. */
function expectSettledOnce(answers: LightMyRequestResponse[]): ResultBody {
  for (const a of answers) expect(a.statusCode, a.body).toBe(200);
  const bodies = answers.map((a) => a.json<ResultBody>());
  expect(new Set(bodies.map((b) => b.signed)).size).toBe(1);
  expect(bodies.filter((b) => !b.replayed)).toHaveLength(1);
  return bodies[0]!;
}

describe('concurrent settlement', () => {
  it('settles the same batch POSTed 50 times at once exactly once, with 50 identical answers', async () => {
    const payer = await world.payer(10_000n);
    const payee = await world.payee();
    world.pay(payer, payee, 1200);
    world.pay(payer, payee, 800);
    const { sealed, batchKey } = await world.batch(payee);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        world.settle(sealed, i % 2 ? { 'idempotency-key': toHex(batchKey) } : {}),
      ),
    );
    const body = expectSettledOnce(answers);
    expect(body.results.map((r) => r.status)).toEqual(['settled', 'settled']);
    expect(await settlementRows(batchKey)).toBe(1);
    expect(await world.balance(payee.user.accountId)).toBe(2000n);
    expect(await world.balance(await reserveOf(payer))).toBe(8000n);
    const [paid] = await world.db.query<{ n: bigint }>(
      'SELECT count(*) AS n FROM payments WHERE serial = $1',
      [payer.cert.serial],
    );
    expect(Number(paid!.n)).toBe(2);
  });

  it("two payees racing one payer's last reserve: exactly the allowed amount moves, no deadlock, the fraud recorded once", async () => {
    // A double spend of counter 1, each 80% of the limit; the payer has nothing available.
    const payer = await world.payer(10_000n);
    const a = await world.payee('Shop A');
    const b = await world.payee('Shop B');
    world.pay(payer, a, 8000);
    world.append(b, craftPayment(payer, { amount: 8000, payeeKid: b.kid, createdAt: world.now }));
    const [batchA, batchB] = await Promise.all([world.batch(a), world.batch(b)]);
    const [resA, resB] = await Promise.all([
      world.settle(batchA.sealed),
      world.settle(batchB.sealed),
    ]);
    for (const r of [resA, resB]) expect(r.statusCode, r.body).toBe(200);
    const outcomes = [resA, resB].map((r) => r.json<ResultBody>().results[0]!);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['rejected', 'settled']);
    expect(outcomes.find((o) => o.status === 'rejected')!.code).toBe('PROTO_FRAUD_EQUIVOCATION');
    const credited = [
      await world.balance(a.user.accountId),
      await world.balance(b.user.accountId),
    ].sort();
    expect(credited).toEqual([0n, 8000n]);
    expect(await world.balance(await reserveOf(payer))).toBe(2000n);
    expect(await world.balance(payer.user.accountId)).toBe(0n);
    const proofs = await world.db.query<{ kind: string }>(
      'SELECT kind FROM fraud_proofs WHERE serial = $1',
      [payer.cert.serial],
    );
    expect(proofs).toEqual([{ kind: 'equivocation' }]);
    const revocations = await world.db.query('SELECT 1 FROM revocations WHERE serial = $1', [
      payer.cert.serial,
    ]);
    expect(revocations).toHaveLength(1);
  });

  it('many payees racing one reserve at once: the reserve pays at most its limit, one proof stored for the certificate', async () => {
    const payer = await world.payer(10_000n);
    const payees = await Promise.all(Array.from({ length: 6 }, (_, i) => world.payee(`Shop ${i}`)));
    for (const p of payees) {
      world.append(p, craftPayment(payer, { amount: 3000, payeeKid: p.kid, createdAt: world.now }));
    }
    const batches = await Promise.all(payees.map((p) => world.batch(p)));
    const answers = await Promise.all(batches.map((b) => world.settle(b.sealed)));
    for (const r of answers) expect(r.statusCode, r.body).toBe(200);
    const statuses = answers.map((r) => r.json<ResultBody>().results[0]!);
    expect(statuses.filter((s) => s.status === 'settled')).toHaveLength(3);
    for (const s of statuses.filter((x) => x.status === 'rejected')) {
      expect(s.code).toBe('PROTO_FRAUD_EQUIVOCATION');
    }
    expect(await world.balance(await reserveOf(payer))).toBe(1000n);
    const [proofs] = await world.db.query<{ n: bigint; pairs: bigint }>(
      `SELECT count(*) AS n, count(DISTINCT (payment_a, payment_b)) AS pairs
       FROM fraud_proofs WHERE serial = $1`,
      [payer.cert.serial],
    );
    // Every payment after the first conflicts with one settled before; one proof per certificate
    // is stored (issue #12: more add nothing but rows), whichever batch came first.
    expect(Number(proofs!.n)).toBe(1);
    expect(proofs!.n).toBe(proofs!.pairs);
  });

  it('payees whose batches touch the same payers in opposite orders settle concurrently without deadlock', async () => {
    for (let round = 0; round < 3; round++) {
      const [x, y] = [await world.payer(10_000n), await world.payer(10_000n)];
      const [a, b] = [await world.payee('Shop A'), await world.payee('Shop B')];
      world.pay(x, a, 100);
      world.pay(y, a, 200);
      world.pay(y, b, 300);
      world.pay(x, b, 400);
      const [batchA, batchB] = [await world.batch(a), await world.batch(b)];
      const answers = await Promise.all([world.settle(batchA.sealed), world.settle(batchB.sealed)]);
      for (const r of answers) {
        expect(r.statusCode, r.body).toBe(200);
        expect(r.json<ResultBody>().results.map((e) => e.status)).toEqual(['settled', 'settled']);
      }
      expect(await world.balance(await reserveOf(x))).toBe(9500n);
      expect(await world.balance(await reserveOf(y))).toBe(9500n);
    }
  });

  it('two bank instances on one Postgres racing the same batch settle it once, with identical answers', async () => {
    const second: FastifyInstance = await world.secondInstance();
    try {
      const payer = await world.payer(10_000n);
      const payee = await world.payee();
      world.pay(payer, payee, 2500);
      const { sealed, batchKey } = await world.batch(payee);
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => world.settle(sealed, {}, i % 2 ? second : world.app)),
      );
      const body = expectSettledOnce(answers);
      expect(body.results).toMatchObject([{ status: 'settled', code: '' }]);
      expect(await settlementRows(batchKey)).toBe(1);
      expect(await world.balance(payee.user.accountId)).toBe(2500n);
      const later = await second.inject({ method: 'GET', url: `/v1/settlements/${body.batchKey}` });
      expect(later.json<ResultBody>().signed).toBe(body.signed);
    } finally {
      await second.close();
    }
  });
});
