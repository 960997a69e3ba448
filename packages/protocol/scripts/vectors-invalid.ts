/**
 * The invalid part of packages/protocol/vectors/v1.json: inputs every party must refuse, each with
 * the exact code the normative check order of docs/protocol.md §6 gives.
 */
import { malleate, sign, toHex as h } from '@offpay/crypto';
import {
  certificateValue,
  encodeCbor,
  encodeCertificate,
  encodePayment,
  payerGenesis,
  signPayment,
  signPaymentRequest,
  SIGN_LABEL,
  signedBytes,
  type Payment,
  type PayerCertificate,
} from '../src/index.js';
import { NOW, fixedBytes, sealPaymentDeterministic, type Cast } from './vector-fixtures.js';

interface Overrides {
  counter?: number;
  prev?: Uint8Array;
  spent?: number;
  amount?: number;
  payeeKid?: Uint8Array;
  createdAt?: number;
  cert?: PayerCertificate;
  signer?: Uint8Array;
}

/** Everything a receiver needs to reach a verdict, as the vectors spell it out. */
function context(
  c: Cast,
  p: { requestId: Uint8Array; amount: number } | null,
  extra: { now?: number; ledger?: Payment[]; revoked?: number[] } = {},
) {
  return {
    payeeKemSecretKey: h(c.payeeKem.secretKey),
    payeeKid: h(c.payee.kid),
    currency: 'EUR',
    bankPublicKeys: [h(c.bank.publicKey)],
    now: extra.now ?? NOW + 300,
    revokedSerials: extra.revoked ?? [],
    request: p ? { requestId: h(p.requestId), amount: p.amount, expiresAt: NOW + 600 } : null,
    ledger: (extra.ledger ?? []).map((x) => h(encodePayment(x))),
  };
}

/** Builds the invalid vectors from the honest payments p1, p2, p3. */
export function invalidVectors(c: Cast, honest: Payment[]) {
  const [p1, p2] = honest as [Payment, Payment];
  const make = (o: Overrides, tag: string): Payment =>
    signPayment(
      {
        serial: (o.cert ?? c.payerCert).serial,
        counter: o.counter ?? 1,
        prev: o.prev ?? payerGenesis(1001),
        spent: o.spent ?? o.amount ?? 500,
        amount: o.amount ?? 500,
        payeeKid: o.payeeKid ?? c.payee.kid,
        requestId: fixedBytes(`invalid-${tag}`, 16),
        createdAt: o.createdAt ?? NOW + 100,
      },
      o.cert ?? c.payerCert,
      o.signer ?? c.payer.secretKey,
    );
  const seal = (bytes: Uint8Array, tag: string) =>
    h(
      sealPaymentDeterministic(
        bytes,
        { kemKey: c.payeeCert.kemKey, kid: c.payee.kid },
        `invalid-${tag}`,
      ),
    );
  const receive = (
    name: string,
    expectedCode: string,
    description: string,
    p: Payment,
    extra: Parameters<typeof context>[2] = {},
    bytes = encodePayment(p),
  ) => ({
    name,
    description,
    check: 'receivePayment',
    input: seal(bytes, name),
    context: context(c, p, extra),
    expectedCode,
  });

  const malleated = encodeCbor([p1.tbs, malleate(p1.signature), certificateValue(p1.payerCert)]);
  const amountTampered = tamperAmount(p1);
  const revokedList = [1001];
  const sealedOk = seal(encodePayment(p1), 'tampered-sealed');
  const flipped =
    sealedOk.slice(0, 200) + (sealedOk[200] === '0' ? '1' : '0') + sealedOk.slice(201);
  const payerAsPayee = signPaymentRequestWithPayerCert(c);

  return [
    receive(
      'malleated-signature-duplicate',
      'PROTO_PAYMENT_DUPLICATE',
      'payments[0] with s → n − s after payments[0] was accepted: same paymentId, a duplicate, never a fraud',
      p1,
      { ledger: [p1] },
      malleated,
    ),
    receive(
      'counter-skip',
      'PROTO_FRAUD_FORK',
      'counter 3 whose prev is the id of counter 1, after counter 1 was accepted',
      make({ counter: 3, prev: p1.paymentId, spent: 1750, amount: 500 }, 'skip'),
      { ledger: [p1] },
    ),
    receive(
      'prev-mismatch',
      'PROTO_FRAUD_FORK',
      'counter 2 whose prev is not the id of counter 1, after counter 1 was accepted',
      make({ counter: 2, prev: fixedBytes('not-p1', 32), spent: 1750, amount: 500 }, 'prev'),
      { ledger: [p1] },
    ),
    receive(
      'understated-spent',
      'PROTO_FRAUD_UNDERSTATED',
      'counter 3 claiming spent 2100 with amount 300 after counter 2 had spent 2050',
      make({ counter: 3, prev: p2.paymentId, spent: 2100, amount: 300 }, 'understated'),
      { ledger: [p1, p2] },
    ),
    receive(
      'equivocation',
      'PROTO_FRAUD_EQUIVOCATION',
      'a second, different payment with counter 1',
      make({ counter: 1, spent: 700, amount: 700 }, 'equivocation'),
      { ledger: [p1] },
    ),
    receive(
      'over-limit',
      'PROTO_PAYMENT_OVER_LIMIT',
      'spent 10001 under a limit of 10000',
      make({ amount: 10_001, spent: 10_001 }, 'over'),
    ),
    receive(
      'wrong-payee',
      'PROTO_PAYMENT_WRONG_PAYEE',
      'sealed to this payee but naming another payee kid',
      make({ payeeKid: c.otherPayee.kid }, 'wrong-payee'),
    ),
    receive(
      'expired-certificate',
      'PROTO_CERT_EXPIRED',
      'checked one second after the payer certificate expired',
      make({}, 'expired'),
      { now: c.payerCert.expiresAt + 1 },
    ),
    receive(
      'revoked-certificate',
      'PROTO_CERT_REVOKED',
      'the payer serial is on the revocation list',
      make({}, 'revoked'),
      { revoked: revokedList },
    ),
    receive(
      'unknown-issuer',
      'PROTO_UNKNOWN_ISSUER',
      'payer certificate signed by a bank key the receiver does not pin',
      make({ cert: c.foreignPayerCert }, 'issuer'),
    ),
    receive(
      'forged-payer-signature',
      'PROTO_SIGNATURE_INVALID',
      'a valid certificate, but the payment is signed by a key it does not certify',
      make({ signer: c.intruder.secretKey }, 'forged'),
    ),
    receive(
      'tampered-signed-byte',
      'PROTO_SIGNATURE_INVALID',
      'payments[0] with its amount changed after signing, sealed again',
      p1,
      {},
      amountTampered,
    ),
    {
      name: 'tampered-sealed-byte',
      description: 'a sealed payment with one hex digit of its ciphertext changed',
      check: 'receivePayment',
      input: flipped,
      context: context(c, p1),
      expectedCode: 'PROTO_SEAL_OPEN_FAILED',
    },
    receive(
      'bad-genesis-prev',
      'PROTO_PAYMENT_BAD_PREV',
      'counter 1 whose prev is not the payer genesis',
      make({ prev: fixedBytes('not-genesis', 32) }, 'genesis'),
    ),
    receive(
      'zero-amount',
      'PROTO_AMOUNT_INVALID',
      'amount 0',
      make({ amount: 0, spent: 0 }, 'zero'),
    ),
    {
      ...receive(
        'request-mismatch',
        'PROTO_REQUEST_MISMATCH',
        'a valid payment that answers another request',
        make({}, 'mismatch'),
      ),
      context: context(c, { requestId: fixedBytes('some-other-request', 16), amount: 500 }),
    },
    receive(
      'non-canonical-cbor',
      'PROTO_CBOR_NONCANONICAL',
      'the counter encoded as 0x1801 instead of 0x01, validly signed',
      p1,
      {},
      nonCanonical(c, p1),
    ),
    receive(
      'float-in-cbor',
      'PROTO_CBOR_FORBIDDEN',
      'the amount encoded as a half-precision float, validly signed',
      p1,
      {},
      withFloatAmount(c, p1),
    ),
    receive(
      'unknown-version',
      'PROTO_VERSION_UNSUPPORTED',
      'a payment tbs with version 2, validly signed',
      p1,
      {},
      withVersion(c, p1, 2),
    ),
    {
      name: 'payer-certificate-as-payee',
      description:
        'a payment request carrying a payer certificate where the payee certificate belongs',
      check: 'decodePaymentRequest',
      input: h(payerAsPayee),
      context: null,
      expectedCode: 'PROTO_CERT_WRONG_TYPE',
    },
    {
      name: 'payer-certificate-decoded-as-payee',
      description: 'payer certificate bytes given to a payee-certificate decoder',
      check: 'decodePayeeCertificate',
      input: h(encodeCertificate(c.payerCert)),
      context: null,
      expectedCode: 'PROTO_CERT_WRONG_TYPE',
    },
  ];
}

