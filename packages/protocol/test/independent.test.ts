/**
 * An independent reading of vectors/v1.json with Node's WebCrypto and node:crypto only — none of
 * @offpay/crypto — as a third party implementing docs/protocol.md would: ECDSA P-256 for every
 * signature example, RFC 9180 single-shot open for every sealed example, SHA-256 for every
 * paymentId and ledger hash.
 */
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const V = JSON.parse(readFileSync(new URL('../vectors/v1.json', import.meta.url), 'utf8'));
const subtle = globalThis.crypto.subtle;
const hex = (s: string) => Buffer.from(s, 'hex');
const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const label = (l: string) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')]);

function spki(compressedOrRaw: Buffer) {
  // SubjectPublicKeyInfo for id-ecPublicKey / prime256v1 with the SEC1 point appended.
  const prefix = compressedOrRaw.length === 33
    ? '3039301306072a8648ce3d020106082a8648ce3d030107032200'
    : '3059301306072a8648ce3d020106082a8648ce3d030107034200';
  return createPublicKey({ key: Buffer.concat([hex(prefix), compressedOrRaw]), format: 'der', type: 'spki' });
}

async function hmac(key: Buffer, data: Buffer): Promise<Buffer> {
  const k = await subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return Buffer.from(await subtle.sign('HMAC', k, data));
}

// RFC 5869 with RFC 9180 §4 labels.
async function labeledExtract(suite: Buffer, salt: Buffer, l: string, ikm: Buffer) {
  return hmac(salt.length ? salt : Buffer.alloc(32), Buffer.concat([Buffer.from('HPKE-v1'), suite, Buffer.from(l), ikm]));
}
async function labeledExpand(suite: Buffer, prk: Buffer, l: string, info: Buffer, len: number) {
  const full = Buffer.concat([Buffer.from([len >> 8, len & 0xff]), Buffer.from('HPKE-v1'), suite, Buffer.from(l), info]);
  let t = Buffer.alloc(0);
  let out = Buffer.alloc(0);
  for (let i = 1; out.length < len; i++) {
    t = await hmac(prk, Buffer.concat([t, full, Buffer.from([i])]));
    out = Buffer.concat([out, t]);
  }
  return out.subarray(0, len);
}

async function hpkeOpen(skR: Buffer, info: Buffer, sealed: Buffer): Promise<Buffer> {
  const enc = sealed.subarray(0, 65);
  const kemSuite = Buffer.from('KEM\x00\x10', 'latin1');
  const suite = Buffer.from('HPKE\x00\x10\x00\x01\x00\x02', 'latin1');
  const d = Buffer.from(skR).toString('base64url');
  const pkcs = await subtle.importKey('jwk', await jwkFor(skR, d), { name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
  const pkE = await subtle.importKey('raw', enc, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
  const dh = Buffer.from(await subtle.deriveBits({ name: 'ECDH', public: pkE }, pkcs, 256));
  const pkRm = Buffer.from(await subtle.exportKey('raw', await publicOf(pkcs)));
  const eae = await labeledExtract(kemSuite, Buffer.alloc(0), 'eae_prk', dh);
  const shared = await labeledExpand(kemSuite, eae, 'shared_secret', Buffer.concat([enc, pkRm]), 32);
  const ctx = Buffer.concat([
    Buffer.from([0]),
    await labeledExtract(suite, Buffer.alloc(0), 'psk_id_hash', Buffer.alloc(0)),
    await labeledExtract(suite, Buffer.alloc(0), 'info_hash', info),
  ]);
  const secret = await labeledExtract(suite, shared, 'secret', Buffer.alloc(0));
  const key = await labeledExpand(suite, secret, 'key', ctx, 32);
  const nonce = await labeledExpand(suite, secret, 'base_nonce', ctx, 12);
  const aes = await subtle.importKey('raw', key, 'AES-GCM', false, ['decrypt']);
  return Buffer.from(await subtle.decrypt({ name: 'AES-GCM', iv: nonce }, aes, sealed.subarray(65)));
}

async function jwkFor(sk: Buffer, d: string): Promise<JsonWebKey> {
  // Derive the public point with node:crypto's ECDH to build a complete private JWK.
  const { createECDH } = await import('node:crypto');
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(sk);
  const pub = ecdh.getPublicKey();
  return { kty: 'EC', crv: 'P-256', d, x: pub.subarray(1, 33).toString('base64url'), y: pub.subarray(33).toString('base64url'), ext: true };
}

async function publicOf(key: CryptoKey): Promise<CryptoKey> {
  const jwk = await subtle.exportKey('jwk', key);
  delete jwk.d;
  return subtle.importKey('jwk', { ...jwk, key_ops: [] }, { name: 'ECDH', namedCurve: 'P-256' }, true, []);
}

function walk(v: unknown, test: (o: Record<string, string>) => boolean, out: Record<string, string>[] = []) {
  if (v && typeof v === 'object') {
    if (test(v as Record<string, string>)) out.push(v as Record<string, string>);
    for (const x of Object.values(v)) walk(x, test, out);
  }
  return out;
}

describe('an independent implementation (node:crypto and WebCrypto only)', () => {
  it('verifies every signature example as ECDSA P-256 / SHA-256 over the stated message', () => {
    const sigs = walk(V, (o) => 'publicKey' in o && 'message' in o && 'signature' in o);
    expect(sigs.length).toBe(12);
    for (const s of sigs) {
      const ok = nodeVerify('sha256', hex(s.message!), { key: spki(hex(s.publicKey!)), dsaEncoding: 'ieee-p1363' }, hex(s.signature!));
      expect(ok).toBe(true);
    }
  });

  it('opens every sealed example with a from-scratch RFC 9180 base-mode open', async () => {
    const sealed = walk(V, (o) => 'recipientSecretKey' in o && 'sealed' in o);
    expect(sealed.length).toBe(4);
    for (const s of sealed) {
      const pt = await hpkeOpen(hex(s.recipientSecretKey!), hex(s.info!), hex(s.sealed!));
      expect(pt.toString('hex')).toBe(s.plaintext);
    }
  });

  it('recomputes every paymentId as SHA-256(label ‖ tbs) and the ledger chain from its genesis input', () => {
    for (const p of V.valid.payments) {
      expect(sha256(label('offpay/v1/payment'), hex(p.tbs)).toString('hex')).toBe(p.paymentId);
      expect(hex(p.signature.message).equals(Buffer.concat([label('offpay/v1/payment'), hex(p.tbs)]))).toBe(true);
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
});
