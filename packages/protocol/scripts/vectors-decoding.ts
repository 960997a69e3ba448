/**
 * Decoding vectors of packages/protocol/vectors/v1.json: inputs that show the check order of
 * docs/protocol.md §1 (version first, outer before nested, the outermost array counting in the
 * nesting depth), display text (§3) and how the bank reads a batch entry by entry (§9).
 */
import { concatBytes, sign, toHex as h } from '@offpay/crypto';
import {
  certificateValue,
  decodeCbor,
  encodeCbor,
  issuePayeeCertificate,
  paymentValue,
  signedBytes,
  signPaymentRequest,
  SIGN_LABEL,
  type CborValue,
  type Payment,
} from '../src/index.js';
import { NOW, fixedBytes, type Cast } from './vector-fixtures.js';

type Items = CborValue[];

/** A payment's envelope with its tbs items changed, re-signed by the payer. */
function rewritePayment(c: Cast, p: Payment, change: (tbs: Items) => Items, rest?: Items) {
  const tbs = encodeCbor(change(decodeCbor(p.tbs) as Items));
  const signature = sign(signedBytes(SIGN_LABEL.payment, tbs), c.payer.secretKey);
  return encodeCbor([tbs, signature, ...(rest ?? [certificateValue(p.payerCert)])]);
}

/** A payment tbs whose version is written as raw CBOR bytes (for values encodeCbor refuses). */
function withRawVersion(c: Cast, p: Payment, versionCbor: Uint8Array) {
  const tbs = concatBytes(p.tbs.subarray(0, 1), versionCbor, p.tbs.subarray(2));
  const signature = sign(signedBytes(SIGN_LABEL.payment, tbs), c.payer.secretKey);
  return encodeCbor([tbs, signature, certificateValue(p.payerCert)]);
}

/**
 * A payment envelope whose certificate slot holds `depth` nested arrays `[[…[]…]]`, written as raw
 * bytes (the encoder refuses to go past the depth limit): 83 ‖ tbs ‖ signature ‖ 81…81 80.
 */
function nested(p: Payment, depth: number) {
  const arrays = [...new Array<number>(depth - 1).fill(0x81), 0x80];
  return concatBytes(
    Uint8Array.of(0x83),
    encodeCbor(p.tbs),
    encodeCbor(p.signature),
    Uint8Array.from(arrays),
  );
}

/** A batch over raw entries, signed by the payee (decoding reads neither head). */
function batchOf(c: Cast, entries: Items) {
  const tbs = encodeCbor([
    1,
    c.payee.kid,
    0,
    fixedBytes('prev-head', 32),
    entries,
    fixedBytes('head', 32),
  ]);
  return encodeCbor([tbs, sign(signedBytes(SIGN_LABEL.settlementBatch, tbs), c.payee.secretKey)]);
}

const vector = (
  check: string,
  name: string,
  description: string,
  input: Uint8Array,
  expectedCode: string,
) => ({
  name,
  description,
  check,
  input: h(input),
  context: null,
  expectedCode,
});

