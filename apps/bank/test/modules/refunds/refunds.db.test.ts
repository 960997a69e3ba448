/**
 * Refunds (issue #13 item 5, docs/operations.md "Refunds"): a merchant gives back all or part of a
 * settled payment; never more than settled less earlier refunds, idempotent by key, credited to
 * the payer, in both parties' histories, audited — against real Postgres.
 */
import { randomUUID } from 'node:crypto';
import { toHex } from '@offpay/crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Queryable } from '../../../src/db/queryable.js';
import { assertLedgerInvariants } from '../../helpers/ledger.js';
import { reconcileCorrupted } from '../../helpers/reconcile.js';
import {
  auth,
  useWorld,
  type PayeeDevice,
  type PayerDevice,
  type User,
} from '../../helpers/world.js';

const world = useWorld();

afterEach(async () => {
  await assertLedgerInvariants(world.db);
});

/** A payer and a merchant, and one payment of `amount` settled between them. */
async function settledPayment(amount: number, limit = 10_000n) {
  const payer = await world.payer(limit);
  const payee = await world.payee();
  const payment = world.pay(payer, payee, amount);
  const res = await world.settle((await world.batch(payee)).sealed);
  expect(res.statusCode, res.body).toBe(200);
  world.settledAll(payee);
  return { payer, payee, paymentId: toHex(payment.paymentId) };
}

function refund(
  caller: User,
  paymentId: string,
  amountMinor: string,
  key: string = randomUUID(),
  reason = '',
) {
  return world.app.inject({
    method: 'POST',
    url: `/v1/payments/${paymentId}/refunds`,
    headers: { ...auth(caller), 'idempotency-key': key },
    payload: { amountMinor, reason },
  });
}

type Answer = {
  refund: { refundId: string; amountMinor: string; reason: string };
  payment: { settledMinor: string; refundedMinor: string; refundableMinor: string };
  replayed: boolean;
};

async function history(user: User) {
  const res = await world.get('/v1/accounts/me/history', user);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ items: { kind: string; amountMinor: string; accountId: string }[] }>().items;
}

describe('POST /v1/payments/:paymentId/refunds', () => {
  it('moves part of a settled payment back to the payer, shown in both histories and audited', async () => {
    const { payer, payee, paymentId } = await settledPayment(1000);
    const before = await world.balances(payer.user);
    const res = await refund(payee.user, paymentId, '400', randomUUID(), 'Broken mug');
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json<Answer>()).toMatchObject({
      refund: { amountMinor: '400', reason: 'Broken mug' },
      payment: { settledMinor: '1000', refundedMinor: '400', refundableMinor: '600' },
      replayed: false,
    });
    expect(await world.balance(payee.user.accountId)).toBe(600n);
    expect((await world.balances(payer.user)).customer).toBe(before.customer + 400n);
    expect((await history(payee.user))[0]).toMatchObject({ kind: 'refund', amountMinor: '-400' });
    expect((await history(payer.user))[0]).toMatchObject({ kind: 'refund', amountMinor: '400' });
    const sync = await world.get('/v1/payer/sync', payer.user);
    expect(
      sync.json<{ certificates: { payments: { paymentId: string; refundedMinor: string }[] }[] }>()
        .certificates[0]!.payments,
    ).toEqual([expect.objectContaining({ paymentId, refundedMinor: '400' })]);
    const statement = await world.get('/v1/merchant/settlements.csv', payee.user);
    expect(statement.body.split('\r\n')[1]).toMatch(
      new RegExp(`,${paymentId},.*,1000,EUR,\\d+,400$`),
    );
    const audit = await world.db.query<{ actor: string; data: { refundId: string } }>(
      "SELECT actor, data FROM audit_log WHERE action = 'refund.created' AND data->>'paymentId' = $1",
      [paymentId],
    );
    expect(audit).toEqual([
      {
        actor: `user:${payee.user.userId}`,
        data: expect.objectContaining({ refundId: res.json<Answer>().refund.refundId }),
      },
    ]);
  });

  it('answers a repeated key with the first refund and moves nothing again', async () => {
    const { payee, paymentId } = await settledPayment(1000);
    const key = randomUUID();
    const first = await refund(payee.user, paymentId, '250', key);
    const again = await refund(payee.user, paymentId, '250', key);
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json<Answer>().replayed).toBe(true);
    expect(again.json<Answer>().refund.refundId).toBe(first.json<Answer>().refund.refundId);
    expect(await world.balance(payee.user.accountId)).toBe(750n);
    const reused = await refund(payee.user, paymentId, '300', key);
    expect(reused.statusCode, reused.body).toBe(409);
    expect(reused.json()).toMatchObject({
      code: 'BANK_REFUND_KEY_REUSED',
      details: { refundId: first.json<Answer>().refund.refundId },
    });
    expect(await world.balance(payee.user.accountId)).toBe(750n);
  });

  it('never refunds more than was settled, over several refunds', async () => {
    const { payee, paymentId } = await settledPayment(1000);
    expect((await refund(payee.user, paymentId, '600')).statusCode).toBe(201);
    const over = await refund(payee.user, paymentId, '401');
    expect(over.statusCode, over.body).toBe(409);
    expect(over.json()).toMatchObject({
      code: 'BANK_REFUND_EXCEEDS_PAYMENT',
      details: { refundableMinor: '400' },
    });
    expect((await refund(payee.user, paymentId, '400')).statusCode).toBe(201);
    const none = await refund(payee.user, paymentId, '1');
    expect(none.json()).toMatchObject({ details: { refundableMinor: '0' } });
    expect(await world.balance(payee.user.accountId)).toBe(0n);
  });

  it('lets concurrent refunds of one payment add up to at most its amount', async () => {
    const { payer, payee, paymentId } = await settledPayment(1000);
    const before = (await world.balances(payer.user)).customer;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => refund(payee.user, paymentId, '300')),
    );
    const statuses = answers.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([201, 201, 201, 409, 409, 409, 409, 409]);
    expect((await world.balances(payer.user)).customer).toBe(before + 900n);
    expect(await world.balance(payee.user.accountId)).toBe(100n);
  });

  it('makes one refund of concurrent requests under one key', async () => {
    const { payee, paymentId } = await settledPayment(1000);
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => refund(payee.user, paymentId, '100', key)),
    );
    expect(answers.map((r) => r.statusCode)).toEqual(Array(6).fill(201));
    expect(new Set(answers.map((r) => r.json<Answer>().refund.refundId)).size).toBe(1);
    expect(answers.filter((r) => !r.json<Answer>().replayed)).toHaveLength(1);
    expect(await world.balance(payee.user.accountId)).toBe(900n);
  });

  it('refuses a refund the merchant cannot cover: 409 BANK_INSUFFICIENT_FUNDS, nothing moved', async () => {
    const { payee, paymentId } = await settledPayment(1000);
    // The merchant reserves 800 of its 1,000 for a wallet of its own: 200 are left.
    await world.payerOf(payee.user, 800n);
    const res = await refund(payee.user, paymentId, '500');
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json()).toMatchObject({ code: 'BANK_INSUFFICIENT_FUNDS' });
    expect(await world.balance(payee.user.accountId)).toBe(200n);
  });

  it("answers 404 for someone else's payment, an unknown one, and to the payer", async () => {
    const { payer, paymentId } = await settledPayment(1000);
    const stranger = await world.payee('Other Shop');
    for (const [caller, id] of [
      [stranger.user, paymentId],
      [payer.user, paymentId],
      [stranger.user, 'ab'.repeat(32)],
    ] as const) {
      const res = await refund(caller, id, '1');
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json()).toMatchObject({ code: 'BANK_PAYMENT_NOT_FOUND' });
    }
  });

  it('refuses a payment from the merchant to its own till: 409 BANK_REFUND_TO_SELF', async () => {
    const payee: PayeeDevice = await world.payee();
    await world.fund(payee.user, 5000n);
    const own: PayerDevice = await world.payerOf(payee.user, 2000n);
    const payment = world.pay(own, payee, 700);
    expect((await world.settle((await world.batch(payee)).sealed)).statusCode).toBe(200);
    const res = await refund(payee.user, toHex(payment.paymentId), '100');
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json()).toMatchObject({ code: 'BANK_REFUND_TO_SELF' });
  });

  it.each([
    ['a zero amount', 'ab'.repeat(32), '0', randomUUID(), 'body/amountMinor'],
    ['a fractional amount', 'ab'.repeat(32), '1.5', randomUUID(), 'body/amountMinor'],
    ['a short key', 'ab'.repeat(32), '1', 'abc', 'headers/idempotency-key'],
    ['a key with spaces', 'ab'.repeat(32), '1', 'a key with spaces', 'headers/idempotency-key'],
    ['a short payment id', 'abcd', '1', randomUUID(), 'params/paymentId'],
  ])('refuses %s: 400 naming the field', async (_, id, amount, key, path) => {
    const merchant = await world.payee();
    const res = await refund(merchant.user, id, amount, key);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'BANK_BAD_REQUEST',
      details: { issues: expect.arrayContaining([expect.objectContaining({ path })]) },
    });
  });
});

