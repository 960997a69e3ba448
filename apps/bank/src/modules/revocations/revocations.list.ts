/**
 * The bank-signed revocation list (docs/protocol.md §11): every revocation of a payer certificate
 * publishes the next list inside its own transaction, so the list and the database never disagree;
 * readers get the latest list, verified once under the bank's keys and then kept in memory.
 *
 * Storage grows linearly (issue #12 item 5): a publication appends its changes (the serials it
 * adds and those past expiry + grace it removes) to `revocation_list_changes`, keeps the current
 * serials in `revocation_list_entries` and replaces the one small row of the latest list. The list
 * is signed when first read (then cached in Redis and memory), not inside the revocation's
 * transaction. Deltas between lists are read from the changes (revocations.delta.ts).
 */
import {
  encodeRevocationList,
  LIMITS,
  signRevocationList,
  verifyRevocationList,
} from '@offpay/protocol';
import type { Database, Queryable } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import { afterCommit } from '../../kv/after-commit.js';
import type { ReadThroughCache } from '../../kv/read-through.js';
import { unixSeconds } from '../../time.js';
import type { BankKeyring } from '../keys/keys.service.js';
import { protocolSigner, withSignKeys } from '../keys/keys.signer.js';
import { releaseCutoff } from '../reserves/reserves.domain.js';
import { LATEST_LIST } from './revocations.cache.js';
import {
  addRevokedEntries,
  countListEntries,
  lastRevocationSeq,
  latestListSnapshot,
  latestRevocationList,
  lockRevocationLists,
  removeExpiredEntries,
  replaceRevocationList,
  type StoredRevocationList,
} from './revocations.repo.js';

/** The latest signed revocation list, decoded. */
export interface RevocationListView {
  seq: number;
  issuedAt: Date;
  serials: number[];
  signed: Uint8Array;
  /** The oldest list a delta may start from (GET /v1/revocations?since=). */
  deltasFrom: number;
}

/** What publishing and reading the list needs. */
export interface RevocationListDeps {
  db: Database;
  keyring: BankKeyring;
  now: () => Date;
  /** The shared cache of the latest list; absent → every read asks Postgres. */
  listCache?: ReadThroughCache<StoredRevocationList>;
  /** Told the number of serials on each list published, after COMMIT (a metric, an alert). */
  observeList?: (entries: number) => void;
}

/**
 * Publishes the next list inside `tx`: every revoked payer serial that could still settle (a
 * certificate past expiry + grace is refused by expiry anyway, so the list stays bounded by the
 * live certificates). Takes the publishers' lock first, so sequence numbers never repeat. Never
 * truncates: a list that would hold more than the protocol's bound is refused. The list is
 * signed when first read ({@link latestListReader}), with this publication's time as `issuedAt`.
 * @throws BANK_REVOCATION_LIST_FULL (the transaction must roll back)
 */
export async function publishRevocationList(
  deps: RevocationListDeps,
  tx: Queryable,
): Promise<number> {
  await lockRevocationLists(tx);
  const now = deps.now();
  const latest = await latestRevocationList(tx);
  const seq = latest ? latest.seq + 1 : 0;
  const cutoff = releaseCutoff(now);
  await removeExpiredEntries(tx, seq, cutoff);
  await addRevokedEntries(tx, seq, latest?.throughRevocation ?? 0, cutoff);
  const entries = await countListEntries(tx);
  if (entries > LIMITS.revocationListEntries)
    bankFail(
      'BANK_REVOCATION_LIST_FULL',
      `The revocation list would hold ${entries} serials; the protocol allows ${LIMITS.revocationListEntries}`,
      { limit: LIMITS.revocationListEntries },
    );
  await replaceRevocationList(tx, {
    seq,
    // Whole seconds, as the signed list carries it.
    issuedAt: new Date(unixSeconds(now) * 1000),
    deltasFrom: latest ? latest.deltasFrom : 0,
    throughRevocation: await lastRevocationSeq(tx),
  });
  const { listCache, observeList } = deps;
  // After COMMIT, so no instance can cache the previous list again (kv/read-through.ts).
  if (listCache) await afterCommit(tx, () => listCache.invalidate(LATEST_LIST));
  if (observeList)
    await afterCommit(tx, () => {
      observeList(entries);
      return Promise.resolve();
    });
  return seq;
}

/**
 * Reads the latest list, publishing the empty list 0 first if none exists, and signing it on
 * first read. Lists are kept by sequence number: signed (or read) and verified once per instance,
 * shared between instances through the cache, then served from memory.
 */
export function latestListReader(deps: RevocationListDeps): () => Promise<RevocationListView> {
  let cached: RevocationListView | null = null;
  const { listCache } = deps;
  return async () => {
    const load = () => storedLatestList(deps, cached);
    const stored = listCache ? await listCache.get(LATEST_LIST, load) : await load();
    if (cached?.seq === stored.seq) return cached;
    try {
      cached = await verifiedView(deps, stored);
    } catch (err) {
      if (!listCache) throw err;
      // A damaged cache entry must not break the endpoint: Postgres answers instead.
      await listCache.invalidate(LATEST_LIST);
      cached = await verifiedView(deps, await storedLatestList(deps, null));
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
    deltasFrom: stored.deltasFrom,
  };
}

/**
 * The latest list, publishing the empty list 0 first if none exists: its stored bytes (a list
 * from before migration 014), the bytes already signed in this instance (`known`), or signed now
 * from one snapshot of its row and entries.
 */
async function storedLatestList(
  deps: RevocationListDeps,
  known: RevocationListView | null,
): Promise<StoredRevocationList> {
  let head = await latestRevocationList(deps.db);
  if (!head) {
    await deps.db.transaction(async (tx) => {
      await lockRevocationLists(tx);
      if (!(await latestRevocationList(tx))) await publishRevocationList(deps, tx);
    });
    head = await latestRevocationList(deps.db);
  }
  if (!head) throw new Error('no revocation list after publishing one');
  const { deltasFrom, throughRevocation } = head;
  if (head.signed) return { seq: head.seq, signed: head.signed, deltasFrom, throughRevocation };
  if (known?.seq === head.seq)
    return { seq: head.seq, signed: known.signed, deltasFrom, throughRevocation };
  const snap = await latestListSnapshot(deps.db);
  if (!snap) throw new Error('the revocation list disappeared');
  const signed =
    snap.signed ??
    encodeRevocationList(
      signRevocationList(
        { seq: snap.seq, issuedAt: unixSeconds(snap.issuedAt), serials: snap.serials },
        protocolSigner(deps.keyring),
      ),
    );
  return {
    seq: snap.seq,
    signed,
    deltasFrom: snap.deltasFrom,
    throughRevocation: snap.throughRevocation,
  };
}
