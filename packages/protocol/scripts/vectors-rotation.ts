/**
 * The key-rotation part of packages/protocol/vectors/v1.json (docs/protocol.md §12): three
 * announcements a client that pinned the first signing key walks to the bank's current keys.
 */
import { toHex as h } from '@offpay/crypto';
import { encodeKeyAnnouncement, signKeyAnnouncement, SIGN_LABEL } from '../src/index.js';
import { NOW, kemKey, signingKey, type Cast } from './vector-fixtures.js';
import { sigExample } from './vectors-valid.js';

/** K0 → K1 (signing key), E0 → E1 under K1 (KEM only), K1 → K2 (signing key). */
export function keyRotationVectors(c: Cast) {
  const k1 = signingKey('rotation-sign-1');
  const k2 = signingKey('rotation-sign-2');
  const e1 = kemKey('rotation-kem-1');
  const steps = [
    { by: c.bank, signKey: k1.publicKey, kemKey: c.bankKem.publicKey, validFrom: NOW + 1000 },
    { by: k1, signKey: k1.publicKey, kemKey: e1.publicKey, validFrom: NOW + 2000 },
    { by: k1, signKey: k2.publicKey, kemKey: e1.publicKey, validFrom: NOW + 3000 },
  ];
  const announcements = steps.map(({ by, ...fields }) => {
    const a = signKeyAnnouncement(fields, by.secretKey);
    return {
      bytes: h(encodeKeyAnnouncement(a)),
      decoded: {
        version: 1,
        prevKid: h(a.prevKid),
        signKey: h(a.signKey),
        kemKey: h(a.kemKey),
        validFrom: a.validFrom,
      },
      signature: sigExample(SIGN_LABEL.keyAnnouncement, a.tbs, a.signature, by.publicKey),
    };
  });
  return {
    description:
      'A client that pinned only keys.bankSign walks these announcements (listed newest first, as a client may receive them) in validFrom order, each signed by the key the previous one named, and ends trusting every signing key below, sealing to currentKemKey and expecting new signatures from currentSignKey.',
    pinnedSignKeys: [h(c.bank.publicKey)],
    announcements: announcements.reverse(),
    trustedSignKeys: [h(c.bank.publicKey), h(k1.publicKey), h(k2.publicKey)],
    currentSignKey: h(k2.publicKey),
    currentKemKey: h(e1.publicKey),
  };
}
