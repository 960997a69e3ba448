/** Users of the bank under test: registered and logged in over HTTP, funded, and their balances. */
import { randomBytes, toBase64Url } from '@offpay/crypto';
import { DEFAULT_ENROLL_SIGN_IN_MAX_AGE_SECONDS } from '../../src/modules/enrollment/enrollment.domain.js';
import type { TestBank } from './bank.js';

/** A logged-in user. */
export interface User {
  userId: string;
  accountId: string;
  token: string;
  /** What {@link signInAgain} logs in with. */
  email: string;
  password: string;
}

let userCount = 0;

/** Registers and logs in a user through the API. */
export async function registerUser(
  bank: TestBank,
  displayName = 'Test User',
  currency = 'EUR',
): Promise<User> {
  const email = `user${++userCount}-${toBase64Url(randomBytes(4)).toLowerCase()}@example.com`;
  const password = 'correct horse battery';
  const reg = await bank.post('/v1/auth/register', { email, password, displayName, currency });
  if (reg.statusCode !== 201) throw new Error(`register: ${reg.statusCode} ${reg.body}`);
  const { userId, accountId } = reg.json<{ userId: string; accountId: string }>();
  const user = { userId, accountId, token: '', email, password };
  await signInAgain(bank, user);
  return user;
}

/**
 * Logs `user` in again (after a report ended their sessions) and keeps the new token in `user`.
 * Returns the token it replaced.
 */
export async function signInAgain(bank: TestBank, user: User): Promise<string> {
  const login = await bank.post('/v1/auth/login', { email: user.email, password: user.password });
  if (login.statusCode !== 200) throw new Error(`login: ${login.statusCode} ${login.body}`);
  const old = user.token;
  user.token = login.json<{ accessToken: string }>().accessToken;
  return old;
}

/** When the sign-in behind `token` happened: its `iat` (Unix seconds), read without checking. */
export function signedInAt(token: string): number {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).iat as number;
}

/**
 * Signs `user` in again when their token's sign-in is older, by the bank's clock, than a payer
 * enrollment allows (ENROLL_SIGN_IN_MAX_AGE_SECONDS, default 300 s): what the apps do, which sign
 * in as the first step of every enrollment. Suites that move the clock between enrollments rely
 * on it; a suite that configures a shorter limit passes it.
 */
export async function signInFreshForEnrollment(
  bank: TestBank,
  user: User,
  maxAgeSeconds = DEFAULT_ENROLL_SIGN_IN_MAX_AGE_SECONDS,
): Promise<void> {
  if (bank.now - signedInAt(user.token) > maxAgeSeconds) await signInAgain(bank, user);
}

/** Credits a user's customer account from the bank's issuance account. */
export async function fund(
  bank: TestBank,
  user: User,
  minor: bigint,
  currency = 'EUR',
): Promise<void> {
  const { accounts } = bank.app.services;
  await bank.db.transaction(async (tx) => {
    const issuance = await accounts.systemAccount(tx, 'issuance', currency);
    await accounts.transfer(tx, {
      kind: 'funding',
      reference: `test:${toBase64Url(randomBytes(8))}`,
      legs: [
        { accountId: issuance, amount: -minor },
        { accountId: user.accountId, amount: minor },
      ],
    });
  });
}

/** The balance of an account (minor units). */
export async function balance(bank: TestBank, accountId: string): Promise<bigint> {
  const [row] = await bank.db.query<{ balance: bigint }>(
    'SELECT balance FROM account_balances WHERE account_id = $1',
    [accountId],
  );
  return row?.balance ?? 0n;
}

/** Balances of a user's accounts by kind (customer, reserve), in `currency`. */
export async function balances(
  bank: TestBank,
  user: User,
  currency = 'EUR',
): Promise<{ customer: bigint; reserve: bigint }> {
  const rows = await bank.db.query<{ kind: string; balance: bigint }>(
    `SELECT a.kind, b.balance FROM accounts a JOIN account_balances b ON b.account_id = a.id
     WHERE a.user_id = $1 AND a.currency = $2`,
    [user.userId, currency],
  );
  const of = (kind: string) => rows.find((r) => r.kind === kind)?.balance ?? 0n;
  return { customer: of('customer'), reserve: of('reserve') };
}

/** The id of a user's reserve account (in its only currency). */
export async function reserveAccount(bank: TestBank, user: User): Promise<string> {
  const [row] = await bank.db.query<{ id: string }>(
    "SELECT id FROM accounts WHERE user_id = $1 AND kind = 'reserve'",
    [user.userId],
  );
  if (!row) throw new Error(`user ${user.userId} has no reserve account`);
  return row.id;
}
