/** The valid part of packages/protocol/vectors/v1.json (docs/protocol.md §13). */
import { concatBytes, i2osp, labelBytes, toHex as h } from '@offpay/crypto';
import {
  appendToLedger,
  emptyLedgerHead,
  encodeCertificate,
  encodeKeyAnnouncement,
  encodePayment,
  encodePaymentRequest,
  encodeReceipt,
  encodeRevocationList,
  encodeSettlementBatch,
  encodeSettlementResult,
  encodeFraudProof,
  encodeLedgerHandover,
  signLedgerHandover,
  enrollmentTbs,
  signEnrollment,
  HASH_LABEL,
  initialChainState,
  createPayment,
  makeFraudProof,
  merchantCode,
  MERCHANT_CODE_LABEL,
  settlementSealInfo,
  signedBytes,
  signKeyAnnouncement,
  signPayment,
  signPaymentRequest,
  signReceipt,
  signRevocationList,
  signSettlementBatch,
  signSettlementResult,
  SIGN_LABEL,
  encodeCbor,
  paymentValue,
  type LedgerEntry,
  type Payment,
  type PayeeCertificate,
  type PayerCertificate,
} from '../src/index.js';
import { malleate } from '@offpay/crypto';
import {
  NOW,
  fixedBytes,
  kemKey,
  sealDeterministic,
  sealPaymentDeterministic,
  signingKey,
  type Cast,
} from './vector-fixtures.js';

/** A signature example: the key, the exact bytes signed (label included) and the signature. */
export function sigExample(
  label: string,
  tbs: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
) {
  return { publicKey: h(publicKey), message: h(signedBytes(label, tbs)), signature: h(signature) };
}

function payerCertJson(c: PayerCertificate, bankPublicKey: Uint8Array) {
  return {
    bytes: h(encodeCertificate(c)),
    decoded: {
      version: 1,
      type: 1,
      issuerKid: h(c.issuerKid),
      serial: c.serial,
      signKey: h(c.signKey),
      currency: c.currency,
      expiresAt: c.expiresAt,
      limit: c.limit,
    },
    signature: sigExample(SIGN_LABEL.payerCert, c.tbs, c.signature, bankPublicKey),
  };
}

function payeeCertJson(c: PayeeCertificate, bankPublicKey: Uint8Array) {
  return {
    bytes: h(encodeCertificate(c)),
    decoded: {
      version: 1,
      type: 2,
      issuerKid: h(c.issuerKid),
      serial: c.serial,
      signKey: h(c.signKey),
      kemKey: h(c.kemKey),
      currency: c.currency,
      expiresAt: c.expiresAt,
      displayName: c.displayName,
    },
    signature: sigExample(SIGN_LABEL.payeeCert, c.tbs, c.signature, bankPublicKey),
    // docs/protocol.md §5.5: what the wallet and the till both show beside the name.
    merchantCode: { label: MERCHANT_CODE_LABEL, tbs: h(c.tbs), code: merchantCode(c) },
  };
}

/** The decoded fields of a payment, as the vectors show them. */
export function paymentFields(p: Payment) {
  return {
    version: 1,
    serial: p.serial,
    counter: p.counter,
    prev: h(p.prev),
    spent: p.spent,
    amount: p.amount,
    payeeKid: h(p.payeeKid),
    requestId: h(p.requestId),
    createdAt: p.createdAt,
  };
}

/** Three honest payments from the payer to the payee, in chain order. */
export function honestPayments(c: Cast): Payment[] {
  let state = initialChainState(c.payerCert);
  const out: Payment[] = [];
  [1250, 800, 2000].forEach((amount, i) => {
    const made = createPayment(c.payerCert, state, c.payer.secretKey, {
      amount,
      payeeKid: c.payee.kid,
      payeeCurrency: 'EUR',
      requestId: fixedBytes(`request-${i + 1}`, 16),
      now: NOW + 60 * (i + 1),
    });
    out.push(made.payment);
    state = made.state;
  });
  return out;
}

function paymentJson(p: Payment, c: Cast, i: number) {
  const bytes = encodePayment(p);
  const recipient = { kemKey: c.payeeCert.kemKey, kid: c.payee.kid };
  return {
    bytes: h(bytes),
    tbs: h(p.tbs),
    decoded: paymentFields(p),
    paymentId: h(p.paymentId),
    signature: sigExample(SIGN_LABEL.payment, p.tbs, p.signature, c.payer.publicKey),
    sealedPayment: {
      recipientSecretKey: h(c.payeeKem.secretKey),
      info: h(concatBytes(labelBytes('offpay/v1/payment'), c.payee.kid)),
      plaintext: h(bytes),
      sealed: h(sealPaymentDeterministic(bytes, recipient, `payment-${i + 1}`)),
    },
  };
}

