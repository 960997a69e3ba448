/**
 * Operators of the bank under test: created as the CLI creates them, signed in over HTTP with
 * the TOTP code of the bank's clock (docs/operations.md "Operators").
 */
import { randomBytes } from '@offpay/crypto';
import type { OperatorRole } from '@offpay/api';
import type { OperatorActor } from '../../src/modules/operators/operators.domain.js';
import { newTotpSecret, totpCode } from '../../src/modules/operators/operators.totp.js';
import type { TestBank } from './bank.js';

/** A signed-in operator: its token, who it is, and what signs it in again. */
export interface TestOperator {
  token: string;
  actor: OperatorActor;
  email: string;
  password: string;
  totpSecret: Uint8Array;
}

let count = 0;

/** Creates an operator (or auditor) with a known password and TOTP secret. */
export async function createOperator(
  bank: TestBank,
  role: OperatorRole = 'operator',
): Promise<Omit<TestOperator, 'token'>> {
  const email = `ops${++count}-${Buffer.from(randomBytes(3)).toString('hex')}@example.com`;
  const password = 'operator test password';
  const totpSecret = newTotpSecret();
  const created = await bank.app.services.operators.create({
    email,
    role,
    password,
    totpSecret,
    createdBy: 'test',
  });
  return {
    actor: { id: created.id, email, role, tokenVersion: 0 },
    email,
    password,
    totpSecret,
  };
}

/** The code of `secret` at the bank's clock (or any `{ clock }`). */
export function codeNow(bank: Pick<TestBank, 'clock'>, secret: Uint8Array): string {
  return totpCode(secret, bank.clock.getTime());
}

/** POST /v1/operator/auth/login with the code of the bank's clock (or `code`). */
export function operatorLogin(
  bank: TestBank,
  o: { email: string; password: string; totpSecret: Uint8Array },
  code = codeNow(bank, o.totpSecret),
) {
  return bank.post('/v1/operator/auth/login', { email: o.email, password: o.password, code });
}

/** A created and signed-in operator. */
export async function signedInOperator(
  bank: TestBank,
  role: OperatorRole = 'operator',
): Promise<TestOperator> {
  const o = await createOperator(bank, role);
  const res = await operatorLogin(bank, o);
  if (res.statusCode !== 200) throw new Error(`operator login: ${res.statusCode} ${res.body}`);
  return { ...o, token: res.json<{ accessToken: string }>().accessToken };
}
