/**
 * Following the bank's key rotations (docs/protocol.md §12): from the signing keys a client
 * pinned, walk the bank's announcements in `validFrom` order, each signed by the signing key the
 * previous one named, to the bank's current signing and KEM keys. A client that missed several
 * rotations catches up in one walk.
 */
import { equalBytes, kid, toHex } from '@offpay/crypto';
import { checkAnnouncement, decodeKeyAnnouncement, type KeyAnnouncement } from './announcement.js';
import { fail, isAppError } from './errors.js';
import type { BankKeys } from './keyset.js';

/** Where a walk over the bank's announcements leaves a client. */
export interface KeyRotationState {
  /** Every signing key now trusted: the pinned ones and each one announced along the chain. */
  signKeys: BankKeys;
  /** The announcements accepted, oldest first; the last names the bank's current keys. */
  accepted: KeyAnnouncement[];
}

/**
 * Walks announcements (wire bytes, in any order) from the pinned signing keys. An announcement is
 * accepted when its signer (prevKid) is trusted, is the key the previously accepted announcement
 * named (once one was accepted), and its signature verifies; the key it names becomes trusted.
 * Announcements that do not decode or are not accepted are skipped: older ones from before the
 * pin, or ones signed by a key that was already succeeded.
 *
 * @throws PROTO_SCHEMA when two announcements share a `validFrom`: their order, and so the
 *   current keys, would be ambiguous (the bank must make `validFrom` strictly increasing).
 */
export function followKeyAnnouncements(
  pinned: BankKeys,
  announcements: readonly Uint8Array[],
): KeyRotationState {
  const decoded = announcements.flatMap(decodeOrSkip).sort((a, b) => a.validFrom - b.validFrom);
  for (let i = 1; i < decoded.length; i++) {
    if (decoded[i]!.validFrom === decoded[i - 1]!.validFrom) {
      fail('PROTO_SCHEMA', 'two key announcements share a validFrom', {
        what: 'key announcement validFrom',
      });
    }
  }
  const signKeys = new Map(pinned);
  const accepted: KeyAnnouncement[] = [];
  for (const a of decoded) {
    const last = accepted.at(-1);
    if (last && !equalBytes(a.prevKid, kid(last.signKey))) continue;
    if (!verifies(a, signKeys)) continue;
    signKeys.set(toHex(kid(a.signKey)), a.signKey);
    accepted.push(a);
  }
  return { signKeys, accepted };
}

function decodeOrSkip(bytes: Uint8Array): KeyAnnouncement[] {
  try {
    return [decodeKeyAnnouncement(bytes)];
  } catch (e) {
    if (isAppError(e)) return [];
    throw e;
  }
}

function verifies(a: KeyAnnouncement, trusted: BankKeys): boolean {
  try {
    checkAnnouncement(a, trusted);
    return true;
  } catch (e) {
    if (isAppError(e)) return false;
    throw e;
  }
}
