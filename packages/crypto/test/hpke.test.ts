/**
 * HPKE (RFC 9180) base mode against the published Appendix A vectors for DHKEM(P-256,
 * HKDF-SHA256), HKDF-SHA256 and AES-128-GCM / AES-256-GCM (vectors/hpke/README.md), plus the
 * failure behaviour of the public single-shot `open`.
 */
import { describe, expect, it } from 'vitest';
import {
  AEAD,
  deriveKeyPair,
  setupBaseR,
  setupBaseSWith,
  type AeadSuite,
} from '@offpay/crypto/vector-tools';
import {
  concatBytes,
  deriveKeyPair as publicDeriveKeyPair,
  generateSecretKey,
  getPublicKey,
  isCryptoError,
  open,
  seal,
  SEAL_OVERHEAD,
  toHex,
  utf8,
} from '../src/index.js';
import { flipByte, hex, readVector, thrown } from './helpers.js';

interface HpkeVector {
  mode: number;
  kem_id: number;
  kdf_id: number;
  aead_id: number;
  info: string;
  ikmR: string;
  ikmE: string;
  skRm: string;
  skEm: string;
  pkRm: string;
  pkEm: string;
  enc: string;
  shared_secret: string;
  key_schedule_context: string;
  secret: string;
  key: string;
  base_nonce: string;
  exporter_secret: string;
  encryptions: { aad: string; ct: string; nonce: string; pt: string }[];
  exports: { exporter_context: string; L: number; exported_value: string }[];
}

const vectors = readVector<HpkeVector[]>('hpke/rfc9180-p256-hkdfsha256.json');
const baseMode = vectors.filter((v) => v.mode === 0 && v.kem_id === 0x10 && v.kdf_id === 1);
const suites: Record<number, AeadSuite> = { 1: AEAD.AES_128_GCM, 2: AEAD.AES_256_GCM };

function suiteOf(v: HpkeVector): AeadSuite {
  const suite = suites[v.aead_id];
  if (suite === undefined) throw new Error(`unexpected aead_id ${v.aead_id}`);
  return suite;
}

describe('RFC 9180 Appendix A vectors, base mode, DHKEM(P-256, HKDF-SHA256)', () => {
  it('covers exactly the two base-mode entries (AES-128-GCM and AES-256-GCM)', () => {
    expect(baseMode.map((v) => v.aead_id)).toEqual([1, 2]);
  });

  describe.each(baseMode.map((v) => [v.aead_id, v] as const))('aead_id %i', (_id, v) => {
    const info = hex(v.info);

    it('DeriveKeyPair reproduces skRm/pkRm from ikmR and skEm/pkEm from ikmE', () => {
      const r = deriveKeyPair(hex(v.ikmR));
      const e = deriveKeyPair(hex(v.ikmE));
      expect([toHex(r.secretKey), toHex(r.publicKey)]).toEqual([v.skRm, v.pkRm]);
      expect([toHex(e.secretKey), toHex(e.publicKey)]).toEqual([v.skEm, v.pkEm]);
      // The public entry point is the same function.
      expect(toHex(publicDeriveKeyPair(hex(v.ikmR)).secretKey)).toBe(v.skRm);
    });

    it('SetupBaseS reproduces enc, shared_secret and every key schedule output', () => {
      const { enc, sharedSecret, context } = setupBaseSWith(
        suiteOf(v),
        hex(v.pkRm),
        info,
        hex(v.skEm),
      );
      const s = context.schedule;
      expect({
        enc: toHex(enc),
        shared_secret: toHex(sharedSecret),
        key_schedule_context: toHex(s.keyScheduleContext),
        secret: toHex(s.secret),
        key: toHex(s.key),
        base_nonce: toHex(s.baseNonce),
        exporter_secret: toHex(s.exporterSecret),
      }).toEqual({
        enc: v.enc,
        shared_secret: v.shared_secret,
        key_schedule_context: v.key_schedule_context,
        secret: v.secret,
        key: v.key,
        base_nonce: v.base_nonce,
        exporter_secret: v.exporter_secret,
      });
    });

    it('seals all 257 messages (seq 0..256) to the exact ciphertexts and SetupBaseR opens them', () => {
      const sender = setupBaseSWith(suiteOf(v), hex(v.pkRm), info, hex(v.skEm)).context;
      const receiver = setupBaseR(suiteOf(v), hex(v.enc), hex(v.skRm), info);
      expect(toHex(receiver.sharedSecret)).toBe(v.shared_secret);
      const failures: string[] = [];
      v.encryptions.forEach((e, seq) => {
        const ct = toHex(sender.seal(hex(e.pt), hex(e.aad)));
        if (ct !== e.ct) failures.push(`seq ${seq}: sealed to ${ct}`);
        const pt = toHex(receiver.context.open(hex(e.ct), hex(e.aad)));
        if (pt !== e.pt) failures.push(`seq ${seq}: opened to ${pt}`);
      });
      expect(failures).toEqual([]);
      expect(v.encryptions).toHaveLength(257);
    });

    it('exports every exporter value on both sides', () => {
      const sender = setupBaseSWith(suiteOf(v), hex(v.pkRm), info, hex(v.skEm)).context;
      const receiver = setupBaseR(suiteOf(v), hex(v.enc), hex(v.skRm), info).context;
      for (const x of v.exports) {
        expect(toHex(sender.export(hex(x.exporter_context), x.L))).toBe(x.exported_value);
        expect(toHex(receiver.export(hex(x.exporter_context), x.L))).toBe(x.exported_value);
      }
      expect(v.exports).toHaveLength(3);
    });
  });

  it('public open() (AES-256-GCM, single-shot) opens the aead 2 vector: enc ‖ ct of seq 0', () => {
    const v = baseMode.find((x) => x.aead_id === 2)!;
    const first = v.encryptions[0]!;
    const sealed = concatBytes(hex(v.enc), hex(first.ct));
    // The vector binds aad "Count-0" to seq 0, so the same aad is passed here.
    expect(toHex(open(hex(v.skRm), hex(v.info), sealed, hex(first.aad)))).toBe(first.pt);
    const withoutAad = thrown(() => open(hex(v.skRm), hex(v.info), sealed));
    expect(isCryptoError(withoutAad, 'CRYPTO_HPKE_OPEN_FAILED')).toBe(true);
  });
});