function resign(c: Cast, p: Payment, tbs: Uint8Array): Uint8Array {
  const signature = sign(signedBytes(SIGN_LABEL.payment, tbs), c.payer.secretKey);
  return encodeCbor([tbs, signature, certificateValue(p.payerCert)]);
}

function tamperAmount(p: Payment): Uint8Array {
  // amount 1250 = 0x19 0x04e2 in the tbs; change it to 0x19 0x05e2 (1506) and keep the signature.
  const tbs = p.tbs.slice();
  const at = findSequence(tbs, [0x19, 0x04, 0xe2]);
  tbs[at + 1] = 0x05;
  return encodeCbor([tbs, p.signature, certificateValue(p.payerCert)]);
}

function nonCanonical(c: Cast, p: Payment): Uint8Array {
  // tbs = [1, serial, counter=1, ...]: 0x89 0x01 0x19 0x03e9 0x01 → counter as 0x18 0x01.
  const at = findSequence(p.tbs, [0x89, 0x01, 0x19, 0x03, 0xe9, 0x01]) + 5;
  const tbs = new Uint8Array([...p.tbs.subarray(0, at), 0x18, 0x01, ...p.tbs.subarray(at + 1)]);
  return resign(c, p, tbs);
}

function withFloatAmount(c: Cast, p: Payment): Uint8Array {
  // 1250.0 as a half float is 0x64e2 (exact); replace 0x19 0x04e2 by 0xf9 0x64e2.
  const tbs = p.tbs.slice();
  const at = findSequence(tbs, [0x19, 0x04, 0xe2]);
  tbs.set([0xf9, 0x64, 0xe2], at);
  return resign(c, p, tbs);
}

function withVersion(c: Cast, p: Payment, version: number): Uint8Array {
  const tbs = p.tbs.slice();
  tbs[1] = version;
  return resign(c, p, tbs);
}

function findSequence(haystack: Uint8Array, needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error(`sequence ${needle.join(',')} not found`);
}

function signPaymentRequestWithPayerCert(c: Cast): Uint8Array {
  const request = signPaymentRequest(
    { amount: 500, requestId: fixedBytes('payer-as-payee', 16), expiresAt: NOW + 600, memo: '' },
    c.payeeCert,
    c.payee.secretKey,
  );
  return encodeCbor([request.tbs, request.signature, certificateValue(c.payerCert)]);
}