function ledgerJson(c: Cast, payments: Payment[]) {
  let head = emptyLedgerHead(c.payeeCert.serial);
  const genesis = head.head;
  const entries: LedgerEntry[] = [];
  for (const p of payments) {
    const next = appendToLedger(head, p, encodePayment(p));
    entries.push(next.entry);
    head = next.head;
  }
  return {
    json: {
      payeeSerial: c.payeeCert.serial,
      genesisInput: h(
        concatBytes(labelBytes(HASH_LABEL.ledgerGenesis), i2osp(c.payeeCert.serial, 8)),
      ),
      genesis: h(genesis),
      entryHashInput: 'SHA-256(0x10 ‖ "offpay/v1/ledger" ‖ prevEntryHash ‖ paymentId)',
      entries: entries.map((e) => ({
        index: e.index,
        paymentId: h(e.paymentId),
        prevEntryHash: h(e.prevEntryHash),
        entryHash: h(e.entryHash),
      })),
      head: h(head.head),
    },
    entries,
    genesis,
  };
}

/** Builds every valid example. */
export function validVectors(c: Cast) {
  const payments = honestPayments(c);
  const request = signPaymentRequest(
    {
      amount: 1250,
      requestId: fixedBytes('request-1', 16),
      expiresAt: NOW + 600,
      memo: 'Two coffees',
    },
    c.payeeCert,
    c.payee.secretKey,
  );
  const ledger = ledgerJson(c, payments);
  const first = ledger.entries[0]!;
  const receipt = signReceipt(
    {
      payeeKid: c.payee.kid,
      paymentId: first.paymentId,
      index: 0,
      entryHash: first.entryHash,
      acceptedAt: NOW + 61,
    },
    c.payee.secretKey,
  );
  const batch = signSettlementBatch(
    { payeeKid: c.payee.kid, from: { nextIndex: 0, head: ledger.genesis }, payments },
    c.payee.secretKey,
  );
  const batchBytes = encodeSettlementBatch(batch);
  const batchInfo = settlementSealInfo(c.bankKem.kid);
  const batchSealed = sealDeterministic(c.bankKem.publicKey, batchInfo, batchBytes, 'batch-1');
  const result = signSettlementResult(
    {
      payeeKid: c.payee.kid,
      batchKey: batch.batchKey,
      fromIndex: 0,
      results: payments.map((p, index) => ({
        index,
        paymentId: p.paymentId,
        status: 'settled' as const,
        code: '',
      })),
      head: batch.head,
      settledAt: NOW + 3600,
    },
    c.bank.secretKey,
  );
  const revocations = signRevocationList(
    { seq: 7, issuedAt: NOW + 3600, serials: [1001, 17, 4242] },
    c.bank.secretKey,
  );
  const nextBank = signingKey('bank-sign-2');
  const nextKem = kemKey('bank-kem-2');
  const announcement = signKeyAnnouncement(
    { signKey: nextBank.publicKey, kemKey: nextKem.publicKey, validFrom: NOW + 86400 },
    c.bank.secretKey,
  );
  // docs/protocol.md §9.7: the ledger continues from entry 0 under another till's key.
  const handover = signLedgerHandover(
    {
      fromPayeeKid: c.payee.kid,
      toPayeeKid: c.otherPayee.kid,
      from: { nextIndex: 1, head: first.entryHash },
    },
    c.otherPayee.secretKey,
  );
  const malleated = { ...payments[0]!, signature: malleate(payments[0]!.signature) };
  return {
    payments,
    ledger: ledger.entries,
    json: {
      payerCertificate: payerCertJson(c.payerCert, c.bank.publicKey),
      payeeCertificate: payeeCertJson(c.payeeCert, c.bank.publicKey),
      paymentRequest: {
        bytes: h(encodePaymentRequest(request)),
        decoded: {
          version: 1,
          payeeSerial: request.payeeSerial,
          amount: request.amount,
          requestId: h(request.requestId),
          expiresAt: request.expiresAt,
          memo: request.memo,
        },
        signature: sigExample(
          SIGN_LABEL.paymentRequest,
          request.tbs,
          request.signature,
          c.payee.publicKey,
        ),
      },
      payments: payments.map((p, i) => paymentJson(p, c, i)),
      malleatedPayment: {
        note: 'payments[0] with s replaced by n − s: the signature still verifies and the paymentId is unchanged, so a receiver holding payments[0] answers PROTO_PAYMENT_DUPLICATE',
        bytes: h(encodePayment(malleated)),
        paymentId: h(malleated.paymentId),
        signature: sigExample(
          SIGN_LABEL.payment,
          malleated.tbs,
          malleated.signature,
          c.payer.publicKey,
        ),
      },
      receipt: {
        bytes: h(encodeReceipt(receipt)),
        decoded: {
          version: 1,
          payeeKid: h(receipt.payeeKid),
          paymentId: h(receipt.paymentId),
          index: receipt.index,
          entryHash: h(receipt.entryHash),
          acceptedAt: receipt.acceptedAt,
        },
        signature: sigExample(
          SIGN_LABEL.receipt,
          receipt.tbs,
          receipt.signature,
          c.payee.publicKey,
        ),
      },
      ledger: ledger.json,
      settlementBatch: {
        bytes: h(batchBytes),
        decoded: {
          version: 1,
          payeeKid: h(batch.payeeKid),
          fromIndex: batch.fromIndex,
          prevHead: h(batch.prevHead),
          entries: payments.map((p) => h(encodeCbor(paymentValue(p)))),
          head: h(batch.head),
        },
        batchKey: h(batch.batchKey),
        signature: sigExample(
          SIGN_LABEL.settlementBatch,
          batch.tbs,
          batch.signature,
          c.payee.publicKey,
        ),
        sealedSettlementBatch: {
          recipientSecretKey: h(c.bankKem.secretKey),
          info: h(batchInfo),
          plaintext: h(batchBytes),
          sealed: h(batchSealed),
          wire: h(encodeCbor([1, c.bankKem.kid, batchSealed])),
        },
      },
      settlementResult: {
        bytes: h(encodeSettlementResult(result)),
        decoded: {
          version: 1,
          bankKid: h(result.bankKid),
          payeeKid: h(result.payeeKid),
          batchKey: h(result.batchKey),
          fromIndex: 0,
          results: result.results.map((r) => ({
            index: r.index,
            paymentId: h(r.paymentId),
            status: r.status,
            code: r.code,
          })),
          head: h(result.head),
          settledAt: result.settledAt,
        },
        signature: sigExample(
          SIGN_LABEL.settlementResult,
          result.tbs,
          result.signature,
          c.bank.publicKey,
        ),
      },
      revocationList: {
        bytes: h(encodeRevocationList(revocations)),
        decoded: {
          version: 1,
          bankKid: h(revocations.bankKid),
          seq: revocations.seq,
          issuedAt: revocations.issuedAt,
          serials: revocations.serials,
        },
        signature: sigExample(
          SIGN_LABEL.revocationList,
          revocations.tbs,
          revocations.signature,
          c.bank.publicKey,
        ),
      },
      keyAnnouncement: {
        bytes: h(encodeKeyAnnouncement(announcement)),
        decoded: {
          version: 1,
          prevKid: h(announcement.prevKid),
          signKey: h(announcement.signKey),
          kemKey: h(announcement.kemKey),
          validFrom: announcement.validFrom,
        },
        signature: sigExample(
          SIGN_LABEL.keyAnnouncement,
          announcement.tbs,
          announcement.signature,
          c.bank.publicKey,
        ),
      },
      ledgerHandover: {
        bytes: h(encodeLedgerHandover(handover)),
        decoded: {
          version: 1,
          fromPayeeKid: h(handover.fromPayeeKid),
          toPayeeKid: h(handover.toPayeeKid),
          fromIndex: handover.from.nextIndex,
          fromHead: h(handover.from.head),
        },
        signature: sigExample(
          SIGN_LABEL.ledgerHandover,
          handover.tbs,
          handover.signature,
          c.otherPayee.publicKey,
        ),
      },
      enrollment: enrollmentJson(c),
      fraudProofs: fraudProofs(c, payments),
    },
  };
}

