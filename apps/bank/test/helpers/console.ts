/** The operators' console under test: calls as an operator, and the audit entries they leave. */
import type { LightMyRequestResponse } from 'fastify';
import { toHex } from '@offpay/crypto';
import type { TestBank } from './bank.js';
import type { TestOperator } from './operators.js';
import type { World } from './world.js';

/** GET `url` as `operator`. */
export function opGet(bank: TestBank, operator: TestOperator, url: string) {
  return bank.get(url, operator);
}

/** POST `url` as `operator`. */
export function opPost(
  bank: TestBank,
  operator: TestOperator,
  url: string,
  body?: object,
): Promise<LightMyRequestResponse> {
  return bank.post(url, body, operator);
}

/** The audit entries of `operator` with `action`, oldest first: their data. */
export async function auditOf(
  bank: TestBank,
  operator: TestOperator,
  action: string,
): Promise<Record<string, unknown>[]> {
  const rows = await bank.db.query<{ data: Record<string, unknown> }>(
    'SELECT data FROM audit_log WHERE actor = $1 AND action = $2 ORDER BY id',
    [`operator:${operator.actor.id}`, action],
  );
  return rows.map((r) => r.data);
}

/** Deposits `minor` EUR to `accountId` over HTTP as `operator`; the deposit's reference. */
export async function depositTo(
  bank: TestBank,
  operator: TestOperator,
  accountId: string,
  minor: bigint,
): Promise<string> {
  const reference = `CONSOLE-${Math.random().toString(36).slice(2, 10)}`;
  const res = await bank.post(
    '/v1/operator/deposits',
    {
      reference,
      account: accountId,
      amountMinor: minor.toString(),
      currency: 'EUR',
      reason: 'Console test deposit',
    },
    operator,
  );
  if (res.statusCode !== 200) throw new Error(`deposit: ${res.statusCode} ${res.body}`);
  return reference;
}

/** A payer and a merchant with one payment of `amount` settled between them. */
export async function settledPayment(world: World, amount: number, limit = 10_000n) {
  const payer = await world.payer(limit);
  const payee = await world.payee();
  const payment = world.pay(payer, payee, amount);
  const res = await world.settle((await world.batch(payee)).sealed);
  if (res.statusCode !== 200) throw new Error(`settle: ${res.statusCode} ${res.body}`);
  world.settledAll(payee);
  return { payer, payee, paymentId: toHex(payment.paymentId) };
}
