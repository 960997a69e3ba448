/**
 * The bank-signed revocation list (DESIGN.md §3, docs/protocol.md §11): a sequence number and the
 * sorted serials of every revoked payer certificate. Receivers keep the highest sequence seen.
 */
import { kid } from '@offpay/crypto';
import { encodeCbor, type CborValue } from './cbor.js';
import { LEN, LIMITS, SIGN_LABEL, VERSION } from './constants.js';
import { fail } from './errors.js';
import { bytes, decodeArray, expectArray, openTbs, time, uint } from './fields.js';
import { issuerKey, type BankKeys } from './keyset.js';
import {
  type SigningKey,
  readEnvelope,
  requireSignature,
  signTbs,
  signerPublicKey,
} from './signing.js';

/** A decoded revocation list. */
export interface RevocationList {
  bankKid: Uint8Array;
  seq: number;
  issuedAt: number;
  /** Revoked payer certificate serials, strictly ascending. */
  serials: number[];
  tbs: Uint8Array;
  signature: Uint8Array;
}

/** Signs a revocation list; serials are sorted and de-duplicated first. */
export function signRevocationList(
  f: { seq: number; issuedAt: number; serials: readonly number[] },
  bankKey: SigningKey,
): RevocationList {
  const serials = [...new Set(f.serials)].sort((a, b) => a - b);
  const tbs = encodeCbor([VERSION, kid(signerPublicKey(bankKey)), f.seq, f.issuedAt, serials]);
  const body = openTbs(tbs, 'revocation list', LIMITS.revocationListBytes);
  return listFromBody(body, tbs, signTbs(SIGN_LABEL.revocationList, tbs, bankKey));
}

function listFromBody(body: CborValue[], tbs: Uint8Array, signature: Uint8Array): RevocationList {
  const it = expectArray(body, 'revocation list', 5);
  const raw = expectArray(it[4], 'revocation list serials');
  if (raw.length > LIMITS.revocationListEntries)
    fail('PROTO_SCHEMA', 'too many revoked serials', { what: 'serials' });
  const serials = raw.map((s) => uint(s, 'revoked serial', 1));
  for (let i = 1; i < serials.length; i++) {
    if (serials[i]! <= serials[i - 1]!)
      fail('PROTO_SCHEMA', 'revoked serials must be strictly ascending', { what: 'serials' });
  }
  return {
    bankKid: bytes(it[1], 'revocation list bankKid', LEN.kid),
    seq: uint(it[2], 'revocation list seq'),
    issuedAt: time(it[3], 'revocation list issuedAt'),
    serials,
    tbs,
    signature,
  };
}

/** Wire bytes: CBOR `[tbs, signature]`. */
export function encodeRevocationList(l: RevocationList): Uint8Array {
  return encodeCbor([l.tbs, l.signature]);
}

/** Parses and verifies a revocation list under the pinned bank keys. */
export function verifyRevocationList(input: Uint8Array, bankKeys: BankKeys): RevocationList {
  const value = decodeArray(input, 'revocation list', LIMITS.revocationListBytes);
  const { tbs, signature, body } = readEnvelope(
    value,
    'revocation list',
    2,
    LIMITS.revocationListBytes,
  );
  const list = listFromBody(body, tbs, signature);
  requireSignature(
    SIGN_LABEL.revocationList,
    tbs,
    signature,
    issuerKey(bankKeys, list.bankKid),
    'revocation list',
  );
  return list;
}
