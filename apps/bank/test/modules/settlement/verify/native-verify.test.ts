/** The native verifier agrees with the pure one on Wycheproof and on random signatures, high-S included. */
import { readFileSync } from 'node:fs';
import {
  fromHex,
  generateSecretKey,
  getPublicKey,
  malleate,
  randomBytes,
  sign,
  verify,
} from '@offpay/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createNativeVerifier } from '../../../../src/modules/settlement/verify/native-verify.js';

const native = createNativeVerifier();
const wycheproof = JSON.parse(
  readFileSync(
    new URL(
      '../../../../../../packages/crypto/test/vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json',
      import.meta.url,
    ),
    'utf8',
  ),
) as {
  testGroups: {
    publicKey: { uncompressed: string };
    tests: { tcId: number; msg: string; sig: string; result: string }[];
  }[];
};

describe('native (node:crypto) ECDSA verification', () => {
  it('gives the Wycheproof verdict on every P1363 case, as the pure path does', () => {
    const disagreements: number[] = [];
    let valid = 0;
    let invalid = 0;
    for (const group of wycheproof.testGroups) {
      const key = fromHex(group.publicKey.uncompressed);
      for (const t of group.tests) {
        const expected = t.result === 'valid';
        const got = native(fromHex(t.sig), fromHex(t.msg), key);
        if (got !== expected || verify(fromHex(t.sig), fromHex(t.msg), key) !== got)
          disagreements.push(t.tcId);
        if (expected) valid++;
        else invalid++;
      }
    }
    expect(disagreements).toEqual([]);
    expect([valid, invalid]).toEqual([173, 89]);
  });

  it('agrees with the pure path on random messages, keys and tampering, high-S included', () => {
    const keys = Array.from({ length: 16 }, () => generateSecretKey());
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.nat(15),
        fc.boolean(),
        fc.nat(63),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (message, k, high, flip, junk) => {
          const sk = keys[k]!;
          const pk = getPublicKey(sk);
          const good = sign(message, sk);
          const sig = high ? malleate(good) : good;
          // Both paths accept the high-S twin of a valid signature (STYLE.md "Crypto").
          expect([native(sig, message, pk), verify(sig, message, pk)]).toEqual([true, true]);
          const bad = sig.slice();
          bad[flip] = bad[flip]! ^ 1;
          expect(native(bad, message, pk)).toBe(verify(bad, message, pk));
          expect(native(junk, message, pk)).toBe(verify(junk, message, pk));
          const other = getPublicKey(keys[(k + 1) % keys.length]!);
          expect([native(sig, message, other), verify(sig, message, other)]).toEqual([
            false,
            false,
          ]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('answers false, never throws, for junk keys and signatures', () => {
    const m = randomBytes(10);
    expect(native(randomBytes(64), m, randomBytes(33))).toBe(false);
    expect(native(randomBytes(63), m, getPublicKey(generateSecretKey()))).toBe(false);
    expect(native(randomBytes(64), m, new Uint8Array(65))).toBe(false);
    expect(native(randomBytes(64), m, randomBytes(12))).toBe(false);
  });
});
