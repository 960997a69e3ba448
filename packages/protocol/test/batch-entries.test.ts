/**
 * How the bank reads a batch (docs/protocol.md §9 "Entries"): the batch's own structure is
 * checked whole, but an entry whose paymentId can be computed is judged on its own — a payment
 * that does not decode is that entry's refusal, and the head still chains over it, so the till's
 * later entries are not held hostage by one it cannot drop.
 */
import { sign } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeCbor,
  decodeSettlementBatch,
  emptyLedgerHead,
  encodeCbor,
  ledgerEntryHash,
  MAX_AMOUNT,
  messageId,
  paymentValue,
  readSettlementBatch,
  SIGN_LABEL,
  signedBytes,
  signSettlementBatch,
  verifySettlementBatch,
  type CborValue,
} from '../src/index.js';
import { expectCode, makeBank, makePayee, makePayer, next, pay } from './helpers.js';

const bank = makeBank();
const payee = makePayee(bank);
const payer = makePayer(bank);
const p1 = pay(payer, payee);
const p2 = next(payer, payee, p1);
const genesis = emptyLedgerHead(payee.cert.serial);

/** A payment value whose tbs says version 2: its id is computable, its content is not v1. */
function futurePayment(): CborValue {
  const [tbs, signature, cert] = paymentValue(p1) as [Uint8Array, Uint8Array, CborValue];
  const items = decodeCbor(tbs) as CborValue[];
  items[0] = 2;
  return [encodeCbor(items), signature, cert];
}

/** A batch over raw entry values, its head folded over their ids, signed by the payee. */
function signedBatch(entries: CborValue[], fromIndex = 0): Uint8Array {
  let head = genesis.head;
  for (const e of entries) {
    head = ledgerEntryHash(
      head,
      messageId(SIGN_LABEL.payment, (e as CborValue[])[0] as Uint8Array),
    );
  }
  const tbs = encodeCbor([1, payee.kid, fromIndex, genesis.head, entries, head]);
  return encodeCbor([tbs, sign(signedBytes(SIGN_LABEL.settlementBatch, tbs), payee.signSk)]);
}

describe('a batch read for settlement', () => {
  it('gives every decodable entry its payment, and an undecodable one its own code', () => {
    const odd = futurePayment();
    const bytes = signedBatch([paymentValue(p1), odd, paymentValue(p2)], 7);
    const reading = readSettlementBatch(bytes);
    expect(reading.entries.map((e) => e.index)).toEqual([7, 8, 9]);
    expect(reading.entries[0]!.payment?.paymentId).toEqual(p1.paymentId);
    expect(reading.entries[1]!.payment).toBeUndefined();
    expect(reading.entries[1]!.refusal?.code).toBe('PROTO_VERSION_UNSUPPORTED');
    expect(reading.entries[1]!.paymentId).toEqual(
      messageId(SIGN_LABEL.payment, (odd as CborValue[])[0] as Uint8Array),
    );
    expect(reading.entries[2]!.payment?.paymentId).toEqual(p2.paymentId);
    // The head chains over the refused entry too: the signature and the head still verify.
    verifySettlementBatch(reading, payee.cert.signKey);
  });

  it('as a whole (decodeSettlementBatch) fails with the first entry refusal', () => {
    const bytes = signedBatch([paymentValue(p1), futurePayment()]);
    expectCode(() => decodeSettlementBatch(bytes), 'PROTO_VERSION_UNSUPPORTED');
  });

  it('judges an entry whose certificate or signature is malformed as that entry only', () => {
    const [tbs, signature, cert] = paymentValue(p1) as [Uint8Array, Uint8Array, CborValue];
    const shortSig = [tbs, signature.subarray(1), cert];
    const noCert = [tbs, signature];
    const reading = readSettlementBatch(signedBatch([shortSig, noCert, paymentValue(p2)]));
    expect(reading.entries.map((e) => e.refusal?.code ?? 'ok')).toEqual([
      'PROTO_SCHEMA',
      'PROTO_SCHEMA',
      'ok',
    ]);
  });

  it('refuses the whole batch when an entry has no paymentId: not an array, no tbs, tbs too large', () => {
    for (const entry of [7, [], ['tbs'], [new Uint8Array(1025), new Uint8Array(64), []]]) {
      const tbs = encodeCbor([
        1,
        payee.kid,
        0,
        genesis.head,
        [paymentValue(p1), entry],
        genesis.head,
      ]);
      const bytes = encodeCbor([tbs, new Uint8Array(64)]);
      expect(() => readSettlementBatch(bytes)).toThrow(
        expect.objectContaining({ code: expect.stringMatching(/^PROTO_(SCHEMA|TOO_LARGE)$/) }),
      );
    }
    const big = [new Uint8Array(1025), new Uint8Array(64), []];
    const tbs = encodeCbor([1, payee.kid, 0, genesis.head, [big], genesis.head]);
    expectCode(
      () => readSettlementBatch(encodeCbor([tbs, new Uint8Array(64)])),
      'PROTO_TOO_LARGE',
      {
        limit: 1024,
        actual: 1025,
      },
    );
  });

  it('with zero entries is PROTO_SCHEMA, found while decoding, before any signature is checked', () => {
    const tbs = encodeCbor([1, payee.kid, 0, genesis.head, [], genesis.head]);
    // An all-zero signature: decoding refuses the batch before anything would verify it.
    expectCode(() => readSettlementBatch(encodeCbor([tbs, new Uint8Array(64)])), 'PROTO_SCHEMA', {
      what: 'entries',
    });
  });

  it('numbers its last entry at most 2^53 − 1', () => {
    const from = { nextIndex: MAX_AMOUNT, head: genesis.head };
    const one = signSettlementBatch({ payeeKid: payee.kid, from, payments: [p1] }, payee.signSk);
    expect(one.fromIndex).toBe(MAX_AMOUNT);
    expectCode(
      () => signSettlementBatch({ payeeKid: payee.kid, from, payments: [p1, p2] }, payee.signSk),
      'PROTO_SCHEMA',
      { what: 'settlement batch fromIndex' },
    );
  });
});
