/**
 * The bank-signed revocation list (docs/protocol.md §11): every revocation of a payer certificate
 * publishes the next list inside its own transaction, so the list and the database never disagree;
 * readers get the latest list, verified once under the bank's keys and then kept in memory.
 */
import {
  encodeRevocationList,
  LIMITS,
  signRevocationList,
  verifyRevocationList,
} from '@offpay/protocol';
import type { Database, Queryable } from '../../db/queryable.js';
import { afterCommit } from '../../kv/after-commit.js';
import type { ReadThroughCache } from '../../kv/read-through.js';
import { unixSeconds } from '../../time.js';
import type { BankKeyring } from '../keys/keys.service.js';
import { protocolSigner, withSignKeys } from '../keys/keys.signer.js';
import { releaseCutoff } from '../reserves/reserves.domain.js';
import { LATEST_LIST } from './revocations.cache.js';
import {
  insertRevocationList,
  latestRevocationList,
  lockRevocationLists,
  revokedPayerSerials,
  type StoredRevocationList,
} from './revocations.repo.js';

/** The latest signed revocation list, decoded. */
export interface RevocationListView {
  seq: number;
  issuedAt: Date;
  serials: number[];
  signed: Uint8Array;
}

/** What publishing and reading the list needs. */
export interface RevocationListDeps {
  db: Database;
  keyring: BankKeyring;
  now: () => Date;
  /** The shared cache of the latest list; absent → every read asks Postgres. */
  listCache?: ReadThroughCache<StoredRevocationList>;
}

/**
 * Signs and stores the next list inside `tx`: every revoked payer serial that could still settle
 * (a certificate past expiry + grace is refused by expiry anyway, so the list stays bounded).
 * Takes the publishers' lock first, so sequence numbers never repeat.
 */
export async function publishRevocationList(
  deps: RevocationListDeps,
  tx: Queryable,
): Promise<number> {
  await lockRevocationLists(tx);
  const now = deps.now();
  const latest = await latestRevocationList(tx);
  const seq = latest ? latest.seq + 1 : 0;
  const serials = await revokedPayerSerials(tx, releaseCutoff(now), LIMITS.revocationListEntries);
  const list = signRevocationList(
    { seq, issuedAt: unixSeconds(now), serials },
    protocolSigner(deps.keyring),
  );
  await insertRevocationList(tx, { seq, signed: encodeRevocationList(list), at: now });
  const { listCache } = deps;
  // After COMMIT, so no instance can cache the previous list again (kv/read-through.ts).
  if (listCache) await afterCommit(tx, () => listCache.invalidate(LATEST_LIST));
  return seq;
}

/**
 * Reads the latest list, publishing the empty list 0 first if none exists. Decoded lists are
 * kept by sequence number: the stored bytes are verified once, then served from memory.
 */
export function latestListReader(deps: RevocationListDeps): () => Promise<RevocationListView> {
  let cached: RevocationListView | null = null;
  const { listCache } = deps;
  return async () => {
    const stored = listCache
      ? await listCache.get(LATEST_LIST, () => storedLatestList(deps))
      : await storedLatestList(deps);
    if (cached?.seq === stored.seq) return cached;
    try {
      cached = await verifiedView(deps, stored);
    } catch (err) {
      if (!listCache) throw err;
      // A damaged cache entry must not break the endpoint: Postgres answers instead.
      await listCache.invalidate(LATEST_LIST);
      cached = await verifiedView(deps, await storedLatestList(deps));
    }
    return cached;
  };
}

/** Verifying our own bytes catches a corrupted row before a receiver does. */
async function verifiedView(
  deps: RevocationListDeps,
  stored: StoredRevocationList,
): Promise<RevocationListView> {
  // A list another instance signed with a key it just made: loaded from the database first.
  const list = await withSignKeys(deps.keyring, (keys) =>
    verifyRevocationList(stored.signed, keys),
  );
  return {
    seq: list.seq,
    issuedAt: new Date(list.issuedAt * 1000),
    serials: list.serials,
    signed: stored.signed,
  };
}

/** The latest list in Postgres, publishing the empty list 0 first if none exists. */
async function storedLatestList(deps: RevocationListDeps): Promise<StoredRevocationList> {
  let stored = await latestRevocationList(deps.db);
  if (!stored) {
    await deps.db.transaction(async (tx) => {
      await lockRevocationLists(tx);
      if (!(await latestRevocationList(tx))) await publishRevocationList(deps, tx);
    });
    stored = await latestRevocationList(deps.db);
  }
  if (!stored) throw new Error('no revocation list after publishing one');
  return stored;
}