describe('seal and open', () => {
  const sk = generateSecretKey();
  const pk = getPublicKey(sk);
  const info = utf8('offpay/v1/test');
  const message = utf8('pay 12.50 EUR to shop 42');
  const sealed = seal(pk, info, message);

  const expectOpenFailed = (fn: () => unknown) =>
    expect(isCryptoError(thrown(fn), 'CRYPTO_HPKE_OPEN_FAILED')).toBe(true);

  it('opens what it sealed, with compressed or uncompressed recipient keys', () => {
    expect(open(sk, info, sealed)).toEqual(message);
    expect(sealed).toHaveLength(message.length + SEAL_OVERHEAD);
    expect(open(sk, info, seal(getPublicKey(sk, false), info, message))).toEqual(message);
  });

  it('uses a fresh ephemeral key: sealing the same message twice gives different bytes', () => {
    expect(toHex(seal(pk, info, message))).not.toBe(toHex(seal(pk, info, message)));
  });

  it('refuses to open with the wrong secret key', () => {
    expectOpenFailed(() => open(generateSecretKey(), info, sealed));
  });

  it('refuses to open with a different info or aad', () => {
    expectOpenFailed(() => open(sk, utf8('offpay/v1/other'), sealed));
    expectOpenFailed(() => open(sk, info, sealed, utf8('aad')));
  });

  it('refuses truncated sealed bytes, down to empty', () => {
    for (const length of [sealed.length - 1, SEAL_OVERHEAD, SEAL_OVERHEAD - 1, 65, 1, 0]) {
      expectOpenFailed(() => open(sk, info, sealed.subarray(0, length)));
    }
  });

  it('refuses an enc that is not a point on the curve', () => {
    expectOpenFailed(() => open(sk, info, flipByte(sealed, 64))); // last byte of y
    expectOpenFailed(() => open(sk, info, flipByte(sealed, 0, 0x04))); // prefix 0x04 → 0x00
    const zeroEnc = concatBytes(new Uint8Array(65), sealed.subarray(65));
    expectOpenFailed(() => open(sk, info, zeroEnc));
  });

  it('refuses a changed ciphertext or tag byte', () => {
    expectOpenFailed(() => open(sk, info, flipByte(sealed, 70)));
    expectOpenFailed(() => open(sk, info, flipByte(sealed, sealed.length - 1, 0x80)));
  });

  it('names the argument when a key has the wrong type or size', () => {
    expect(() => seal(pk.subarray(1), info, message)).toThrow(/recipientPublicKey/);
    expect(() => open(sk.subarray(1), info, sealed)).toThrow(RangeError);
    expect(() => open(sk.subarray(1), info, sealed)).toThrow(/recipientSecretKey/);
    expect(() => seal(pk, 'info' as unknown as Uint8Array, message)).toThrow(TypeError);
    expect(() => open(sk, info, [1, 2] as unknown as Uint8Array)).toThrow(/sealed/);
  });

  it('refuses to seal to a key that is not a point (coded CRYPTO_INVALID_PUBLIC_KEY)', () => {
    const bad = new Uint8Array(33).fill(0xff);
    bad[0] = 0x02;
    expect(
      isCryptoError(
        thrown(() => seal(bad, info, message)),
        'CRYPTO_INVALID_PUBLIC_KEY',
      ),
    ).toBe(true);
  });

  it('deriveKeyPair refuses ikm shorter than 32 bytes (RFC 9180 §7.1.3)', () => {
    expect(() => publicDeriveKeyPair(new Uint8Array(31))).toThrow(RangeError);
  });
});
