/**
 * The receiver's hash-chained ledger (ledger.ts): appending, checking, and detecting any alteration
 * of what the chain covers — changed bytes, reordered, removed or inserted entries.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  appendToLedger,
  emptyLedgerHead,
  encodePayment,
  isLedgerIntact,
  ledgerEntryHash,
  ledgerGenesis,
  verifyLedger,
  type LedgerEntry,
  type LedgerHead,
  type Payment,
} from '../src/index.js';
import {
  expectCode,
  flipByte,
  indexOfBytes,
  makeBank,
  makePayee,
  makePayer,
  next,
  pay,
} from './helpers.js';

const bank = makeBank();
const payee = makePayee(bank);
const payerA = makePayer(bank);
const payerB = makePayer(bank);
const a1 = pay(payerA, payee);
const payments: Payment[] = [
  a1,
  pay(payerB, payee),
  next(payerA, payee, a1),
  pay(makePayer(bank), payee),
];
const genesis = emptyLedgerHead(payee.cert.serial);

/** A ledger of `list` from `from`, and its final head. */
function build(
  list: readonly Payment[],
  from: LedgerHead = genesis,
): { entries: LedgerEntry[]; head: LedgerHead } {
  const entries: LedgerEntry[] = [];
  let head = from;
  for (const p of list) {
    const step = appendToLedger(head, p, encodePayment(p));
    entries.push(step.entry);
    head = step.head;
  }
  return { entries, head };
}
const ledger = build(payments);
const renumber = (entries: LedgerEntry[]) => entries.map((e, index) => ({ ...e, index }));

describe('appending and checking', () => {
  it('chains each entry to the previous one, from the payee genesis, with indices from 0', () => {
    const [e0, e1] = ledger.entries;
    expect(e0).toMatchObject({
      index: 0,
      prevEntryHash: ledgerGenesis(payee.cert.serial),
      paymentId: a1.paymentId,
    });
    expect(e0!.entryHash).toEqual(ledgerEntryHash(e0!.prevEntryHash, a1.paymentId));
    expect(e1!.prevEntryHash).toEqual(e0!.entryHash);
    expect(ledger.head).toEqual({ nextIndex: 4, head: ledger.entries[3]!.entryHash });
  });

  it('gives each payee its own genesis', () => {
    expect(ledgerGenesis(1)).not.toEqual(ledgerGenesis(2));
    expect(emptyLedgerHead(7)).toEqual({ nextIndex: 0, head: ledgerGenesis(7) });
  });

  it('verifies an intact ledger and returns its head; an empty one returns where it started', () => {
    expect(verifyLedger(ledger.entries, genesis)).toEqual(ledger.head);
    expect(verifyLedger([], genesis)).toEqual(genesis);
    expect(isLedgerIntact(ledger.entries, genesis)).toBe(true);
  });

  it('verifies a part of the ledger from the head where it continues', () => {
    const firstTwo = verifyLedger(ledger.entries.slice(0, 2), genesis);
    expect(verifyLedger(ledger.entries.slice(2), firstTwo)).toEqual(ledger.head);
    expectCode(() => verifyLedger(ledger.entries.slice(2), genesis), 'PROTO_LEDGER_INDEX', {
      index: 2,
      expected: 0,
    });
  });

  it('refuses a ledger started from another payee’s genesis', () => {
    expectCode(
      () => verifyLedger(ledger.entries, emptyLedgerHead(payee.cert.serial + 1)),
      'PROTO_LEDGER_BROKEN',
      { index: 0 },
    );
  });
});

