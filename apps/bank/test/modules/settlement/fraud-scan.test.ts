/**
 * The settlement rule scans a payer's whole settled history for every payment; a numeric
 * prefilter skips pairs that cannot conflict. It must never skip a pair `detectFraud` would
 * report, or the bank would miss (or misattribute) a fraud.
 */
import { detectFraud, type ChainLink } from '@offpay/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayConflict } from '../../../src/modules/settlement/settlement.domain.js';

// A few ids, so that prev links and equal ids between two arbitrary links are common.
const ids = Array.from({ length: 4 }, (_, i) => new Uint8Array(32).fill(i + 1));
// Ids that differ only in their last byte defeat a first-byte shortcut that stopped there.
ids.push(Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? 9 : 1)));

const link: fc.Arbitrary<ChainLink> = fc.record({
  serial: fc.constant(7),
  counter: fc.integer({ min: 1, max: 8 }),
  prev: fc.constantFrom(...ids),
  paymentId: fc.constantFrom(...ids),
  spent: fc.integer({ min: 0, max: 40 }),
  amount: fc.integer({ min: 1, max: 20 }),
});

describe('mayConflict', () => {
  it('holds for every pair detectFraud reports (in both argument orders)', () => {
    let frauds = 0;
    fc.assert(
      fc.property(link, link, (a, b) => {
        if (detectFraud(a, b) !== null) {
          frauds++;
          expect(mayConflict(a, b)).toBe(true);
        }
        if (detectFraud(b, a) !== null) expect(mayConflict(b, a)).toBe(true);
      }),
      { numRuns: 5000 },
    );
    // The generator does produce frauds of every shape, so the property is exercised.
    expect(frauds).toBeGreaterThan(500);
  });

  it('skips an honest chain’s distant links', () => {
    const chain: ChainLink[] = [];
    let prev = new Uint8Array(32);
    for (let c = 1; c <= 10; c++) {
      const paymentId = new Uint8Array(32).fill(c);
      chain.push({ serial: 1, counter: c, prev, paymentId, spent: 10 * c, amount: 10 });
      prev = paymentId;
    }
    expect(mayConflict(chain[0]!, chain[9]!)).toBe(false);
    expect(mayConflict(chain[8]!, chain[9]!)).toBe(true);
  });
});
