/** The bank as the test reads it afterwards: balances through the public API. */

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
