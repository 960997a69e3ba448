/**
 * Every signed message verifies only under the key that must have signed it, and only with the
 * bytes that were signed; labels keep one kind of message from passing for another.
 */
import { concatBytes, labelBytes, malleate, sign } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import {
  bankKeySet,
  decodeCbor,
  decodePayeeCertificate,
  encodeCbor,
  encodeKeyAnnouncement,
  encodeRevocationList,
  encodeSettlementResult,
  decodeSettlementResult,
  SIGN_LABEL,
  signedBytes,
  signKeyAnnouncement,
  signPaymentRequest,
  signReceipt,
  signRevocationList,
  signSettlementResult,
  verifyCertificate,
  verifyKeyAnnouncement,
  verifyPaymentRequest,
  verifyReceipt,
  verifyRevocationList,
  verifySettlementResult,
  type CborValue,
  type PayerCertificate,
} from '../src/index.js';
import {
  DAY,
  expectCode,
  flipByte,
  makeBank,
  makePayee,
  makePayer,
  NOW,
  REQUEST_ID,
} from './helpers.js';

const bank = makeBank();
const otherBank = makeBank();
const payer = makePayer(bank);
const payee = makePayee(bank);

describe('certificates', () => {
  it('verify under the bank key that issued them, whichever S form the bank signature has', () => {
    verifyCertificate(payer.cert, bank.keys);
    verifyCertificate(payee.cert, bank.keys);
    verifyCertificate({ ...payer.cert, signature: malleate(payer.cert.signature) }, bank.keys);
  });

  it('from a bank key that is not pinned are PROTO_UNKNOWN_ISSUER', () => {
    expectCode(
      () => verifyCertificate(makePayer(otherBank).cert, bank.keys),
      'PROTO_UNKNOWN_ISSUER',
    );
  });

  it('with a forged signature, or naming a pinned bank it was not signed by, are PROTO_SIGNATURE_INVALID', () => {
    const forged: PayerCertificate = {
      ...payer.cert,
      signature: flipByte(payer.cert.signature, 10),
    };
    expectCode(() => verifyCertificate(forged, bank.keys), 'PROTO_SIGNATURE_INVALID', {
      what: 'payer certificate',
    });
    const both = bankKeySet([bank.signPk, otherBank.signPk]);
    const byOther = {
      ...payer.cert,
      signature: sign(signedBytes(SIGN_LABEL.payerCert, payer.cert.tbs), otherBank.signSk),
    };
    expectCode(() => verifyCertificate(byOther, both), 'PROTO_SIGNATURE_INVALID');
  });

  it('a payee certificate tbs signed under the payer label does not verify as a payee certificate', () => {
    const crossSigned = encodeCbor([
      payee.cert.tbs,
      sign(signedBytes(SIGN_LABEL.payerCert, payee.cert.tbs), bank.signSk),
    ]);
    expectCode(
      () => verifyCertificate(decodePayeeCertificate(crossSigned), bank.keys),
      'PROTO_SIGNATURE_INVALID',
    );
  });
});

describe('payment requests, as the payer checks them before paying', () => {
  const fields = { amount: 1250, requestId: REQUEST_ID, expiresAt: NOW + 120, memo: 'coffee' };
  const request = signPaymentRequest(fields, payee.cert, payee.signSk);

  it('are accepted while open, from a payee certified by the bank', () => {
    verifyPaymentRequest(request, bank.keys, NOW);
    verifyPaymentRequest(request, bank.keys, NOW + 120);
  });

  it('expired one second after expiresAt are PROTO_REQUEST_EXPIRED', () => {
    expectCode(() => verifyPaymentRequest(request, bank.keys, NOW + 121), 'PROTO_REQUEST_EXPIRED');
  });

  it('signed by someone else than the certified payee are PROTO_SIGNATURE_INVALID', () => {
    const impostor = signPaymentRequest(fields, payee.cert, makePayee(bank).signSk);
    expectCode(() => verifyPaymentRequest(impostor, bank.keys, NOW), 'PROTO_SIGNATURE_INVALID', {
      what: 'payment request',
    });
  });

  it('from a payee whose certificate expired are PROTO_CERT_EXPIRED; from another bank PROTO_UNKNOWN_ISSUER', () => {
    const old = makePayee(bank, { expiresAt: NOW - 1 });
    const oldRequest = signPaymentRequest(fields, old.cert, old.signSk);
    expectCode(() => verifyPaymentRequest(oldRequest, bank.keys, NOW), 'PROTO_CERT_EXPIRED');
    const foreign = makePayee(otherBank);
    const foreignRequest = signPaymentRequest(fields, foreign.cert, foreign.signSk);
    expectCode(() => verifyPaymentRequest(foreignRequest, bank.keys, NOW), 'PROTO_UNKNOWN_ISSUER');
  });

  it('for an amount of 0 are PROTO_AMOUNT_INVALID', () => {
    const zero = signPaymentRequest({ ...fields, amount: 0 }, payee.cert, payee.signSk);
    expectCode(() => verifyPaymentRequest(zero, bank.keys, NOW), 'PROTO_AMOUNT_INVALID');
  });
});

