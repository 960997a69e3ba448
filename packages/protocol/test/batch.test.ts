/**
 * Settlement batches (batch.ts): signed by the payee over a run of its ledger, sealed to a bank KEM
 * key; any change to entries, head or sealed bytes is refused.
 */
import { kid, sign, toHex } from '@offpay/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  appendToLedger,
  decodeCbor,
  decodeSettlementBatch,
  emptyLedgerHead,
  encodeCbor,
  encodePayment,
  encodeSettlementBatch,
  LIMITS,
  messageId,
  openSettlementBatch,
  paymentValue,
  sealSettlementBatch,
  SIGN_LABEL,
  signedBytes,
  signSettlementBatch,
  verifyLedger,
  verifySettlementBatch,
  type CborValue,
  type LedgerEntry,
  type LedgerHead,
} from '../src/index.js';
import {
  codeOf,
  expectCode,
  flipByte,
  makeBank,
  makePayee,
  makePayer,
  next,
  pay,
} from './helpers.js';

const bank = makeBank();
const payee = makePayee(bank);
const payer = makePayer(bank);
const p1 = pay(payer, payee);
const payments = [p1, pay(makePayer(bank), payee), next(payer, payee, p1)];
const genesis = emptyLedgerHead(payee.cert.serial);

let head: LedgerHead = genesis;
const entries: LedgerEntry[] = [];
for (const p of payments) {
  const step = appendToLedger(head, p, encodePayment(p));
  entries.push(step.entry);
  head = step.head;
}
const batch = signSettlementBatch({ payeeKid: payee.kid, from: genesis, payments }, payee.signSk);
const batchBytes = encodeSettlementBatch(batch);
const kemFor = (kidHex: string) => (kidHex === toHex(kid(bank.kemPk)) ? bank.kemSk : undefined);

/** Signs a raw batch tbs as the payee (or `sk`). */
const signRaw = (items: CborValue[], sk = payee.signSk) => {
  const tbs = encodeCbor(items);
  return encodeCbor([tbs, sign(signedBytes(SIGN_LABEL.settlementBatch, tbs), sk)]);
};
const tbsItems = () => decodeCbor(batch.tbs) as CborValue[];

