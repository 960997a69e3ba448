/**
 * What a device trusts of the bank, in one place: the bank keys pinned at enrollment, the
 * bank-signed revocation list with the signed deltas applied to it (kept when newer, DESIGN.md
 * §3), the bank's clock (clock.ts) and the memo of what was already verified. Every memo entry is found only by the exact bytes it was
 * computed from (certificate or list bytes AND the pinned keys), so other bytes — a renewal in
 * another tab, an edited row — are decoded and verified again. Entries live in this page's
 * memory only, a few at a time.
 */
import { KEYS_MAX } from '@offpay/api';
import { concatBytes, equalBytes, toHex } from '@offpay/crypto';
import {
  applyRevocationDelta,
  bankKeySet,
  fail,
  verifyCertificate,
  verifyPaymentRequest,
  verifyRevocationDelta,
  verifyRevocationList,
  type BankKeys,
  type PayeeCertificate,
  type PayerCertificate,
  type PaymentRequest,
  type RevocationDelta,
} from '@offpay/protocol';
import type { BankClient } from './bank.js';
import { rememberBankTime } from './clock.js';
import { AppError } from './errors.js';
import type { MetaDb } from './storage/db.js';
import type { MetaOp } from './storage/schema.js';

/** Meta keys of the pinned bank keys and of the latest verified revocation list. */
export const TRUST_KEYS = { pinned: 'bankKeys', revocations: 'revocations' } as const;

/** Most bank signing keys pinned: as many as GET /v1/keys may list (the contract's bound). */
export const MAX_BANK_KEYS = KEYS_MAX;

/** Pinned bank keys: every signing key (certificates name their issuer) and the KEM key. */
export interface PinnedKeys {
  signKeys: Uint8Array[];
  kemKey: Uint8Array;
}

const isKey = (v: unknown): v is Uint8Array => v instanceof Uint8Array && v.length === 33;

/** Pinned keys as stored, checked; undefined when `row` is not such a value. */
export function parsePinned(row: unknown): PinnedKeys | undefined {
  if (typeof row !== 'object' || row === null) return undefined;
  const { signKeys, kemKey } = row as Record<string, unknown>;
  if (!Array.isArray(signKeys) || signKeys.length < 1 || signKeys.length > MAX_BANK_KEYS) {
    return undefined;
  }
  return signKeys.every(isKey) && isKey(kemKey) ? { signKeys, kemKey } : undefined;
}

/** The pinned bank keys, or undefined before enrollment. */
export async function pinnedKeys(db: Pick<MetaDb, 'get'>): Promise<PinnedKeys | undefined> {
  return parsePinned(await db.get('meta', TRUST_KEYS.pinned));
}

/**
 * The write that pins `keys` — refused before anything is asked of the bank when the app could
 * not read them back (it would stay unenrolled after the bank acted).
 * @throws AppError APP_BANK_RESPONSE
 */
export function pinKeys(keys: PinnedKeys): MetaOp {
  const value = parsePinned({ signKeys: keys.signKeys, kemKey: keys.kemKey });
  if (!value)
    throw new AppError('APP_BANK_RESPONSE', 'The bank sent more keys than this app can keep.');
  return { put: 'meta', key: TRUST_KEYS.pinned, value };
}

/** Most entries each memo keeps (the current one and a few just replaced). */
const MAX_ENTRIES = 4;

/** A small most-recent-first memo keyed by (bytes, a label), compared byte for byte. */
class BytesMemo<V> {
  #entries: { bytes: Uint8Array; label: string; value: V }[] = [];

  get(bytes: Uint8Array, label: string): V | undefined {
    return this.#entries.find((e) => e.label === label && equalBytes(e.bytes, bytes))?.value;
  }

  set(bytes: Uint8Array, label: string, value: V): V {
    this.#entries = [{ bytes: bytes.slice(), label, value }, ...this.#entries].slice(
      0,
      MAX_ENTRIES,
    );
    return value;
  }
}

const keysId = (keys: Iterable<Uint8Array>): string => [...keys].map(toHex).join(',');
const keySets = new Map<string, BankKeys>();

/** The pinned signing keys as a BankKeys map (one map per key set in this page). */
export function bankKeysOf(signKeys: readonly Uint8Array[]): BankKeys {
  const id = keysId(signKeys);
  let keys = keySets.get(id);
  if (!keys) {
    keys = bankKeySet(signKeys);
    if (keySets.size >= MAX_ENTRIES) keySets.clear();
    keySets.set(id, keys);
  }
  return keys;
}

