/**
 * Following the bank's key rotations (docs/protocol.md §12): a client that pinned an old signing
 * key walks the announcements, in validFrom order, each signed by the key the previous one named.
 */
import { generateSecretKey, getPublicKey } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import {
  bankKeySet,
  encodeKeyAnnouncement,
  followKeyAnnouncements,
  signKeyAnnouncement,
} from '../src/index.js';
import { expectCode, NOW } from './helpers.js';

const keyPair = () => {
  const sk = generateSecretKey();
  return { sk, pk: getPublicKey(sk) };
};
const [k0, k1, k2, e0, e1] = [keyPair(), keyPair(), keyPair(), keyPair(), keyPair()];
const announce = (
  by: { sk: Uint8Array },
  signKey: Uint8Array,
  kemKey: Uint8Array,
  validFrom: number,
) => encodeKeyAnnouncement(signKeyAnnouncement({ signKey, kemKey, validFrom }, by.sk));

// K0 → K1 (a signing-key rotation, KEM unchanged); E0 → E1 under K1 (KEM only); K1 → K2.
const a1 = announce(k0, k1.pk, e0.pk, NOW + 100);
const a2 = announce(k1, k1.pk, e1.pk, NOW + 200);
const a3 = announce(k1, k2.pk, e1.pk, NOW + 300);

describe('following key announcements', () => {
  it('takes a client that missed three rotations to the current keys, whatever the list order', () => {
    const state = followKeyAnnouncements(bankKeySet([k0.pk]), [a3, a1, a2]);
    expect(state.accepted.map((a) => a.validFrom)).toEqual([NOW + 100, NOW + 200, NOW + 300]);
    const last = state.accepted.at(-1)!;
    expect(last.signKey).toEqual(k2.pk);
    expect(last.kemKey).toEqual(e1.pk);
    expect([...state.signKeys.values()]).toEqual([k0.pk, k1.pk, k2.pk]);
  });

  it('skips announcements from before the pin, signed by keys the client never trusted', () => {
    const state = followKeyAnnouncements(bankKeySet([k1.pk]), [a1, a2, a3]);
    expect(state.accepted.map((a) => a.validFrom)).toEqual([NOW + 200, NOW + 300]);
    expect(state.signKeys.size).toBe(2);
  });

  it('skips an announcement by a key already succeeded, and one whose signature fails', () => {
    const late = announce(k0, keyPair().pk, keyPair().pk, NOW + 400);
    const forged = new Uint8Array(announce(k1, keyPair().pk, e1.pk, NOW + 500));
    forged[forged.length - 1]! ^= 1;
    const state = followKeyAnnouncements(bankKeySet([k0.pk]), [a1, a2, a3, late, forged]);
    expect(state.accepted.at(-1)!.signKey).toEqual(k2.pk);
    expect(state.signKeys.size).toBe(3);
  });

  it('with nothing to follow leaves the pinned keys as they were', () => {
    const state = followKeyAnnouncements(bankKeySet([k0.pk]), [Uint8Array.of(0x80)]);
    expect(state.accepted).toEqual([]);
    expect([...state.signKeys.values()]).toEqual([k0.pk]);
  });

  it('refuses two announcements with one validFrom: the current keys would be ambiguous', () => {
    const twin = announce(k1, k1.pk, keyPair().pk, NOW + 200);
    expectCode(
      () => followKeyAnnouncements(bankKeySet([k0.pk]), [a1, a2, twin, a3]),
      'PROTO_SCHEMA',
      { what: 'key announcement validFrom' },
    );
  });
});
