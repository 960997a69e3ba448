/**
 * An independent reading of vectors/v1.json with node:crypto (OpenSSL) only — none of
 * @offpay/crypto — as a third party implementing docs/protocol.md would: ECDSA P-256 for every
 * signature example, RFC 9180 single-shot open for every sealed example, SHA-256 for every
 * paymentId and ledger hash.
 */
import {
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createPublicKey,
  verify as nodeVerify,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const V = JSON.parse(readFileSync(new URL('../vectors/v1.json', import.meta.url), 'utf8'));
const hex = (s: string) => Buffer.from(s, 'hex');
const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const label = (l: string) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')]);

function spki(compressedOrRaw: Buffer) {
  // SubjectPublicKeyInfo for id-ecPublicKey / prime256v1 with the SEC1 point appended.
  const prefix =
    compressedOrRaw.length === 33
      ? '3039301306072a8648ce3d020106082a8648ce3d030107032200'
      : '3059301306072a8648ce3d020106082a8648ce3d030107034200';
  return createPublicKey({
    key: Buffer.concat([hex(prefix), compressedOrRaw]),
    format: 'der',
    type: 'spki',
  });
}

const hmac = (key: Buffer, data: Buffer) =>
  createHmac('sha256', key.length ? key : Buffer.alloc(32))
    .update(data)
    .digest();

// RFC 9180 §4: LabeledExtract / LabeledExpand over RFC 5869 HKDF.
function labeledExtract(suite: Buffer, salt: Buffer, l: string, ikm: Buffer) {
  return hmac(salt, Buffer.concat([Buffer.from('HPKE-v1'), suite, Buffer.from(l), ikm]));
}
function labeledExpand(suite: Buffer, prk: Buffer, l: string, info: Buffer, len: number) {
  const full = Buffer.concat([
    Buffer.from([len >> 8, len & 0xff]),
    Buffer.from('HPKE-v1'),
    suite,
    Buffer.from(l),
    info,
  ]);
  let t = Buffer.alloc(0);
  let out = Buffer.alloc(0);
  for (let i = 1; out.length < len; i++) {
    t = hmac(prk, Buffer.concat([t, full, Buffer.from([i])]));
    out = Buffer.concat([out, t]);
  }
  return out.subarray(0, len);
}

/** RFC 9180 base-mode single-shot Open for DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM. */
function hpkeOpen(skR: Buffer, info: Buffer, sealed: Buffer): Buffer {
  const enc = sealed.subarray(0, 65);
  const kemSuite = Buffer.from([0x4b, 0x45, 0x4d, 0x00, 0x10]); // "KEM" ‖ 0x0010
  const suite = Buffer.from([0x48, 0x50, 0x4b, 0x45, 0x00, 0x10, 0x00, 0x01, 0x00, 0x02]); // "HPKE" ‖ ids
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(skR);
  const dh = ecdh.computeSecret(enc);
  const eae = labeledExtract(kemSuite, Buffer.alloc(0), 'eae_prk', dh);
  const shared = labeledExpand(
    kemSuite,
    eae,
    'shared_secret',
    Buffer.concat([enc, ecdh.getPublicKey()]),
    32,
  );
  const none = Buffer.alloc(0);
  const ctx = Buffer.concat([
    Buffer.from([0]),
    labeledExtract(suite, none, 'psk_id_hash', none),
    labeledExtract(suite, none, 'info_hash', info),
  ]);
  const secret = labeledExtract(suite, shared, 'secret', none);
  const decipher = createDecipheriv(
    'aes-256-gcm',
    labeledExpand(suite, secret, 'key', ctx, 32),
    labeledExpand(suite, secret, 'base_nonce', ctx, 12),
  );
  const body = sealed.subarray(65);
  decipher.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
}

function walk(
  v: unknown,
  test: (o: Record<string, string>) => boolean,
  out: Record<string, string>[] = [],
) {
  if (v && typeof v === 'object') {
    if (test(v as Record<string, string>)) out.push(v as Record<string, string>);
    for (const x of Object.values(v)) walk(x, test, out);
  }
  return out;
}

describe('an independent implementation (node:crypto only)', () => {
  it('verifies every signature example as ECDSA P-256 / SHA-256 over the stated message', () => {
    const sigs = walk(V, (o) => 'publicKey' in o && 'message' in o && 'signature' in o);
    expect(sigs.length).toBe(17);
    for (const s of sigs) {
      const ok = nodeVerify(
        'sha256',
        hex(s.message!),
        { key: spki(hex(s.publicKey!)), dsaEncoding: 'ieee-p1363' },
        hex(s.signature!),
      );
      expect(ok).toBe(true);
    }
  });

  it('opens every sealed example with a from-scratch RFC 9180 base-mode open', () => {
    const sealed = walk(V, (o) => 'recipientSecretKey' in o && 'sealed' in o);
    expect(sealed.length).toBe(4);
    for (const s of sealed) {
      const pt = hpkeOpen(hex(s.recipientSecretKey!), hex(s.info!), hex(s.sealed!));
      expect(pt.toString('hex')).toBe(s.plaintext);
    }
  });

  it('recomputes every paymentId as SHA-256(label ‖ tbs) and the ledger chain from its genesis input', () => {
    for (const p of V.valid.payments) {
      expect(sha256(label('offpay/v1/payment'), hex(p.tbs)).toString('hex')).toBe(p.paymentId);
      expect(
        hex(p.signature.message).equals(Buffer.concat([label('offpay/v1/payment'), hex(p.tbs)])),
      ).toBe(true);
    }
    const l = V.valid.ledger;
    let prev = sha256(hex(l.genesisInput));
    expect(prev.toString('hex')).toBe(l.genesis);
    for (const e of l.entries) {
      expect(prev.toString('hex')).toBe(e.prevEntryHash);
      prev = sha256(label('offpay/v1/ledger'), prev, hex(e.paymentId));
      expect(prev.toString('hex')).toBe(e.entryHash);
    }
  });

  it('recomputes the merchant code: 40 bits of SHA-256(label ‖ certificate tbs), Crockford base32', () => {
    const m = V.valid.payeeCertificate.merchantCode;
    const bits = BigInt(`0x${sha256(label(m.label), hex(m.tbs)).subarray(0, 5).toString('hex')}`);
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    const chars = [...Array(8).keys()].map(
      (i) => alphabet[Number((bits >> BigInt(35 - 5 * i)) & 31n)],
    );
    expect(`${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`).toBe(m.code);
    // The certificate's tbs is the one its bytes carry (the code never covers the signature).
    expect(V.valid.payeeCertificate.bytes).toContain(m.tbs);
  });
});
