/**
 * Builds packages/protocol/vectors/v1.json, deterministically: keys derive from public names and
 * sealing uses fixed ephemeral keys through `@offpay/crypto/vector-tools` (never reachable from
 * the sealing API). The test suite rebuilds it and requires byte equality with the committed file.
 */
import { toHex as h } from '@offpay/crypto';
import {
  GRACE_SECONDS,
  HASH_LABEL,
  LIMITS,
  MAX_AMOUNT,
  MAX_ANIMATED_BYTES,
  MAX_CBOR_DEPTH,
  MAX_COUNTER,
  MAX_FILE_CHARS,
  MAX_FUTURE_SKEW_SECONDS,
  MAX_QR_PARTS,
  MAX_QR_TEXT_CHARS,
  MAX_READABLE_CHARS,
  MAX_READABLE_FIELDS,
  MAX_TIME,
  QR_PART_HEADER_LENGTH,
  QR_PART_PREFIX,
  QR_PREFIX,
  SEAL_LABEL,
  SIGN_LABEL,
} from '../src/index.js';
import { cast } from './vector-fixtures.js';
import { decodingVectors } from './vectors-decoding.js';
import { invalidVectors } from './vectors-invalid.js';
import { keyRotationVectors } from './vectors-rotation.js';
import { validVectors } from './vectors-valid.js';

/** The whole vector file as a JSON value. */
export function buildVectors() {
  const c = cast();
  const valid = validVectors(c);
  return {
    description:
      'offpay protocol v1 test vectors. Hex strings are bytes. Specification: docs/protocol.md. Regenerate with `pnpm --filter @offpay/protocol vectors`; a test requires this file to be reproduced byte for byte.',
    version: 1,
    constants: {
      signLabels: SIGN_LABEL,
      hashLabels: HASH_LABEL,
      sealLabels: SEAL_LABEL,
      labelEncoding: 'one byte holding the label length, then the ASCII label',
      graceSeconds: GRACE_SECONDS,
      maxFutureSkewSeconds: MAX_FUTURE_SKEW_SECONDS,
      limits: LIMITS,
      encoding: {
        maxCborDepth: MAX_CBOR_DEPTH,
        maxInteger: MAX_AMOUNT,
        maxTime: MAX_TIME,
        maxCounter: MAX_COUNTER,
      },
      transport: {
        qrPrefix: QR_PREFIX,
        qrPartPrefix: QR_PART_PREFIX,
        maxQrTextChars: MAX_QR_TEXT_CHARS,
        qrPartHeaderBytes: QR_PART_HEADER_LENGTH,
        maxAnimatedBytes: MAX_ANIMATED_BYTES,
        maxQrParts: MAX_QR_PARTS,
        maxFileChars: MAX_FILE_CHARS,
        maxReadableFields: MAX_READABLE_FIELDS,
        maxReadableChars: MAX_READABLE_CHARS,
      },
    },
    keys: {
      note: 'test keys derived from public names; never use them for anything else',
      bankSign: {
        secretKey: h(c.bank.secretKey),
        publicKey: h(c.bank.publicKey),
        kid: h(c.bank.kid),
      },
      bankKem: {
        secretKey: h(c.bankKem.secretKey),
        publicKey: h(c.bankKem.publicKey),
        kid: h(c.bankKem.kid),
      },
      payerSign: {
        secretKey: h(c.payer.secretKey),
        publicKey: h(c.payer.publicKey),
        kid: h(c.payer.kid),
      },
      payeeSign: {
        secretKey: h(c.payee.secretKey),
        publicKey: h(c.payee.publicKey),
        kid: h(c.payee.kid),
      },
      payeeKem: {
        secretKey: h(c.payeeKem.secretKey),
        publicKey: h(c.payeeKem.publicKey),
        kid: h(c.payeeKem.kid),
      },
    },
    valid: { ...valid.json, keyRotation: keyRotationVectors(c) },
    invalid: [...invalidVectors(c, valid.payments), ...decodingVectors(c, valid.payments)],
  };
}

/** The file's exact text: 2-space JSON and a final newline. */
export function vectorsText(): string {
  return `${JSON.stringify(buildVectors(), null, 2)}\n`;
}
