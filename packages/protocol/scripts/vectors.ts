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
  MAX_FUTURE_SKEW_SECONDS,
  SEAL_LABEL,
  SIGN_LABEL,
} from '../src/index.js';
import { cast } from './vector-fixtures.js';
import { invalidVectors } from './vectors-invalid.js';
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
    valid: valid.json,
    invalid: invalidVectors(c, valid.payments),
  };
}

/** The file's exact text: 2-space JSON and a final newline. */
export function vectorsText(): string {
  return `${JSON.stringify(buildVectors(), null, 2)}\n`;
}