describe('alterations are detected', () => {
  type Field = 'payment' | 'paymentId' | 'prevEntryHash' | 'entryHash';
  /** Positions of each field the chain covers: for payment bytes, everything up to the end of the tbs. */
  const covered = (e: LedgerEntry, field: Field): number => {
    if (field !== 'payment') return e[field].length;
    const tbs = decodeTbsOf(e);
    return indexOfBytes(e.payment, tbs) + tbs.length;
  };
  const decodeTbsOf = (e: LedgerEntry) => payments[e.index]!.tbs;

  it('any single-byte change to a stored entry’s payment tbs, paymentId, prevEntryHash or entryHash', () => {
    const field = fc.constantFrom<Field>('payment', 'paymentId', 'prevEntryHash', 'entryHash');
    fc.assert(
      fc.property(
        fc.nat(payments.length - 1),
        field,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (i, f, pos, mask) => {
          const entries = ledger.entries.map((e) => ({ ...e }));
          const target = entries[i]!;
          target[f] = flipByte(target[f], pos % covered(target, f), mask);
          expectCode(() => verifyLedger(entries, genesis), 'PROTO_LEDGER_BROKEN', { index: i });
          expect(isLedgerIntact(entries, genesis)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('two entries swapped: PROTO_LEDGER_INDEX, or PROTO_LEDGER_BROKEN once renumbered', () => {
    const swapped = [...ledger.entries];
    [swapped[1], swapped[2]] = [swapped[2]!, swapped[1]!];
    expectCode(() => verifyLedger(swapped, genesis), 'PROTO_LEDGER_INDEX', {
      index: 2,
      expected: 1,
    });
    expectCode(() => verifyLedger(renumber(swapped), genesis), 'PROTO_LEDGER_BROKEN', { index: 1 });
  });

  it('an entry removed: PROTO_LEDGER_INDEX, or PROTO_LEDGER_BROKEN once renumbered', () => {
    const removed = ledger.entries.filter((e) => e.index !== 1);
    expectCode(() => verifyLedger(removed, genesis), 'PROTO_LEDGER_INDEX');
    expectCode(() => verifyLedger(renumber(removed), genesis), 'PROTO_LEDGER_BROKEN', { index: 1 });
  });

  it('an entry inserted or repeated: PROTO_LEDGER_INDEX, or PROTO_LEDGER_BROKEN once renumbered', () => {
    const extra = pay(makePayer(bank), payee);
    const inserted = build([extra], { nextIndex: 2, head: ledger.entries[1]!.entryHash })
      .entries[0]!;
    const withInsert = [...ledger.entries.slice(0, 2), inserted, ...ledger.entries.slice(2)];
    expectCode(() => verifyLedger(withInsert, genesis), 'PROTO_LEDGER_INDEX', {
      index: 2,
      expected: 3,
    });
    expectCode(() => verifyLedger(renumber(withInsert), genesis), 'PROTO_LEDGER_BROKEN', {
      index: 3,
    });
    const repeated = [...ledger.entries.slice(0, 2), ledger.entries[1]!];
    expectCode(() => verifyLedger(repeated, genesis), 'PROTO_LEDGER_INDEX');
  });

  it('an entry whose payment bytes no longer decode is PROTO_LEDGER_BROKEN', () => {
    const entries = ledger.entries.map((e, i) =>
      i === 2 ? { ...e, payment: e.payment.subarray(0, 50) } : e,
    );
    expectCode(() => verifyLedger(entries, genesis), 'PROTO_LEDGER_BROKEN', { index: 2 });
  });

  it('a ledger cut short still verifies, but to an earlier head than the one the bank holds', () => {
    expect(verifyLedger(ledger.entries.slice(0, 3), genesis)).not.toEqual(ledger.head);
  });

  it('isLedgerIntact answers false, never throws, for any garbage', () => {
    const entry = fc.record({
      index: fc.oneof(fc.nat(3), fc.integer()),
      payment: fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constant(ledger.entries[0]!.payment)),
      paymentId: fc.uint8Array({ maxLength: 40 }),
      prevEntryHash: fc.uint8Array({ maxLength: 40 }),
      entryHash: fc.uint8Array({ maxLength: 40 }),
    });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 4 }), (entries) => {
        expect(isLedgerIntact(entries, genesis)).toBe(false);
      }),
      { numRuns: 200 },
    );
    expect(isLedgerIntact([{ index: 0 } as unknown as LedgerEntry], genesis)).toBe(false);
  });
});