// One memo per decoder: a payer's and a payee's certificate are never confused.
const certificates = new Map<(bytes: Uint8Array) => unknown, BytesMemo<unknown>>();

/**
 * The certificate in `bytes`, decoded by `decode` and verified under `bankKeys`; the same bytes
 * of the same kind under the same keys are verified once per page.
 * @throws PROTO_* when it does not decode or verify
 */
export function verifiedCertificate<C extends PayerCertificate | PayeeCertificate>(
  bytes: Uint8Array,
  bankKeys: BankKeys,
  decode: (bytes: Uint8Array) => C,
): C {
  let memo = certificates.get(decode);
  if (!memo) certificates.set(decode, (memo = new BytesMemo()));
  const label = keysId(bankKeys.values());
  const known = memo.get(bytes, label) as C | undefined;
  if (known) return known;
  const cert = decode(bytes);
  verifyCertificate(cert, bankKeys);
  return memo.set(bytes, label, cert) as C;
}

// Requests decoded and verified in this page, with the keys they were verified under.
const requests = new WeakMap<PaymentRequest, BankKeys>();

/**
 * Verifies a payment request (and the payee certificate it carries) under `bankKeys` at `now`.
 * A decoded request is the same bytes for its whole life: checked again — between Pay and
 * Confirm — only its clocks are (two ECDSA verifications saved).
 * @throws PROTO_* of verifyPaymentRequest (PROTO_CERT_EXPIRED, PROTO_REQUEST_EXPIRED…)
 */
export function verifyRequest(request: PaymentRequest, bankKeys: BankKeys, now: number): void {
  if (requests.get(request) !== bankKeys) {
    verifyPaymentRequest(request, bankKeys, now);
    requests.set(request, bankKeys);
    return;
  }
  if (now > request.payeeCert.expiresAt) {
    fail('PROTO_CERT_EXPIRED', 'the receiver certificate has expired', {
      serial: request.payeeSerial,
    });
  }
  if (now > request.expiresAt) {
    fail('PROTO_REQUEST_EXPIRED', 'this payment request has expired', {
      expiresAt: request.expiresAt,
    });
  }
}

/**
 * Most signed deltas kept on top of a full list: at this many, the next refresh asks for the full
 * list again (bounding what each page load verifies).
 */
export const MAX_HELD_DELTAS = 16;

/**
 * The revocations a device holds, verified: a bank-signed full list and the signed deltas applied
 * on top of it (docs/protocol.md §11.1), with the serials of the resulting list as a set.
 */
export interface CheckedRevocations {
  /** The seq of the list held: the full list's, or the last delta's `toSeq`. */
  seq: number;
  /** That list's signed issue time (Unix seconds). */
  issuedAt: number;
  revoked: ReadonlySet<number>;
  /** How many deltas sit on top of the full list. */
  deltas: number;
}

/** The stored row: the signed full list and the signed deltas applied to it, in order. */
interface HeldRow {
  seq: number;
  signed: Uint8Array;
  deltas?: Uint8Array[];
}

const lists = new BytesMemo<CheckedRevocations>();

/** The list and its deltas, each verified; the deltas must chain from the list's seq. */
function checkedRow(signed: Uint8Array, deltas: readonly Uint8Array[], bankKeys: BankKeys) {
  // One memo key for the whole row: the bytes concatenated, their lengths in the label.
  const label = `${keysId(bankKeys.values())}|${[signed, ...deltas].map((b) => b.length).join()}`;
  const bytes = deltas.length === 0 ? signed : concatBytes(signed, ...deltas);
  const known = lists.get(bytes, label);
  if (known) return known;
  const list = verifyRevocationList(signed, bankKeys);
  let held: HeldList = { seq: list.seq, issuedAt: list.issuedAt, serials: list.serials };
  for (const d of deltas) held = applied(held, verifyRevocationDelta(d, bankKeys));
  const checked = { seq: held.seq, issuedAt: held.issuedAt, deltas: deltas.length };
  return lists.set(bytes, label, { ...checked, revoked: new Set(held.serials) });
}

interface HeldList {
  seq: number;
  issuedAt: number;
  serials: Iterable<number>;
}

