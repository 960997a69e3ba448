/**
 * Following the bank's key rotations (docs/protocol.md §12): whenever a device talks to the bank
 * it reads GET /v1/keys and walks the signed announcements from the keys it already trusts, so a
 * new signing key is trusted only when a trusted key announced it, and a till seals its batches to
 * the KEM key the latest announcement names. Keys the bank merely lists are never taken on trust
 * once something is pinned (only the very first enrollment pins what the bank lists).
 *
 * Stored in `meta`: the pinned row of trust.ts (every trusted signing key and the current KEM
 * key, updated in place) and {@link FOLLOWED_KEY} (the bank's current signing key and the
 * `validFrom` of the latest accepted announcement), written together in one transaction.
 */
import { equalBytes } from '@offpay/crypto';
import { followKeyAnnouncements, isAppError, type KeyRotationState } from '@offpay/protocol';
import type { BankClient, BankKeysInfo } from './bank.js';
import { AppError } from './errors.js';
import type { MetaDb } from './storage/db.js';
import type { MetaOp } from './storage/schema.js';
import { bankKeysOf, parsePinned, pinKeys, TRUST_KEYS, type PinnedKeys } from './trust.js';

/** Meta key of the followed state: `{ signKey, validFrom }`. */
export const FOLLOWED_KEY = 'bankKeysFollowed';

/** Where following the announcements left a device. */
export interface FollowedKeys extends PinnedKeys {
  /** The bank's current signing key (one of `signKeys`). */
  signKey: Uint8Array;
  /** `validFrom` of the latest accepted announcement; 0 before any rotation. */
  validFrom: number;
}

/** What a device holds of the bank's keys: the pinned row and the followed state, if any. */
export interface HeldKeys {
  pinned: PinnedKeys;
  followed: { signKey: Uint8Array; validFrom: number } | undefined;
}

const isKey = (v: unknown): v is Uint8Array => v instanceof Uint8Array && v.length === 33;

/** The followed state as stored, checked; undefined when `row` is not one. */
export function parseFollowed(row: unknown): HeldKeys['followed'] {
  if (typeof row !== 'object' || row === null) return undefined;
  const { signKey, validFrom } = row as Record<string, unknown>;
  return isKey(signKey) && Number.isSafeInteger(validFrom) && (validFrom as number) >= 0
    ? { signKey, validFrom: validFrom as number }
    : undefined;
}

/** The bank keys this device holds, or undefined before its first enrollment. */
export async function heldKeys(db: Pick<MetaDb, 'get'>): Promise<HeldKeys | undefined> {
  const [pinnedRow, followedRow] = await Promise.all([
    db.get('meta', TRUST_KEYS.pinned),
    db.get('meta', FOLLOWED_KEY),
  ]);
  const pinned = parsePinned(pinnedRow);
  return pinned && { pinned, followed: parseFollowed(followedRow) };
}

function untrusted(why: string): never {
  throw new AppError('APP_BANK_KEYS_UNTRUSTED', undefined, { why });
}

function walk(trusted: PinnedKeys, info: BankKeysInfo): KeyRotationState {
  try {
    return followKeyAnnouncements(bankKeysOf(trusted.signKeys), info.announcements);
  } catch (e) {
    // Two announcements with one validFrom: the bank's current keys are ambiguous (§12 step 2).
    if (isAppError(e, 'PROTO_SCHEMA')) untrusted('two announcements share a validFrom');
    throw e;
  }
}

/**
 * Where the bank's announcements lead from `held` (pure). The walk's last accepted announcement
 * names the current keys, and the keys the bank lists as current must be those; with none
 * accepted, the listed current keys must be the held ones. An answer that leads to an older
 * state than the one followed (a stale or replayed answer) changes nothing.
 * @throws AppError APP_BANK_KEYS_UNTRUSTED when the listed current keys are not reached by
 *   announcements signed by trusted keys
 */
export function followedKeys(held: HeldKeys, info: BankKeysInfo): FollowedKeys {
  const { pinned, followed } = held;
  const state = walk(pinned, info);
  const last = state.accepted.at(-1);
  const signKeys = [...state.signKeys.values()];
  const current: FollowedKeys = last
    ? { signKeys, signKey: last.signKey, kemKey: last.kemKey, validFrom: last.validFrom }
    : { signKeys, signKey: info.signKey, kemKey: pinned.kemKey, validFrom: 0 };
  if (followed && current.validFrom < followed.validFrom) {
    return { ...pinned, signKey: followed.signKey, validFrom: followed.validFrom };
  }
  if (!signKeys.some((k) => equalBytes(k, info.signKey))) {
    untrusted('the current signing key is not announced by a trusted key');
  }
  if (!equalBytes(current.signKey, info.signKey) || !equalBytes(current.kemKey, info.kemKey)) {
    untrusted('the current keys are not the ones the latest announcement names');
  }
  return current;
}

/**
 * The writes that keep `next`: the pinned row (trusted signing keys, current KEM key) and the
 * followed state, for one transaction.
 * @throws AppError APP_BANK_RESPONSE when there are more keys than the app can keep
 */
export function followOps(next: FollowedKeys): MetaOp[] {
  return [
    pinKeys(next),
    { put: 'meta', key: FOLLOWED_KEY, value: { signKey: next.signKey, validFrom: next.validFrom } },
  ];
}

/** True when `next` differs from what `held` stores. */
function changed(held: HeldKeys, next: FollowedKeys): boolean {
  const same = (a: readonly Uint8Array[], b: readonly Uint8Array[]) =>
    a.length === b.length && a.every((k, i) => equalBytes(k, b[i]!));
  return (
    !held.followed ||
    held.followed.validFrom !== next.validFrom ||
    !equalBytes(held.followed.signKey, next.signKey) ||
    !equalBytes(held.pinned.kemKey, next.kemKey) ||
    !same(held.pinned.signKeys, next.signKeys)
  );
}

/**
 * Follows the bank's announcements (GET /v1/keys) from the keys this device holds, and stores
 * where they lead. Returns the keys now held, with `changed` when the stored keys moved; undefined
 * before the first enrollment (nothing to follow from).
 * @throws AppError APP_OFFLINE, APP_BANK_RESPONSE, APP_BANK_KEYS_UNTRUSTED (nothing stored:
 *   the keys held stay as they were), APP_STORAGE_FAILED
 */
export async function followBankKeys(
  db: MetaDb,
  client: Pick<BankClient, 'keys'>,
): Promise<(FollowedKeys & { changed: boolean }) | undefined> {
  if (!(await heldKeys(db))) return undefined;
  const info = await client.keys();
  // Read again after the network: another tab may have followed meanwhile.
  const held = await heldKeys(db);
  if (!held) return undefined;
  const next = followedKeys(held, info);
  const moved = changed(held, next);
  if (moved) await db.write(followOps(next));
  return { ...next, changed: moved };
}

/**
 * The keys an enrollment pins: the held ones followed to the bank's current keys, or — on the
 * very first enrollment, with nothing held — the keys the bank lists (trust on first use), checked
 * for a consistent chain of announcements all the same.
 * @throws AppError APP_BANK_KEYS_UNTRUSTED, APP_BANK_RESPONSE
 */
export function enrollmentKeys(held: HeldKeys | undefined, info: BankKeysInfo): FollowedKeys {
  const start = held ?? {
    pinned: { signKeys: info.signKeys, kemKey: info.kemKey },
    followed: undefined,
  };
  return followedKeys(start, info);
}
