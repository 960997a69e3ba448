/** Balances as their owners see them (GET /v1/accounts/me). */
import { request, type User } from './client.js';

/** The user's customer balance in minor units. */
export async function customerBalance(base: string, user: User): Promise<bigint> {
  const res = await request(base, 'GET', '/v1/accounts/me', { token: user.token });
  if (res.status !== 200) throw new Error(`accounts: ${res.status} ${res.text}`);
  const { accounts } = res.json<{ accounts: { kind: string; balanceMinor: string }[] }>();
  return BigInt(accounts.find((x) => x.kind === 'customer')!.balanceMinor);
}