/** The decoding vectors, built from the honest payment p1. */
export function decodingVectors(c: Cast, honest: Payment[]) {
  const p1 = honest[0]!;
  const payee = certificateValue(c.payeeCert);
  const v2 = (tbs: Items) => [2, ...tbs.slice(1)];
  const certV2 = () => {
    const [certTbs, certSig] = certificateValue(p1.payerCert) as [Uint8Array, Uint8Array];
    const items = decodeCbor(certTbs) as Items;
    items[0] = 2;
    return [encodeCbor(items), certSig];
  };
  const pay = (name: string, description: string, input: Uint8Array, code: string) =>
    vector('decodePayment', name, description, input, code);
  return [
    pay(
      'version-text',
      'the payment tbs version is the text "1"',
      rewritePayment(c, p1, (t) => ['1', ...t.slice(1)]),
      'PROTO_SCHEMA',
    ),
    pay(
      'version-bytes',
      "the payment tbs version is the byte string h'01'",
      rewritePayment(c, p1, (t) => [Uint8Array.of(1), ...t.slice(1)]),
      'PROTO_SCHEMA',
    ),
    pay(
      'version-array',
      'the payment tbs version is the array [1]',
      rewritePayment(c, p1, (t) => [[1], ...t.slice(1)]),
      'PROTO_SCHEMA',
    ),
    pay(
      'version-missing',
      'the payment tbs is the empty array',
      rewritePayment(c, p1, () => []),
      'PROTO_SCHEMA',
    ),
    pay(
      'version-negative',
      'the payment tbs version is −1',
      rewritePayment(c, p1, (t) => [-1, ...t.slice(1)]),
      'PROTO_SCHEMA',
    ),
    pay(
      'version-2^53',
      'the payment tbs version is 2^53 (1b0020000000000000): forbidden CBOR, refused before the version is read',
      withRawVersion(c, p1, Uint8Array.of(0x1b, 0, 0x20, 0, 0, 0, 0, 0, 0)),
      'PROTO_CBOR_FORBIDDEN',
    ),
    pay(
      'version-2^53-1',
      'the payment tbs version is 2^53 − 1',
      rewritePayment(c, p1, (t) => [Number.MAX_SAFE_INTEGER, ...t.slice(1)]),
      'PROTO_VERSION_UNSUPPORTED',
    ),
    pay(
      'version-2-envelope-changed',
      'a version-2 payment tbs in an envelope of four items: the version is read before the envelope arity',
      rewritePayment(c, p1, v2, [certificateValue(p1.payerCert), 0]),
      'PROTO_VERSION_UNSUPPORTED',
    ),
    pay(
      'version-2-payee-certificate',
      'a version-2 payment tbs carrying a payee certificate: the outer version comes before the nested certificate',
      rewritePayment(c, p1, v2, [payee]),
      'PROTO_VERSION_UNSUPPORTED',
    ),
    pay(
      'certificate-version-2',
      'a version-1 payment whose payer certificate tbs says version 2',
      rewritePayment(c, p1, (t) => t, [certV2()]),
      'PROTO_VERSION_UNSUPPORTED',
    ),
    pay(
      'field-before-certificate',
      'a payment whose payeeKid is 9 bytes, carrying a payee certificate: the payment fields come before the nested certificate',
      rewritePayment(c, p1, (t) => t.map((v, i) => (i === 6 ? new Uint8Array(9) : v)), [payee]),
      'PROTO_SCHEMA',
    ),
    pay(
      'certificate-tbs-too-large',
      'a payment whose nested certificate tbs is 513 bytes',
      rewritePayment(c, p1, (t) => t, [[new Uint8Array(513), new Uint8Array(64)]]),
      'PROTO_TOO_LARGE',
    ),
    pay(
      'nesting-8-deep',
      'the envelope (depth 1) holding 7 nested arrays where the certificate belongs: 8 arrays deep decodes, then is not a certificate',
      nested(p1, 7),
      'PROTO_SCHEMA',
    ),
    pay(
      'nesting-9-deep',
      'the envelope (depth 1) holding 8 nested arrays: 9 arrays deep, the outermost array counts',
      nested(p1, 8),
      'PROTO_CBOR_FORBIDDEN',
    ),
    vector(
      'decodePayeeCertificate',
      'display-name-rtl-override',
      'a bank-signed payee certificate whose display name holds U+202E',
      encodeCbor(certificateValue(issuePayeeCertificateUnchecked(c, 'Bob\u202Etekram'))),
      'PROTO_SCHEMA',
    ),
    vector(
      'decodePaymentRequest',
      'memo-zero-width-space',
      'a signed request whose memo holds U+200B',
      requestWithMemo(c, 'table\u200B4'),
      'PROTO_SCHEMA',
    ),
    {
      ...vector(
        'readSettlementBatch',
        'batch-entry-version-2',
        'a signed batch of three entries whose second payment tbs says version 2: the batch reads, that entry alone is refused',
        batchOf(c, [
          paymentValue(p1),
          decodeCbor(rewritePayment(c, p1, v2)),
          paymentValue(honest[1]!),
        ]),
        'PROTO_VERSION_UNSUPPORTED',
      ),
      entryCodes: ['', 'PROTO_VERSION_UNSUPPORTED', ''],
    },
    vector(
      'readSettlementBatch',
      'batch-no-entries',
      'a signed batch with no entries',
      batchOf(c, []),
      'PROTO_SCHEMA',
    ),
    vector(
      'readSettlementBatch',
      'batch-entry-without-tbs',
      'a signed batch whose entry is [1]: no paymentId, so the whole batch is refused',
      batchOf(c, [[1]]),
      'PROTO_SCHEMA',
    ),
  ];
}

/** A payee certificate with a display name the issuing API refuses, signed by the bank. */
function issuePayeeCertificateUnchecked(c: Cast, displayName: string) {
  const good = issuePayeeCertificate({ ...c.payeeCert, displayName: 'x' }, c.bank.secretKey);
  const items = decodeCbor(good.tbs) as Items;
  items[8] = displayName;
  const tbs = encodeCbor(items);
  return {
    ...good,
    tbs,
    signature: sign(signedBytes(SIGN_LABEL.payeeCert, tbs), c.bank.secretKey),
  };
}

function requestWithMemo(c: Cast, memo: string) {
  const r = signPaymentRequest(
    { amount: 500, requestId: fixedBytes('memo', 16), expiresAt: NOW + 600, memo: '' },
    c.payeeCert,
    c.payee.secretKey,
  );
  const items = decodeCbor(r.tbs) as Items;
  items[5] = memo;
  const tbs = encodeCbor(items);
  const signature = sign(signedBytes(SIGN_LABEL.paymentRequest, tbs), c.payee.secretKey);
  return encodeCbor([tbs, signature, certificateValue(c.payeeCert)]);
}