function enrollmentJson(c: Cast) {
  const request = {
    kind: 'payee' as const,
    challenge: fixedBytes('challenge', 32),
    signKey: c.payee.publicKey,
    kemKey: c.payeeKem.publicKey,
  };
  const tbs = enrollmentTbs(request);
  return {
    decoded: {
      version: 1,
      kind: 2,
      challenge: h(request.challenge),
      signKey: h(request.signKey),
      kemKey: h(request.kemKey),
    },
    tbs: h(tbs),
    signature: sigExample(
      SIGN_LABEL.enrollment,
      tbs,
      signEnrollment(request, c.payee.secretKey),
      c.payee.publicKey,
    ),
  };
}

function fraudProofs(c: Cast, payments: Payment[]) {
  const [p1, p2] = payments as [Payment, Payment];
  const variant = (counter: number, prev: Uint8Array, spent: number, amount: number, tag: string) =>
    signPayment(
      {
        serial: 1001,
        counter,
        prev,
        spent,
        amount,
        payeeKid: c.otherPayee.kid,
        requestId: fixedBytes(tag, 16),
        createdAt: NOW + 500,
      },
      c.payerCert,
      c.payer.secretKey,
    );
  const cases = [
    makeFraudProof(p2, variant(2, p1.paymentId, 2050, 800, 'equivocation')),
    makeFraudProof(p1, variant(2, fixedBytes('wrong-prev', 32), 2050, 800, 'fork')),
    makeFraudProof(p2, variant(3, p2.paymentId, 2100, 100, 'understated')),
  ];
  return cases.map((proof) => ({
    kind: proof.kind,
    bytes: h(encodeFraudProof(proof)),
    first: { paymentId: h(proof.first.paymentId), decoded: paymentFields(proof.first) },
    second: { paymentId: h(proof.second.paymentId), decoded: paymentFields(proof.second) },
  }));
}