describe('a settlement batch', () => {
  it('carries the ledger run it was made from and ends at the ledger head', () => {
    expect(batch).toMatchObject({
      payeeKid: payee.kid,
      fromIndex: 0,
      prevHead: genesis.head,
      head: head.head,
    });
    expect(batch.entries.map((p) => p.paymentId)).toEqual(entries.map((e) => e.paymentId));
    expect(verifyLedger(entries, genesis)).toEqual(head);
    expect(batch.batchKey).toEqual(messageId(SIGN_LABEL.settlementBatch, batch.tbs));
  });

  it('verifies under the payee signing key and no other', () => {
    verifySettlementBatch(decodeSettlementBatch(batchBytes), payee.cert.signKey);
    expectCode(
      () => verifySettlementBatch(batch, makePayee(bank).cert.signKey),
      'PROTO_SIGNATURE_INVALID',
      {
        what: 'settlement batch',
      },
    );
  });

  it('continuing a ledger starts from the head where the previous batch ended', () => {
    const from = { nextIndex: 2, head: entries[1]!.entryHash };
    const rest = signSettlementBatch(
      { payeeKid: payee.kid, from, payments: payments.slice(2) },
      payee.signSk,
    );
    expect(rest).toMatchObject({ fromIndex: 2, head: head.head });
    verifySettlementBatch(rest, payee.cert.signKey);
  });

  it('with an entry swapped for another payment after signing is PROTO_SIGNATURE_INVALID', () => {
    const items = tbsItems();
    (items[4] as CborValue[])[1] = paymentValue(pay(makePayer(bank), payee));
    const changed = encodeCbor([encodeCbor(items), batch.signature]);
    expectCode(
      () => verifySettlementBatch(decodeSettlementBatch(changed), payee.cert.signKey),
      'PROTO_SIGNATURE_INVALID',
    );
  });

  it('with its head changed after signing is PROTO_SIGNATURE_INVALID', () => {
    const items = tbsItems();
    items[5] = entries[1]!.entryHash;
    const changed = encodeCbor([encodeCbor(items), batch.signature]);
    expectCode(
      () => verifySettlementBatch(decodeSettlementBatch(changed), payee.cert.signKey),
      'PROTO_SIGNATURE_INVALID',
    );
  });

  it('signed with a head or previous head that its entries do not chain to is PROTO_BATCH_HEAD_MISMATCH', () => {
    const wrongHead = tbsItems();
    wrongHead[5] = entries[1]!.entryHash;
    expectCode(
      () => verifySettlementBatch(decodeSettlementBatch(signRaw(wrongHead)), payee.cert.signKey),
      'PROTO_BATCH_HEAD_MISMATCH',
    );
    const dropped = tbsItems();
    (dropped[4] as CborValue[]).splice(1, 1);
    expectCode(
      () => verifySettlementBatch(decodeSettlementBatch(signRaw(dropped)), payee.cert.signKey),
      'PROTO_BATCH_HEAD_MISMATCH',
    );
    const wrongPrev = tbsItems();
    wrongPrev[3] = emptyLedgerHead(payee.cert.serial + 1).head;
    expectCode(
      () => verifySettlementBatch(decodeSettlementBatch(signRaw(wrongPrev)), payee.cert.signKey),
      'PROTO_BATCH_HEAD_MISMATCH',
    );
  });

  it('with no entries is PROTO_SCHEMA', () => {
    expectCode(
      () => signSettlementBatch({ payeeKid: payee.kid, from: genesis, payments: [] }, payee.signSk),
      'PROTO_SCHEMA',
    );
  });

  it(`holds up to ${LIMITS.batchEntries} entries; one more is PROTO_BATCH_TOO_MANY_ENTRIES`, () => {
    const withEntries = (n: number) => {
      const items = tbsItems();
      items[4] = new Array<CborValue>(n).fill(paymentValue(p1));
      return encodeCbor([encodeCbor(items), batch.signature]);
    };
    expectCode(
      () => decodeSettlementBatch(withEntries(LIMITS.batchEntries + 1)),
      'PROTO_BATCH_TOO_MANY_ENTRIES',
      {
        limit: LIMITS.batchEntries,
        actual: LIMITS.batchEntries + 1,
      },
    );
    expect(decodeSettlementBatch(withEntries(LIMITS.batchEntries)).entries).toHaveLength(
      LIMITS.batchEntries,
    );
  });
});

describe('a sealed settlement batch', () => {
  const sealed = sealSettlementBatch(batchBytes, bank.kemPk);

  it('opens with the bank KEM key its kid names, to the exact batch bytes', () => {
    expect(openSettlementBatch(sealed, kemFor)).toEqual(batchBytes);
    expect((decodeCbor(sealed) as CborValue[])[1]).toEqual(kid(bank.kemPk));
  });

  it('naming a KEM key the bank does not hold is PROTO_UNKNOWN_RECIPIENT_KEY', () => {
    expectCode(
      () => openSettlementBatch(sealSettlementBatch(batchBytes, makeBank().kemPk), kemFor),
      'PROTO_UNKNOWN_RECIPIENT_KEY',
    );
  });

  it('with its ciphertext tampered, or sealed to another key under this kid, is PROTO_SEAL_OPEN_FAILED', () => {
    expectCode(
      () => openSettlementBatch(flipByte(sealed, sealed.length - 20), kemFor),
      'PROTO_SEAL_OPEN_FAILED',
    );
    const [v, , ct] = decodeCbor(sealSettlementBatch(batchBytes, makeBank().kemPk)) as CborValue[];
    expectCode(
      () => openSettlementBatch(encodeCbor([v!, kid(bank.kemPk), ct!]), kemFor),
      'PROTO_SEAL_OPEN_FAILED',
    );
  });

  it('with an unknown version is PROTO_VERSION_UNSUPPORTED', () => {
    const [, k, ct] = decodeCbor(sealed) as CborValue[];
    expectCode(
      () => openSettlementBatch(encodeCbor([2, k!, ct!]), kemFor),
      'PROTO_VERSION_UNSUPPORTED',
    );
  });

  it('is refused with a protocol code whatever single byte is changed', () => {
    fc.assert(
      fc.property(fc.nat(sealed.length - 1), fc.integer({ min: 1, max: 255 }), (position, mask) => {
        expect(codeOf(() => openSettlementBatch(flipByte(sealed, position, mask), kemFor))).toMatch(
          /^PROTO_/,
        );
      }),
      { numRuns: 40 },
    );
  });
});