/** `held` with a verified delta applied. @throws PROTO_SCHEMA when it does not start at `held` */
function applied(held: HeldList, delta: RevocationDelta): HeldList {
  const serials = applyRevocationDelta(held, delta);
  if (!serials)
    fail('PROTO_SCHEMA', 'a stored revocation delta does not follow the list before it', {
      what: 'revocation delta fromSeq',
    });
  return { seq: delta.toSeq, issuedAt: delta.issuedAt, serials };
}

/** The stored row's parts, when it has the stored shape. */
function heldRow(row: unknown): HeldRow | undefined {
  const { seq, signed, deltas } = (row ?? {}) as Record<string, unknown>;
  if (typeof seq !== 'number' || !(signed instanceof Uint8Array)) return undefined;
  if (deltas === undefined) return { seq, signed };
  if (!Array.isArray(deltas) || deltas.length > MAX_HELD_DELTAS) return undefined;
  return deltas.every((d) => d instanceof Uint8Array) ? { seq, signed, deltas } : undefined;
}

/**
 * The stored revocation list verified under `bankKeys`, or undefined when there is none or it
 * does not verify (a damaged row counts as none; the next refresh replaces it).
 */
export async function storedRevocations(
  db: Pick<MetaDb, 'get'>,
  bankKeys: BankKeys,
): Promise<CheckedRevocations | undefined> {
  return revocationsOf(await db.get('meta', TRUST_KEYS.revocations), bankKeys);
}

/**
 * {@link storedRevocations} of a `meta` row already read (`TRUST_KEYS.revocations`, read
 * together with others in one transaction). The same bytes are verified once per page.
 */
export function revocationsOf(row: unknown, bankKeys: BankKeys): CheckedRevocations | undefined {
  const held = heldRow(row);
  if (!held) return undefined;
  try {
    return checkedRow(held.signed, held.deltas ?? [], bankKeys);
  } catch {
    return undefined;
  }
}

/**
 * The quiet refresh whenever online (docs/protocol.md §11.1): asks the bank for the delta since
 * the list held (`?since=`) and applies it when it verifies and starts at that list; otherwise —
 * nothing held, too many deltas held, a delta from another list — takes the full list, kept when
 * newer (an older one is a replay). The signed issue time raises the clock floor (clock.ts).
 * Before enrollment nothing is kept: there are no pinned keys to check a list with, and the
 * unsigned `bankTime` beside it is never trusted. Returns the revocations now held.
 * @throws AppError APP_OFFLINE, APP_BANK_RESPONSE; BankRefusal; PROTO_* for an answer that does not verify
 */
export async function refreshRevocations(
  db: MetaDb,
  client: Pick<BankClient, 'revocations'>,
): Promise<CheckedRevocations | undefined> {
  const pinned = await pinnedKeys(db);
  if (!pinned) {
    await client.revocations();
    return undefined;
  }
  const keys = bankKeysOf(pinned.signKeys);
  const row = heldRow(await db.get('meta', TRUST_KEYS.revocations));
  const held = row && revocationsOf(row, keys);
  const since = row && held && held.deltas < MAX_HELD_DELTAS ? held.seq : undefined;
  let info = await client.revocations(since);
  let result: CheckedRevocations | undefined;
  if (info.kind === 'delta') {
    const delta = verifyRevocationDelta(info.signed, keys);
    if (row && held && delta.fromSeq === held.seq) {
      result = held;
      if (delta.toSeq > held.seq) {
        const value = {
          seq: delta.toSeq,
          signed: row.signed,
          deltas: [...(row.deltas ?? []), info.signed],
        };
        result = checkedRow(value.signed, value.deltas, keys);
        await db.write([{ put: 'meta', key: TRUST_KEYS.revocations, value }]);
      }
    } else info = await client.revocations();
  }
  if (info.kind !== 'delta' && !result) {
    const list = checkedRow(info.signed, [], keys);
    if (held && held.seq >= list.seq) result = held;
    else {
      result = list;
      const value = { seq: list.seq, signed: info.signed };
      await db.write([{ put: 'meta', key: TRUST_KEYS.revocations, value }]);
    }
  }
  // The signed issue time, never the unsigned bankTime beside it (clock.ts).
  if (result) await rememberBankTime(db, result.issuedAt);
  return result;
}
