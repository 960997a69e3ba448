/**
 * Signed revocation deltas (docs/protocol.md §11.1): what changed between the list a device holds
 * and the latest one, read from the recorded changes and signed by the bank's current key. A
 * delta is answered only when it is worth it — `since` within the recorded changes and at most
 * LIMITS.revocationDeltaEntries serials — otherwise the caller sends the full list.
 */
import {
  encodeRevocationDelta,
  LIMITS,
  signRevocationDelta,
  type RevocationDelta,
} from '@offpay/protocol';
import type { Queryable } from '../../db/queryable.js';
import { unixSeconds } from '../../time.js';
import type { BankKeyring } from '../keys/keys.service.js';
import { protocolSigner } from '../keys/keys.signer.js';
import type { RevocationListView } from './revocations.list.js';
import { listChanges, type ListChange } from './revocations.repo.js';

/** A signed delta and its wire bytes. */
export interface RevocationDeltaView {
  delta: RevocationDelta;
  signed: Uint8Array;
}

/** Most deltas kept signed in memory (one per `since` a device may still hold). */
const MAX_KEPT = 64;

/**
 * `(added, removed)` between the first list and the last of `changes`: a serial added and then
 * removed within the range was on neither list and appears in neither set.
 */
export function netChanges(changes: readonly ListChange[]): { added: number[]; removed: number[] } {
  const added = new Set<number>();
  const removed = new Set<number>();
  for (const c of changes) {
    if (c.change === 'added') added.add(c.serial);
    else if (!added.delete(c.serial)) removed.add(c.serial);
  }
  return { added: [...added], removed: [...removed] };
}

/**
 * Builds the reader of deltas: `(since, latest)` → the signed delta from list `since` to `latest`,
 * or null when the device must take the full list (`since` newer than the latest, older than the
 * recorded changes, or too many changes since). Signed deltas are kept by (since, latest.seq).
 */
export function deltaReader(
  q: Queryable,
  keyring: BankKeyring,
): (since: number, latest: RevocationListView) => Promise<RevocationDeltaView | null> {
  const kept = new Map<string, RevocationDeltaView>();
  return async (since, latest) => {
    if (since > latest.seq || since < latest.deltasFrom) return null;
    const key = `${since}:${latest.seq}`;
    const known = kept.get(key);
    if (known) return known;
    const limit = LIMITS.revocationDeltaEntries;
    const changes = await listChanges(q, since, latest.seq, limit + 1);
    if (changes.length > limit) return null;
    const delta = signRevocationDelta(
      {
        fromSeq: since,
        toSeq: latest.seq,
        issuedAt: unixSeconds(latest.issuedAt),
        ...netChanges(changes),
      },
      protocolSigner(keyring),
    );
    if (kept.size >= MAX_KEPT) kept.clear();
    const view = { delta, signed: encodeRevocationDelta(delta) };
    kept.set(key, view);
    return view;
  };
}
