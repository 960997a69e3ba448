/**
 * The bank as the test reads it: balances through the public API, the demo operator's sign-in
 * (a TOTP code used once) and its approval of Bob's Market, and a customer's payout request.
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

const TOTP_STEP_MS = 30_000;
/** The last TOTP step this test run signed in with: the bank takes each code once. */
let lastStep = -1;

/**
 * A TOTP code of the demo operator that no sign-in of this run used yet: the current one, or —
 * when this 30-second step was used already — the next step's, after waiting for it.
 */
export async function freshOperatorCode(): Promise<string> {
  let step = Math.floor(Date.now() / TOTP_STEP_MS);
  while (step <= lastStep) {
    await new Promise((r) => setTimeout(r, (step + 1) * TOTP_STEP_MS - Date.now() + 50));
    step = Math.floor(Date.now() / TOTP_STEP_MS);
  }
  lastStep = step;
  return new TOTP({ secret: Secret.fromBase32(OPERATOR.totpSecretBase32) }).generate({
    timestamp: step * TOTP_STEP_MS,
  });
}

/** The demo operator's headers for the operator API (signed in with a fresh code). */
export async function operatorHeaders(bankUrl: string): Promise<Record<string, string>> {
  const code = await freshOperatorCode();
  const { accessToken } = await json<{ accessToken: string }>(
    await fetch(`${bankUrl}/v1/operator/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: OPERATOR.email, password: OPERATOR.password, code }),
    }),
  );
  return { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
}

/** The bank's own accounts' balances by kind (clearing, …), read as an operator. */
export async function systemBalances(
  bankUrl: string,
  headers: Record<string, string>,
  currency = 'EUR',
): Promise<Record<string, bigint>> {
  const { accounts } = await json<{
    accounts: { kind: string; currency: string; balanceMinor: string }[];
  }>(await fetch(`${bankUrl}/v1/operator/accounts?holder=system&limit=100`, { headers }));
  return Object.fromEntries(
    accounts.filter((a) => a.currency === currency).map((a) => [a.kind, BigInt(a.balanceMinor)]),
  );
}

/** Signs in as `user` on the customer API; returns the Bearer headers. */
export async function userHeaders(
  bankUrl: string,
  user: { email: string; password: string },
): Promise<Record<string, string>> {
  const { accessToken } = await json<{ accessToken: string }>(
    await fetch(`${bankUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(user),
    }),
  );
  return { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
}

/**
 * `user` registers a payout account (IBAN, holder) and requests a payout of `amountMinor` EUR,
 * as a customer does over the API (the apps have no payout screen). Returns the payout.
 */
export async function requestPayout(
  bankUrl: string,
  user: { email: string; password: string },
  o: { iban: string; holderName: string; amountMinor: string; key: string },
): Promise<{ id: string; state: string; amountMinor: string }> {
  const headers = await userHeaders(bankUrl, user);
  const account = await json<{ id: string }>(
    await fetch(`${bankUrl}/v1/payout-accounts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ iban: o.iban, holderName: o.holderName }),
    }),
  );
  return json(
    await fetch(`${bankUrl}/v1/payouts`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': o.key },
      body: JSON.stringify({
        payoutAccountId: account.id,
        amountMinor: o.amountMinor,
        currency: 'EUR',
      }),
    }),
  );
}

/**
 * The demo operator signs in with a fresh TOTP code and approves Bob's pending merchant
 * application over the API (the console does the same in console.e2e.test.ts). Returns the
 * approval.
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
