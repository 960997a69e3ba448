/**
 * The audit log's hash chain (DESIGN.md §5 "a hash-chained audit log"): each entry commits to
 * its predecessor, so removing, reordering or editing any entry breaks every later hash.
 */
import { chainLink, equalBytes, taggedHash, utf8 } from '@offpay/crypto';

/** Domain label of entry hashes. */
export const AUDIT_LABEL = 'offpay/v1/bank-audit';
/** The `prev_hash` of the first entry. */
export const AUDIT_GENESIS = taggedHash('offpay/v1/bank-audit-genesis');

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
