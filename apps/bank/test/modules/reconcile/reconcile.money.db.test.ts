/**
 * Reconciliation of money in and out against real Postgres: a clean day (deposits, payouts held,
 * refused, exported, confirmed, failed) agrees; each invariant broken on its own inside a rolled-
 * back transaction is named — a deposit transfer without its deposit, money put on the payout-hold
 * account for no payout, a payout returned although it was confirmed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../../../src/db/queryable.js';
import {
  reconcile,
  type ReconcileReport,
} from '../../../src/modules/reconcile/reconcile.service.js';
import { reconcileCorrupted } from '../../helpers/reconcile.js';
import { auth, useWorld, type User } from '../../helpers/world.js';

const bank = useWorld({ invariants: true });
const payoutIds: string[] = [];
let customer: User;

function ok(res: { statusCode: number; body: string }, status = 200) {
  expect(res.statusCode, res.body).toBe(status);
  return JSON.parse(res.body) as { id: string };
}

beforeAll(async () => {
  const ops = await bank.operator();
  customer = await bank.user('Alice');
  ok(
    await bank.post(
      '/v1/operator/deposits',
      {
        reference: 'R-1',
        account: customer.accountId,
        amountMinor: '10000',
        currency: 'EUR',
        reason: 'Statement',
      },
      ops,
    ),
  );
  const acct = ok(
    await bank.post(
      '/v1/payout-accounts',
      { iban: 'DE89370400440532013000', holderName: 'Alice' },
      customer,
    ),
    201,
  );
  for (const amount of ['100', '200', '300', '400']) {
    const res = await bank.app.inject({
      method: 'POST',
      url: '/v1/payouts',
      headers: { ...auth(customer), 'idempotency-key': `reconcile-${amount}` },
      payload: { payoutAccountId: acct.id, amountMinor: amount, currency: 'EUR' },
    });
    payoutIds.push(ok(res, 201).id);
  }
  const [a, b, c, d] = payoutIds as [string, string, string, string];
  const step = (id: string, verb: string) =>
    bank.post(`/v1/operator/payouts/${id}/${verb}`, { reason: 'Reconcile test' }, ops);
  ok(await step(a, 'refuse'));
  for (const id of [b, c]) ok(await step(id, 'approve'));
  ok(await bank.post('/v1/operator/payout-batches', { currency: 'EUR', reason: 'Run' }, ops), 201);
  ok(await step(b, 'confirm'));
  ok(await step(c, 'fail'));
  void d; // d stays requested: held
}, 60_000);

const corrupted = (corrupt: (tx: Queryable) => Promise<void>) =>
  reconcileCorrupted(bank.db, corrupt);

async function systemAccount(kind: string): Promise<string> {
  const [row] = await bank.db.query<{ id: string }>(
    `SELECT id FROM accounts WHERE kind = $1 AND currency = 'EUR'`,
    [kind],
  );
  return row!.id;
}

async function transfer(tx: Queryable, kind: string, reference: string, legs: [string, bigint][]) {
  const [t] = await tx.query<{ id: string }>(
    "INSERT INTO transfers (kind, reference, currency) VALUES ($1, $2, 'EUR') RETURNING id::text AS id",
    [kind, reference],
  );
  for (const [account, amount] of legs) {
    await tx.query(
      "INSERT INTO postings (transfer_id, account_id, currency, amount) VALUES ($1, $2, 'EUR', $3)",
      [t!.id, account, amount.toString()],
    );
  }
}

const codes = (r: ReconcileReport) => r.violations.map((v) => v.code).sort();

describe('money in and out, reconciled', () => {
  it('a clean day agrees, and the hold holds exactly the requested payout', async () => {
    const report = await reconcile(bank.db);
    expect(report.violations).toEqual([]);
    expect(report.checked).toMatchObject({ deposits: 1, payouts: 4 });
    const [hold] = await bank.db.query<{ balance: bigint }>(
      'SELECT balance FROM account_balances WHERE account_id = $1',
      [await systemAccount('payout_hold')],
    );
    expect(hold?.balance).toBe(400n);
    // 10000 in; 100 refused and 300 failed came back; 200 paid and 400 held are gone.
    expect(await bank.balance(customer.accountId)).toBe(10_000n - 200n - 400n);
  });

  it('names a deposit transfer that has no deposit', async () => {
    const clearing = await systemAccount('clearing');
    const report = await corrupted((tx) =>
      transfer(tx, 'deposit', 'NO-SUCH-DEPOSIT', [
        [clearing, -5n],
        [customer.accountId, 5n],
      ]),
    );
    expect(codes(report)).toEqual(['DEPOSIT_TRANSFER_MISMATCH']);
    expect(report.violations[0]?.rows).toEqual([
      expect.objectContaining({ reference: 'NO-SUCH-DEPOSIT', depositId: null }),
    ]);
  });

  it('names money on the payout-hold account that no payout holds', async () => {
    const hold = await systemAccount('payout_hold');
    const report = await corrupted((tx) =>
      transfer(tx, 'adjustment', 'sneak-into-hold', [
        [customer.accountId, -50n],
        [hold, 50n],
      ]),
    );
    expect(codes(report)).toEqual(['PAYOUT_HOLD_MISMATCH']);
    expect(report.violations[0]?.rows).toEqual([{ currency: 'EUR', balance: '450', held: '400' }]);
  });

  it('names a confirmed payout whose money also came back', async () => {
    const hold = await systemAccount('payout_hold');
    const confirmed = payoutIds[1] as string;
    const report = await corrupted((tx) =>
      transfer(tx, 'payout_return', confirmed, [
        [hold, -200n],
        [customer.accountId, 200n],
      ]),
    );
    expect(codes(report)).toEqual(['PAYOUT_HOLD_MISMATCH', 'PAYOUT_MONEY_MISMATCH']);
    const money = report.violations.find((v) => v.code === 'PAYOUT_MONEY_MISMATCH');
    expect(money?.rows).toEqual([
      expect.objectContaining({
        payoutId: confirmed,
        state: 'confirmed',
        returned: '200',
        paid: '200',
      }),
    ]);
  });
});
