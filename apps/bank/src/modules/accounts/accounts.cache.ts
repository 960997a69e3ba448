/**
 * The cache of GET /v1/accounts/me: a user's accounts and balances, shared by every instance and
 * invalidated after the COMMIT of every transfer that touches one of the user's accounts.
 */
import { z } from 'zod';
import type { Cache } from '../../kv/kv.js';
import { readThroughCache, type ReadThroughCache } from '../../kv/read-through.js';
import type { AccountBalance } from './accounts.repo.js';

/** Worst staleness if an invalidation is lost while Redis is unreachable. */
export const BALANCE_CACHE_SECONDS = 30;

const cachedAccounts = z.array(
  z.object({
    id: z.string(),
    kind: z.enum(['customer', 'reserve', 'settlement', 'issuance']),
    currency: z.string(),
    balance: z.string().regex(/^-?\d{1,20}$/),
  }),
);

/** Balances by user id. */
export function balanceCache(cache: Cache): ReadThroughCache<AccountBalance[]> {
  return readThroughCache(cache, {
    namespace: 'balances',
    ttlSeconds: BALANCE_CACHE_SECONDS,
    // Money as decimal strings: exact, never a float (STYLE.md "Protocol and money").
    encode: (rows) => JSON.stringify(rows.map((r) => ({ ...r, balance: r.balance.toString() }))),
    decode: (text) =>
      cachedAccounts.parse(JSON.parse(text)).map((r) => ({ ...r, balance: BigInt(r.balance) })),
  });
}
