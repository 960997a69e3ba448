/**
 * The bank as the test reads it: balances through the public API, and the demo operator's
 * approval of Bob's Market.
 */
import { Secret, TOTP } from 'otpauth';

export const ALICE = { email: 'alice@example.com', password: 'alice-demo-password' };
export const BOB = { email: 'bob@example.com', password: 'bob-demo-password' };

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.url} → ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Balances by account kind, in minor units (customer, reserve, …). */
export async function balances(
  bankUrl: string,
  user: { email: string; password: string },
): Promise<Record<string, bigint>> {
  const { accessToken } = await json<{ accessToken: string }>(
    await fetch(`${bankUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(user),
    }),
  );
  const me = await json<{ accounts: { kind: string; balanceMinor: string }[] }>(
    await fetch(`${bankUrl}/v1/accounts/me`, {
      headers: { authorization: `Bearer ${accessToken}` },
    }),
  );
  return Object.fromEntries(me.accounts.map((a) => [a.kind, BigInt(a.balanceMinor)]));
}

/** Posts an exported batch file to the bank as `curl --data-binary @file` does (no login). */
export async function carry(
  bankUrl: string,
  fileText: string,
): Promise<{ replayed: boolean; results: { status: string }[] }> {
  return json(
    await fetch(`${bankUrl}/v1/settlements`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: fileText,
    }),
  );
}

/** The demo operator (public demo credentials, docs/operations.md "Operators"). */
export const OPERATOR = {
  email: 'operator@example.com',
  password: 'operator-demo-password',
  totpSecretBase32: 'OFFPAYDEMOOPERATORTOTPSECRETXXXX',
};

// One session per bank: a TOTP code is refused the second time (replay), and a journey is
// shorter than a session (15 minutes).
const sessions = new Map<string, Promise<Record<string, string>>>();

/** An operator session of the demo operator (its TOTP code made from the demo secret). */
function operatorHeaders(bankUrl: string): Promise<Record<string, string>> {
  let session = sessions.get(bankUrl);
  if (!session) sessions.set(bankUrl, (session = operatorLogin(bankUrl)));
  return session;
}

async function operatorLogin(bankUrl: string): Promise<Record<string, string>> {
  const code = new TOTP({ secret: Secret.fromBase32(OPERATOR.totpSecretBase32) }).generate();
  const { accessToken } = await json<{ accessToken: string }>(
    await fetch(`${bankUrl}/v1/operator/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: OPERATOR.email, password: OPERATOR.password, code }),
    }),
  );
  return { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
}

/**
 * The demo operator signs in with the current TOTP code and approves Bob's pending merchant
 * application, over the API (what the operators' console will do). Returns the approval.
 */
export async function approveBobsMarket(bankUrl: string): Promise<{ state: string }> {
  const headers = await operatorHeaders(bankUrl);
  const { applications } = await json<{ applications: { id: string; email: string }[] }>(
    await fetch(`${bankUrl}/v1/operator/merchant-applications`, { headers }),
  );
  const bob = applications.find((a) => a.email === BOB.email);
  if (!bob) throw new Error("Bob's application is not pending");
  return json(
    await fetch(`${bankUrl}/v1/operator/merchant-applications/${bob.id}/approve`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ reason: 'E2E: identity and trading name checked' }),
    }),
  );
}

/**
 * The operator rotates the bank's signing and KEM keys (docs/operations.md "Rotating the bank's
 * keys"). Returns the new current kids.
 */
export async function rotateBankKeys(bankUrl: string): Promise<{ sign: string; kem: string }> {
  const answer = await json<{ signKey: { kid: string }; kemKey: { kid: string } }>(
    await fetch(`${bankUrl}/v1/operator/keys/rotate`, {
      method: 'POST',
      headers: await operatorHeaders(bankUrl),
      body: JSON.stringify({ kind: 'both', reason: 'E2E: rotation in the middle of the day' }),
    }),
  );
  return { sign: answer.signKey.kid, kem: answer.kemKey.kid };
}