describe('GET /v1/payments/:paymentId/refunds', () => {
  it('shows the merchant and the payer what was refunded, and nobody else', async () => {
    const { payer, payee, paymentId } = await settledPayment(1000);
    await refund(payee.user, paymentId, '100', randomUUID(), 'One');
    await refund(payee.user, paymentId, '200', randomUUID(), 'Two');
    for (const user of [payee.user, payer.user]) {
      const res = await world.get(`/v1/payments/${paymentId}/refunds`, user);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({
        paymentId,
        currency: 'EUR',
        settledMinor: '1000',
        refundedMinor: '300',
        refundableMinor: '700',
        refunds: [
          { amountMinor: '100', reason: 'One' },
          { amountMinor: '200', reason: 'Two' },
        ],
      });
    }
    const stranger = await world.user();
    const res = await world.get(`/v1/payments/${paymentId}/refunds`, stranger);
    expect(res.statusCode, res.body).toBe(404);
  });
});

describe('pnpm reconcile', () => {
  const refundViolations = async (corrupt: (tx: Queryable) => Promise<void>) =>
    (await reconcileCorrupted(world.db, corrupt)).violations.filter(
      (v) => v.code === 'REFUND_MISMATCH',
    );

  it('finds nothing wrong with honest refunds, and names a payment refunded beyond its amount', async () => {
    const { payee, paymentId } = await settledPayment(1000);
    const done = await refund(payee.user, paymentId, '700');
    expect(done.statusCode, done.body).toBe(201);
    expect(await refundViolations(() => Promise.resolve())).toEqual([]);
    const refundId = done.json<Answer>().refund.refundId;
    const violations = await refundViolations(async (tx) => {
      await tx.query('ALTER TABLE refunds DISABLE TRIGGER refunds_append_only');
      await tx.query('UPDATE refunds SET amount = 1200 WHERE id = $1', [refundId]);
    });
    expect(violations).toHaveLength(1);
    expect(violations[0]!.rows).toEqual(
      expect.arrayContaining([
        { id: refundId, problem: 'transfer', amount: '1200' },
        { id: paymentId, problem: 'exceeds', amount: '1200' },
      ]),
    );
  });
});