describe('receipts, as the payer checks them', () => {
  const paymentId = new Uint8Array(32).fill(7);
  const fields = {
    payeeKid: payee.kid,
    paymentId,
    index: 3,
    entryHash: new Uint8Array(32).fill(1),
    acceptedAt: NOW,
  };

  it('verify when the payee it paid signed them for its payment', () => {
    verifyReceipt(signReceipt(fields, payee.signSk), payee.cert, paymentId);
  });

  it('for another payment or from another payee are PROTO_RECEIPT_MISMATCH', () => {
    const receipt = signReceipt(fields, payee.signSk);
    expectCode(
      () => verifyReceipt(receipt, payee.cert, new Uint8Array(32)),
      'PROTO_RECEIPT_MISMATCH',
    );
    expectCode(
      () => verifyReceipt(receipt, makePayee(bank).cert, paymentId),
      'PROTO_RECEIPT_MISMATCH',
    );
  });

  it('naming the payee but signed by another key are PROTO_SIGNATURE_INVALID', () => {
    const forged = signReceipt(fields, makePayee(bank).signSk);
    expectCode(() => verifyReceipt(forged, payee.cert, paymentId), 'PROTO_SIGNATURE_INVALID', {
      what: 'receipt',
    });
  });
});

/** The envelope with its tbs changed by `change`, keeping the old signature. */
function resign(envelope: Uint8Array, change: (items: CborValue[]) => void): Uint8Array {
  const [tbs, signature] = decodeCbor(envelope) as [Uint8Array, Uint8Array];
  const items = decodeCbor(tbs) as CborValue[];
  change(items);
  return encodeCbor([encodeCbor(items), signature]);
}

describe('bank-signed lists, announcements and results', () => {
  const list = encodeRevocationList(
    signRevocationList({ seq: 4, issuedAt: NOW, serials: [12, 40] }, bank.signSk),
  );
  const announcement = encodeKeyAnnouncement(
    signKeyAnnouncement(
      { signKey: otherBank.signPk, kemKey: otherBank.kemPk, validFrom: NOW + DAY },
      bank.signSk,
    ),
  );
  const result = signSettlementResult(
    {
      payeeKid: payee.kid,
      batchKey: new Uint8Array(32),
      fromIndex: 0,
      results: [],
      head: new Uint8Array(32),
      settledAt: NOW,
    },
    bank.signSk,
  );

  it('a revocation list with a serial removed after signing is PROTO_SIGNATURE_INVALID', () => {
    expect(verifyRevocationList(list, bank.keys).serials).toEqual([12, 40]);
    const fewer = resign(list, (items) => void (items[4] = [40]));
    expectCode(() => verifyRevocationList(fewer, bank.keys), 'PROTO_SIGNATURE_INVALID', {
      what: 'revocation list',
    });
    expectCode(() => verifyRevocationList(list, otherBank.keys), 'PROTO_UNKNOWN_ISSUER');
  });

  it('a key announcement verifies only under the previous key, and not with a changed validFrom', () => {
    expect(verifyKeyAnnouncement(announcement, bank.keys).signKey).toEqual(otherBank.signPk);
    expectCode(() => verifyKeyAnnouncement(announcement, otherBank.keys), 'PROTO_UNKNOWN_ISSUER');
    const earlier = resign(announcement, (items) => void (items[4] = NOW));
    expectCode(() => verifyKeyAnnouncement(earlier, bank.keys), 'PROTO_SIGNATURE_INVALID');
  });

  it('a settlement result with a changed status is PROTO_SIGNATURE_INVALID; from another bank PROTO_UNKNOWN_ISSUER', () => {
    verifySettlementResult(result, bank.keys);
    const changed = resign(encodeSettlementResult(result), (items) => void (items[7] = NOW + 1));
    expectCode(
      () => verifySettlementResult(decodeSettlementResult(changed), bank.keys),
      'PROTO_SIGNATURE_INVALID',
    );
    expectCode(() => verifySettlementResult(result, otherBank.keys), 'PROTO_UNKNOWN_ISSUER');
  });

  it('the same tbs signed by the bank under another message label does not verify', () => {
    const [tbs] = decodeCbor(list) as [Uint8Array];
    for (const label of [
      SIGN_LABEL.keyAnnouncement,
      SIGN_LABEL.settlementResult,
      SIGN_LABEL.payerCert,
    ]) {
      const relabelled = encodeCbor([tbs, sign(signedBytes(label, tbs), bank.signSk)]);
      expectCode(() => verifyRevocationList(relabelled, bank.keys), 'PROTO_SIGNATURE_INVALID');
    }
  });
});

describe('the bytes a signature covers', () => {
  it('are the length-prefixed label and the tbs on every call, whatever a caller did to earlier ones', () => {
    const tbs = Uint8Array.of(1, 2, 3);
    const expected = concatBytes(labelBytes(SIGN_LABEL.payment), tbs);
    const first = signedBytes(SIGN_LABEL.payment, tbs);
    expect(first).toEqual(expected);
    first.fill(0); // a caller's copy: the label kept for the next calls is not touched
    expect(signedBytes(SIGN_LABEL.payment, tbs)).toEqual(expected);
    expect(signedBytes(SIGN_LABEL.receipt, tbs)).toEqual(
      concatBytes(labelBytes(SIGN_LABEL.receipt), tbs),
    );
  });
});
