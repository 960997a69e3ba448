/**
 * The receiver's hash-chained ledger (DESIGN.md §4 LedgerEntry, docs/protocol.md §7):
 * `entryHash = H(len ‖ "offpay/v1/ledger" ‖ prevEntryHash ‖ paymentId)`, starting from
 * `H(len ‖ "offpay/v1/genesis" ‖ u64be(payee serial))`. Indices start at 0.
 */
import { equalBytes, i2osp, taggedHash } from '@offpay/crypto';
import { HASH_LABEL } from './constants.js';
import { fail } from './errors.js';
import { paymentIdOf, type Payment } from './payment.js';

/** One ledger entry as a receiver keeps it. */
export interface LedgerEntry {
  index: number;
  /** The payment's wire bytes (opened, not sealed). */
  payment: Uint8Array;
  paymentId: Uint8Array;
  prevEntryHash: Uint8Array;
  entryHash: Uint8Array;
}

/** Where a ledger (or a part of it) continues from. */
export interface LedgerHead {
  /** Index the next entry will get. */
  nextIndex: number;
  /** entryHash of the last entry, or the genesis hash for an empty ledger. */
  head: Uint8Array;
}

/** The genesis `prevEntryHash` of a payee's ledger. */
export function ledgerGenesis(payeeSerial: number): Uint8Array {
  return taggedHash(HASH_LABEL.ledgerGenesis, i2osp(payeeSerial, 8));
}

/** The head of an empty ledger. */
export function emptyLedgerHead(payeeSerial: number): LedgerHead {
  return { nextIndex: 0, head: ledgerGenesis(payeeSerial) };
}

/** One link of the ledger chain. */
export function ledgerEntryHash(prevEntryHash: Uint8Array, paymentId: Uint8Array): Uint8Array {
  return taggedHash(HASH_LABEL.ledger, prevEntryHash, paymentId);
}

/** The entry that appends `payment` to a ledger at `at`, and the ledger's new head. */
export function appendToLedger(
  at: LedgerHead,
  payment: Payment,
  paymentBytes: Uint8Array,
): { entry: LedgerEntry; head: LedgerHead } {
  const entryHash = ledgerEntryHash(at.head, payment.paymentId);
  const entry = {
    index: at.nextIndex,
    payment: paymentBytes,
    paymentId: payment.paymentId,
    prevEntryHash: at.head,
    entryHash,
  };
  return { entry, head: { nextIndex: at.nextIndex + 1, head: entryHash } };
}

/**
 * Checks stored entries against the chain from `from`: contiguous indices, each payment's id
 * recomputed from its bytes, each link recomputed. Returns the head after the last entry.
 * @throws PROTO_LEDGER_INDEX or PROTO_LEDGER_BROKEN naming the first bad index.
 */
export function verifyLedger(entries: readonly LedgerEntry[], from: LedgerHead): LedgerHead {
  let head = from;
  for (const e of entries) {
    if (e.index !== head.nextIndex) {
      fail(
        'PROTO_LEDGER_INDEX',
        `ledger entry ${e.index} found where ${head.nextIndex} was expected`,
        {
          index: e.index,
          expected: head.nextIndex,
        },
      );
    }
    let paymentId: Uint8Array;
    try {
      paymentId = paymentIdOf(e.payment);
    } catch {
      return fail('PROTO_LEDGER_BROKEN', `ledger entry ${e.index} holds an unreadable payment`, {
        index: e.index,
      });
    }
    const expected = ledgerEntryHash(head.head, paymentId);
    if (
      !equalBytes(e.paymentId, paymentId) ||
      !equalBytes(e.prevEntryHash, head.head) ||
      !equalBytes(e.entryHash, expected)
    ) {
      fail('PROTO_LEDGER_BROKEN', `ledger entry ${e.index} does not follow from its predecessor`, {
        index: e.index,
      });
    }
    head = { nextIndex: head.nextIndex + 1, head: expected };
  }
  return head;
}

/** Predicate form of {@link verifyLedger}: false for any break, never throws. */
export function isLedgerIntact(entries: readonly LedgerEntry[], from: LedgerHead): boolean {
  try {
    verifyLedger(entries, from);
    return true;
  } catch {
    return false;
  }
}
