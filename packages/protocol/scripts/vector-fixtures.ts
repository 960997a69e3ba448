/**
 * Deterministic keys, certificates and payments for the protocol test vectors. Every secret here
 * is derived from a public name: these keys are test material and protect nothing.
 */
import { compressPublicKey, getPublicKey, kid, sha256, utf8 } from '@offpay/crypto';
import { AEAD, deriveKeyPair, sealWith } from '@offpay/crypto/vector-tools';
import {
  issuePayeeCertificate,
  issuePayerCertificate,
  paymentSealInfo,
  type PayeeCertificate,
  type PayerCertificate,
} from '../src/index.js';

/** A signing key pair derived from a name. */
export function signingKey(name: string): {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  kid: Uint8Array;
} {
  const secretKey = sha256(utf8(`offpay/v1/vectors/${name}`));
  const publicKey = getPublicKey(secretKey);
  return { secretKey, publicKey, kid: kid(publicKey) };
}

/** A KEM key pair derived with RFC 9180 DeriveKeyPair from a name; the public key compressed. */
export function kemKey(name: string): {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  kid: Uint8Array;
} {
  const { secretKey, publicKey } = deriveKeyPair(sha256(utf8(`offpay/v1/vectors/${name}`)));
  const compressed = compressPublicKey(publicKey);
  return { secretKey, publicKey: compressed, kid: kid(compressed) };
}

/** Fixed bytes derived from a name (request ids and the like). */
export function fixedBytes(name: string, length: number): Uint8Array {
  return sha256(utf8(`offpay/v1/vectors/${name}`)).slice(0, length);
}

/** HPKE seal with a fixed ephemeral key: only the vector generator may do this. */
export function sealDeterministic(
  recipientKemPublicKey: Uint8Array,
  info: Uint8Array,
  plaintext: Uint8Array,
  ephemeralName: string,
): Uint8Array {
  const ephemeral = sha256(utf8(`offpay/v1/vectors/ephemeral/${ephemeralName}`));
  return sealWith(
    AEAD.AES_256_GCM,
    recipientKemPublicKey,
    info,
    plaintext,
    new Uint8Array(0),
    ephemeral,
  );
}

/** Seals payment bytes to a payee deterministically. */
export function sealPaymentDeterministic(
  paymentBytes: Uint8Array,
  payee: { kemKey: Uint8Array; kid: Uint8Array },
  ephemeralName: string,
): Uint8Array {
  return sealDeterministic(payee.kemKey, paymentSealInfo(payee.kid), paymentBytes, ephemeralName);
}

/** The clock of every vector: 2027-01-15T08:00:00Z. */
export const NOW = 1_800_000_000;

/** The cast of the vectors. */
export function cast() {
  const bank = signingKey('bank-sign');
  const bankKem = kemKey('bank-kem');
  const otherBank = signingKey('other-bank-sign');
  const payer = signingKey('payer-sign');
  const intruder = signingKey('intruder-sign');
  const payee = signingKey('payee-sign');
  const payeeKem = kemKey('payee-kem');
  const otherPayee = signingKey('other-payee-sign');
  const payerCert: PayerCertificate = issuePayerCertificate(
    {
      serial: 1001,
      signKey: payer.publicKey,
      currency: 'EUR',
      expiresAt: NOW + 7 * 86400,
      limit: 10_000,
    },
    bank.secretKey,
  );
  const payeeCert: PayeeCertificate = issuePayeeCertificate(
    {
      serial: 2001,
      signKey: payee.publicKey,
      kemKey: payeeKem.publicKey,
      currency: 'EUR',
      expiresAt: NOW + 365 * 86400,
      displayName: "Bob's Market",
    },
    bank.secretKey,
  );
  const foreignPayerCert = issuePayerCertificate(
    {
      serial: 1001,
      signKey: payer.publicKey,
      currency: 'EUR',
      expiresAt: NOW + 7 * 86400,
      limit: 10_000,
    },
    otherBank.secretKey,
  );
  return {
    bank,
    bankKem,
    otherBank,
    payer,
    intruder,
    payee,
    payeeKem,
    otherPayee,
    payerCert,
    payeeCert,
    foreignPayerCert,
  };
}

export type Cast = ReturnType<typeof cast>;
