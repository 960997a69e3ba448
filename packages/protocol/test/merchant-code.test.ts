import { fromHex, generateSecretKey, getPublicKey } from '@offpay/crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodePayeeCertificate,
  issuePayeeCertificate,
  merchantCode,
  merchantCodeOfTbs,
} from '../src/index.js';

const V = JSON.parse(readFileSync(new URL('../vectors/v1.json', import.meta.url), 'utf8')) as {
  valid: { payeeCertificate: { bytes: string; merchantCode: { tbs: string; code: string } } };
};

function certificate(displayName: string, serial = 7) {
  const key = () => getPublicKey(generateSecretKey());
  return issuePayeeCertificate(
    {
      serial,
      signKey: key(),
      kemKey: key(),
      currency: 'EUR',
      expiresAt: 2_000_000_000,
      displayName,
    },
    generateSecretKey(),
  );
}

describe('merchant code (docs/protocol.md §5.5)', () => {
  it('is the published vector for the vectors’ payee certificate', () => {
    const v = V.valid.payeeCertificate;
    expect(merchantCode(decodePayeeCertificate(fromHex(v.bytes)))).toBe(v.merchantCode.code);
    expect(merchantCodeOfTbs(fromHex(v.merchantCode.tbs))).toBe(v.merchantCode.code);
  });

  it('reads as two groups of four Crockford base32 characters', () => {
    for (let i = 0; i < 50; i++) {
      expect(merchantCode(certificate("Bob's Market"))).toMatch(
        /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/,
      );
    }
  });

  it('differs for two tills with the same name (the code names the certificate, not the shop)', () => {
    expect(merchantCode(certificate("Bob's Market"))).not.toBe(
      merchantCode(certificate("Bob's Market")),
    );
  });

  it('depends on the tbs only: a re-signed certificate has the same code', () => {
    const cert = certificate("Bob's Market");
    expect(merchantCode({ tbs: cert.tbs })).toBe(merchantCode(cert));
    const changed = Uint8Array.from(cert.tbs);
    changed[changed.length - 1] = (changed[changed.length - 1] as number) ^ 1;
    expect(merchantCodeOfTbs(changed)).not.toBe(merchantCode(cert));
  });
});
