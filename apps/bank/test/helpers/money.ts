/**
 * Money in and out for tests about what happens around it: payouts brought to a state through the
 * HTTP routes (a funded customer, a payout account, a request, an operator's steps), and what a
 * changing operator route of deposits and payouts needs to succeed.
 */
import { randomUUID } from 'node:crypto';
import { STATEMENT_COLUMNS } from '@offpay/api';
import { auth, type TestBank } from './bank.js';
import type { TestOperator } from './operators.js';
import { fund, registerUser, type User } from './users.js';

/** A payout and its owner. */
export interface TestPayout {
  id: string;
  user: User;
}

function ok(res: { statusCode: number; body: string }): { id: string } {
  if (res.statusCode >= 300) throw new Error(`${res.statusCode} ${res.body}`);
  return JSON.parse(res.body) as { id: string };
}

/** A funded customer's payout of `minor` EUR, requested (the money held). */
export async function requestedPayout(bank: TestBank, minor = 100n): Promise<TestPayout> {
  const user = await registerUser(bank, 'Payee');
  await fund(bank, user, minor);
  const account = ok(
    await bank.post(
      '/v1/payout-accounts',
      { iban: 'DE89370400440532013000', holderName: 'Payee' },
      user,
    ),
  );
  const res = await bank.app.inject({
    method: 'POST',
    url: '/v1/payouts',
    headers: { ...auth(user), 'idempotency-key': randomUUID() },
    payload: { payoutAccountId: account.id, amountMinor: minor.toString(), currency: 'EUR' },
  });
  return { id: ok(res).id, user };
}

/** A payout brought to `state` by `operator` (in flight: exported with every approved one). */
export async function payoutIn(
  bank: TestBank,
  operator: TestOperator,
  state: 'requested' | 'approved' | 'in_flight',
): Promise<TestPayout> {
  const p = await requestedPayout(bank);
  if (state === 'requested') return p;
  ok(
    await bank.post(
      `/v1/operator/payouts/${p.id}/approve`,
      { reason: 'approved in test setup' },
      operator,
    ),
  );
  if (state === 'approved') return p;
  ok(
    await bank.post(
      '/v1/operator/payout-batches',
      { currency: 'EUR', reason: 'export in test setup' },
      operator,
    ),
  );
  return p;
}

/** A statement file of one row crediting `user`. */
export function oneRowStatement(user: User, minor = 10n): string {
  return `${STATEMENT_COLUMNS.join(',')}\r\nS-${randomUUID()},,${user.accountId},${minor},EUR,\r\n`;
}
