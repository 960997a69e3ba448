/**
 * The audit log's hash chain (DESIGN.md §5 "a hash-chained audit log"): each entry commits to
 * its predecessor, so removing, reordering or editing any entry breaks every later hash.
 */
import { chainLink, equalBytes, fromHex, taggedHash, toHex, utf8 } from '@offpay/crypto';

/** Domain label of entry hashes. */
export const AUDIT_LABEL = 'offpay/v1/bank-audit';
/** The `prev_hash` of the first entry. */
export const AUDIT_GENESIS = taggedHash('offpay/v1/bank-audit-genesis');

/**
 * The `prev_hash` of the first entry of payee `serial`'s own chain (its settlements' lines,
 * docs/scaling.md "The audit chain"): distinct per payee, so no entry fits two chains.
 */
export function payeeChainGenesis(serial: number): Uint8Array {
  if (!Number.isSafeInteger(serial) || serial < 1) throw new RangeError('payee serial');
  return taggedHash('offpay/v1/bank-audit-payee-genesis', utf8(String(serial)));
}

/** The main chain's action that commits to the payee chains' heads. */
export const AUDIT_ANCHOR_ACTION = 'audit.anchor';
/** The actor of anchor entries. */
export const AUDIT_ANCHOR_ACTOR = 'system:audit';

/** One payee chain as an anchor names it: its length and its last entry's hash. */
export interface ChainMark {
  chain: number;
  count: number;
  head: Uint8Array;
}

/** An anchor entry's data: `[chain, count, head hex]` per chain, in chain order. */
export function anchorData(marks: readonly ChainMark[]): Record<string, AuditValue> {
  return {
    chains: marks.map((m) => [m.chain, m.count, toHex(m.head)]),
  };
}

/** The marks an anchor entry's data names, or null when it is not an anchor's data. */
export function readAnchorData(data: Record<string, AuditValue>): ChainMark[] | null {
  const chains = data.chains;
  if (!Array.isArray(chains)) return null;
  const out: ChainMark[] = [];
  for (const c of chains) {
    if (!Array.isArray(c) || c.length !== 3) return null;
    const [chain, count, head] = c;
    if (typeof chain !== 'number' || typeof count !== 'number' || typeof head !== 'string')
      return null;
    if (!/^[0-9a-f]{64}$/.test(head)) return null;
    out.push({ chain, count, head: fromHex(head) });
  }
  return out;
}

/** JSON values the audit log accepts: no floats, so the canonical form is unambiguous. */
export type AuditValue =
  string | number | boolean | null | AuditValue[] | { [key: string]: AuditValue };

/** What an entry says. */
export interface AuditEntry {
  at: Date;
  actor: string;
  action: string;
  data: Record<string, AuditValue>;
}

/** A stored entry with its links. */
export interface AuditRecord extends AuditEntry {
  /** The payee chain it belongs to, or null for the main chain. */
  chain?: number | null;
  prevHash: Uint8Array;
  entryHash: Uint8Array;
}

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, integers only. Equal
 * for the value written and the value read back from `jsonb` (which reorders keys).
 * @throws TypeError for floats, unsafe integers or values JSON cannot represent.
 */
export function canonicalJson(value: AuditValue): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean')
    return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new TypeError('audit data numbers must be safe integers');
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as AuditValue)}`).join(',')}}`;
  }
  throw new TypeError(`audit data cannot hold ${typeof value}`);
}

/** The canonical JSON an entry's hash covers (after the previous hash). */
export function auditEntryBody(entry: AuditEntry): string {
  return canonicalJson({
    action: entry.action,
    actor: entry.actor,
    at: entry.at.toISOString(),
    data: entry.data,
  });
}

/** The hash of `entry` following `prevHash`. */
export function auditEntryHash(prevHash: Uint8Array, entry: AuditEntry): Uint8Array {
  return chainLink(AUDIT_LABEL, prevHash, utf8(auditEntryBody(entry)));
}

/**
 * Checks records in log order, the first following `start` (the genesis by default, or the last
 * hash of a previous page). Returns the index of the first broken record, or -1 when intact.
 */
export function findBrokenAuditRecord(
  records: readonly AuditRecord[],
  start: Uint8Array = AUDIT_GENESIS,
): number {
  let prev = start;
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as AuditRecord;
    if (!equalBytes(r.prevHash, prev) || !equalBytes(r.entryHash, auditEntryHash(prev, r)))
      return i;
    prev = r.entryHash;
  }
  return -1;
}
