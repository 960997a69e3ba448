/**
 * Verified merchants for tests about what merchants do, not how they are verified: the user
 * applies over HTTP and a test operator approves through the service (merchants.db.test.ts tests
 * the operators' HTTP routes themselves). Names are reserved per bank, so a name asked for twice
 * gets a number: "Shop A", then "Shop A #2".
 */
import type { OperatorActor } from '../../src/modules/operators/operators.domain.js';
import type { TestBank } from './bank.js';
import { createOperator } from './operators.js';
import type { User } from './users.js';

const approvers = new WeakMap<TestBank, Promise<OperatorActor>>();
const used = new WeakMap<TestBank, Map<string, number>>();

/** A name not yet reserved on `bank` by this helper. */
function freshName(bank: TestBank, displayName: string): string {
  const names = used.get(bank) ?? new Map<string, number>();
  used.set(bank, names);
  const n = (names.get(displayName) ?? 0) + 1;
  names.set(displayName, n);
  return n === 1 ? displayName : `${displayName} #${n}`;
}

/** The operator that approves merchants on `bank` (created once). */
export function testApprover(bank: TestBank): Promise<OperatorActor> {
  let approver = approvers.get(bank);
  if (!approver) {
    approver = createOperator(bank).then((o) => o.actor);
    approvers.set(bank, approver);
  }
  return approver;
}

/** POST /v1/merchant/application as `user`: the raw answer. */
export function applyAsMerchant(
  bank: TestBank,
  user: User,
  displayName: string,
  legalName = 'Test Trading Ltd',
) {
  return bank.post(
    '/v1/merchant/application',
    { legalName, displayName, contact: 'shop@example.com' },
    user,
  );
}

/**
 * Makes `user` a verified merchant named `displayName` (numbered when the name was used already
 * on this bank). Returns the name the bank verified.
 */
export async function verifyMerchant(
  bank: TestBank,
  user: User,
  displayName: string,
): Promise<string> {
  const name = freshName(bank, displayName);
  const res = await applyAsMerchant(bank, user, name);
  if (res.statusCode !== 201) throw new Error(`apply: ${res.statusCode} ${res.body}`);
  const { id } = res.json<{ id: string }>();
  await bank.app.services.merchants.approve(await testApprover(bank), id, 'test: verified');
  return name;
}
