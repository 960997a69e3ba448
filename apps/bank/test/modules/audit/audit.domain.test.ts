import { describe, expect, it } from 'vitest';
import {
  anchorData,
  AUDIT_GENESIS,
  auditEntryHash,
  payeeChainGenesis,
  readAnchorData,
  canonicalJson,
  findBrokenAuditRecord,
  type AuditEntry,
  type AuditRecord,
} from '../../../src/modules/audit/audit.domain.js';

function chain(entries: AuditEntry[]): AuditRecord[] {
  let prev = AUDIT_GENESIS;
  return entries.map((e) => {
    const entryHash = auditEntryHash(prev, e);
    const r = { ...e, prevHash: prev, entryHash };
    prev = entryHash;
    return r;
  });
}

const at = new Date('2030-01-01T00:00:00.123Z');
const entries: AuditEntry[] = [
  { at, actor: 'bank', action: 'bank_key.created', data: { kind: 'sign', kid: '00' } },
  { at, actor: 'user:1', action: 'user.registered', data: { currency: 'EUR' } },
  { at, actor: 'user:1', action: 'user.logout_all', data: {} },
];

describe('audit hash chain', () => {
  it('verifies an intact chain', () => {
    expect(findBrokenAuditRecord(chain(entries))).toBe(-1);
  });

  it('finds an edited, removed or reordered entry', () => {
    const edited = chain(entries);
    edited[1] = { ...(edited[1] as AuditRecord), data: { currency: 'USD' } };
    expect(findBrokenAuditRecord(edited)).toBe(1);
    const records = chain(entries);
    expect(findBrokenAuditRecord([records[0], records[2]] as AuditRecord[])).toBe(1);
    expect(findBrokenAuditRecord([records[1], records[0], records[2]] as AuditRecord[])).toBe(0);
  });

  it('hashes data independently of key order (jsonb reorders keys) and refuses floats', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'] })).toBe('{"a":[true,null,"x"],"b":1}');
    expect(canonicalJson({ a: 1, b: 1 })).toBe(canonicalJson({ b: 1, a: 1 }));
    expect(() => canonicalJson({ amount: 1.5 })).toThrow(TypeError);
    expect(() => canonicalJson({ amount: 2 ** 60 })).toThrow(TypeError);
  });
});

describe('payee chains and anchors', () => {
  it('gives every payee chain its own genesis, never the main one', () => {
    const a = payeeChainGenesis(1);
    expect(a).toHaveLength(32);
    expect(a).not.toEqual(payeeChainGenesis(2));
    expect(a).not.toEqual(AUDIT_GENESIS);
    expect(() => payeeChainGenesis(0)).toThrow(RangeError);
    expect(() => payeeChainGenesis(1.5)).toThrow(RangeError);
  });

  it('reads back the marks an anchor wrote, through canonical JSON', () => {
    const marks = [
      { chain: 3, count: 7, head: new Uint8Array(32).fill(0xab) },
      { chain: 9, count: 1, head: new Uint8Array(32).fill(1) },
    ];
    const data = JSON.parse(canonicalJson(anchorData(marks))) as Record<string, never>;
    expect(readAnchorData(data)).toEqual(marks);
  });

  it('refuses anchor data that is not a list of [chain, count, 32-byte hex head]', () => {
    expect(readAnchorData({})).toBeNull();
    expect(readAnchorData({ chains: [[1, 2]] })).toBeNull();
    expect(readAnchorData({ chains: [[1, 2, 'zz'.repeat(32)]] })).toBeNull();
    expect(readAnchorData({ chains: [['1', 2, 'ab'.repeat(32)]] })).toBeNull();
    expect(readAnchorData({ chains: [[1, 2, 'ab'.repeat(31)]] })).toBeNull();
  });
});
