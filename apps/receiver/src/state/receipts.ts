/**
 * The receipt of an accept (docs/protocol.md §5.3), signed while IndexedDB reads. Its signature
 * is noble's RFC 6979 ECDSA on the page's thread (WebCrypto cannot sign deterministically,
 * docs/protocol.md §2), and it signs the entry hash, which follows from the ledger head. The head
 * an accept will read is almost always the one this tab's last accept wrote: so the receipt is
 * signed for that head as soon as the transaction's reads are placed, while the browser runs
 * them, and used only if the transaction then reads that very head, at the same second. Else —
 * another tab accepted, a settlement or a takeover moved the head, the clock turned a second —
 * it is thrown away and the receipt signed again for what was read (docs/apps.md "Till").
 *
 * A receipt signed ahead is only a value in memory until the accept's checks all pass: a payment
 * refused afterwards (a bad signature, a duplicate, a fraud verdict) never gets it.
 */
import { equalBytes } from '@offpay/crypto';
import {
  encodeReceipt,
  ledgerEntryHash,
  signReceipt,
  type LedgerEntry,
  type LedgerHead,
} from '@offpay/protocol';
import type { TillDb } from '../db.js';
import type { Till } from './till.js';

/** A receipt signed for `at` (the head before the entry) and `acceptedAt`. */
export interface ReceiptAhead {
  index: number;
  entryHash: Uint8Array;
  acceptedAt: number;
  receipt: Uint8Array;
}

/** The head each database handle (a tab) last wrote with an accept. */
const lastHeads = new WeakMap<TillDb, LedgerHead>();

/** Remembers the head an accept committed on `db` (the next accept's guess). */
export function rememberHead(db: TillDb, head: LedgerHead): void {
  lastHeads.set(db, head);
}

/** The encoded, signed receipt of `entry`, accepted at `acceptedAt`. */
export function receiptOf(
  till: Till,
  entry: Pick<LedgerEntry, 'paymentId' | 'index' | 'entryHash'>,
  acceptedAt: number,
): Uint8Array {
  const { paymentId, index, entryHash } = entry;
  return encodeReceipt(
    signReceipt({ payeeKid: till.kid, paymentId, index, entryHash, acceptedAt }, till.signSecret),
  );
}

/**
 * The receipt signed now for the head this tab last wrote, or undefined before its first accept.
 * `acceptedAt` is the time the accept's transaction reads (trustedNowIn), guessed now.
 */
export function signAhead(
  db: TillDb,
  till: Till,
  paymentId: Uint8Array,
  acceptedAt: number,
): ReceiptAhead | undefined {
  const at = lastHeads.get(db);
  if (!at) return undefined;
  const entry = { paymentId, index: at.nextIndex, entryHash: ledgerEntryHash(at.head, paymentId) };
  try {
    return { ...entry, acceptedAt, receipt: receiptOf(till, entry, acceptedAt) };
  } catch {
    // A time no receipt can carry: the accept refuses it where it checks it, as before.
    return undefined;
  }
}

/**
 * The receipt of `entry` accepted at `acceptedAt`: the one signed ahead when it is for exactly
 * that index, entry hash and time (the entry hash names the head before it and the payment), or
 * one signed now.
 */
export function receiptFor(
  till: Till,
  entry: LedgerEntry,
  acceptedAt: number,
  ahead: ReceiptAhead | undefined,
): Uint8Array {
  const same =
    ahead !== undefined &&
    ahead.index === entry.index &&
    ahead.acceptedAt === acceptedAt &&
    equalBytes(ahead.entryHash, entry.entryHash);
  return same ? ahead.receipt : receiptOf(till, entry, acceptedAt);
}
