/**
 * The cache of GET /v1/revocations: the latest signed list, shared by every instance, invalidated
 * after the COMMIT of every publication (docs/protocol.md §11). Readers still verify the bytes.
 */
import { fromBase64Url, toBase64Url } from '@offpay/crypto';
import { z } from 'zod';
import type { Cache } from '../../kv/kv.js';
import { readThroughCache, type ReadThroughCache } from '../../kv/read-through.js';
import type { StoredRevocationList } from './revocations.repo.js';

/** Worst staleness if an invalidation is lost while Redis is unreachable (GET /v1/revocations
 * already tells clients max-age=30). */
export const REVOCATION_CACHE_SECONDS = 30;

/** The one key: there is one latest list. */
export const LATEST_LIST = 'latest';

const seq = z.number().int().min(0);
const cachedList = z.object({ seq, signed: z.string(), deltasFrom: seq, throughRevocation: seq });

/** The latest stored list, under {@link LATEST_LIST}. */
export function revocationListCache(cache: Cache): ReadThroughCache<StoredRevocationList> {
  return readThroughCache(cache, {
    namespace: 'revocation-list',
    ttlSeconds: REVOCATION_CACHE_SECONDS,
    encode: (l) => JSON.stringify({ ...l, signed: toBase64Url(l.signed) }),
    decode: (text) => {
      const l = cachedList.parse(JSON.parse(text));
      return { ...l, signed: fromBase64Url(l.signed) };
    },
  });
}
