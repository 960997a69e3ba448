/**
 * Appending to and verifying the hash-chained audit log: one main chain (every operator, user and
 * system action, under one lock) and one chain per payee for its settlements' lines (under the
 * payee's head row lock, which the settlement holds anyway), committed to by the main chain's
 * anchor entries (docs/scaling.md "The audit chain").
 */
import { equalBytes, labelBytes, utf8 } from '@offpay/crypto';
import type { Database, Queryable } from '../../db/queryable.js';
import {
  AUDIT_ANCHOR_ACTION,
  AUDIT_ANCHOR_ACTOR,
  AUDIT_GENESIS,
  AUDIT_LABEL,
  anchorData,
  auditEntryBody,
  auditEntryHash,
  payeeChainGenesis,
  readAnchorData,
  type AuditRecord,
  type AuditValue,
} from './audit.domain.js';
import {
  appendAuditRecord,
  listAuditRecords,
  listChainRecords,
  listMainRecords,
  markAnchored,
  payeeChainHeads,
  unanchoredChains,
  type AuditAppend,
  type StoredAuditRecord,
} from './audit.repo.js';

const AUDIT_PREFIX = labelBytes(AUDIT_LABEL);
/** Chains named by one anchor entry at most; a longer backlog takes the next runs. */
const ANCHOR_BATCH = 500;

/** What a caller records: who did what, with non-secret data (never keys, tokens, passwords). */
export interface AuditInput {
  actor: string;
  action: string;
  data?: Record<string, AuditValue>;
}

/**
 * A payee chain's entry, ready to be written by the statement that moves the payee's head
 * (settlement.repo.ts `finishSettlement`): it reads the chain's head from that locked row.
 */
export type ChainedAudit = AuditAppend & { chain: number };

/** The audit log, used by every service that changes something security-relevant. */
export interface AuditLog {
  /** Appends to the main chain inside the caller's transaction (commits or rolls back with it). */
  append(tx: Queryable, input: AuditInput): Promise<void>;
  /**
   * Prepares an entry of payee `chain`'s own chain; the caller writes it in the transaction that
   * holds the payee's head row locked.
   */
  chained(chain: number, input: AuditInput): ChainedAudit;
  /**
   * Appends an anchor to the main chain naming every payee chain that grew since the last one
   * (its length and head); returns how many it named (0: nothing written).
   */
  anchor(db: Database): Promise<number>;
  /**
   * Walks every chain: each link, each payee chain against what the anchors and its head row say
   * of it. `count` is the records checked; `brokenAt` the id of the first bad record found.
   */
  verify(q: Queryable): Promise<{ ok: boolean; count: number; brokenAt?: bigint }>;
  /** Up to `limit` records of every chain with an id greater than `afterId`, in log order. */
  list(q: Queryable, afterId: bigint, limit: number): Promise<(AuditRecord & { id: bigint })[]>;
}

/** Builds the audit log. `now` is a parameter so tests control time. */
export function createAuditLog(deps: { now: () => Date }): AuditLog {
  const prepare = (input: AuditInput, genesis: Uint8Array): AuditAppend => {
    // Millisecond precision: what timestamptz stores and returns exactly, so hashes recompute.
    const at = new Date(Math.floor(deps.now().getTime()));
    const entry = { at, actor: input.actor, action: input.action, data: input.data ?? {} };
    return { ...entry, prefix: AUDIT_PREFIX, body: utf8(auditEntryBody(entry)), genesis };
  };
  return {
    async append(tx, input) {
      // The main chain has one head: appendAuditRecord takes its lock, held to COMMIT.
      await appendAuditRecord(tx, prepare(input, AUDIT_GENESIS));
    },
    chained: (chain, input) => ({ ...prepare(input, payeeChainGenesis(chain)), chain }),
    anchor: (db) =>
      db.transaction(async (tx) => {
        const marks = await unanchoredChains(tx, ANCHOR_BATCH);
        if (marks.length === 0) return 0;
        await appendAuditRecord(
          tx,
          prepare(
            { actor: AUDIT_ANCHOR_ACTOR, action: AUDIT_ANCHOR_ACTION, data: anchorData(marks) },
            AUDIT_GENESIS,
          ),
        );
        await markAnchored(tx, marks);
        return marks.length;
      }),
    list: (q, afterId, limit) => listAuditRecords(q, afterId, limit),
    verify: (q) => verifyAll(q),
  };
}

/** A point a payee chain must pass: its `count`-th entry has hash `head`. */
interface Expected {
  count: number;
  head: Uint8Array;
  /** The record that states it (an anchor), or null for the payee's head row. */
  by: bigint | null;
}

async function verifyAll(q: Queryable): Promise<{ ok: boolean; count: number; brokenAt?: bigint }> {
  // 1. The main chain, collecting what its anchors say of the payee chains.
  const expected = new Map<number, Expected[]>();
  const expect = (chain: number, e: Expected) => {
    const list = expected.get(chain) ?? [];
    list.push(e);
    expected.set(chain, list);
  };
  let head = AUDIT_GENESIS;
  let count = 0;
  let afterId = 0n;
  for (;;) {
    const page = await listMainRecords(q, afterId);
    if (page.length === 0) break;
    for (const r of page) {
      if (!linked(r, head)) return { ok: false, count, brokenAt: r.id };
      if (r.action === AUDIT_ANCHOR_ACTION && r.actor === AUDIT_ANCHOR_ACTOR) {
        const marks = readAnchorData(r.data);
        if (!marks) return { ok: false, count, brokenAt: r.id };
        for (const m of marks) expect(m.chain, { count: m.count, head: m.head, by: r.id });
      }
      head = r.entryHash;
      count++;
    }
    afterId = page[page.length - 1]!.id;
  }
  // 2. The payee chains' heads as their rows hold them, read BEFORE the chains: a chain read
  // afterwards holds at least these entries (settlements only append).
  for (const m of await payeeChainHeads(q)) expect(m.chain, { ...m, by: null });
  // 3. Every payee chain, from its genesis, passing every point stated of it.
  let chain = 0;
  let n = 0;
  let prev = AUDIT_GENESIS;
  let lastId = 0n;
  const finish = (): bigint | null => {
    // Points beyond the chain's end: entries were removed from its tail.
    const missed = (expected.get(chain) ?? []).find((e) => e.count > n);
    expected.delete(chain);
    return missed ? (missed.by ?? lastId) : null;
  };
  let after = { chain: 0, id: 0n };
  for (;;) {
    const page = await listChainRecords(q, after);
    if (page.length === 0) break;
    for (const r of page) {
      if (r.chain !== chain) {
        if (chain !== 0) {
          const bad = finish();
          if (bad !== null) return { ok: false, count, brokenAt: bad };
        }
        chain = r.chain!;
        n = 0;
        prev = payeeChainGenesis(chain);
      }
      if (!linked(r, prev)) return { ok: false, count, brokenAt: r.id };
      n++;
      prev = r.entryHash;
      lastId = r.id;
      count++;
      const points = expected.get(chain) ?? [];
      if (points.some((e) => e.count === n && !equalBytes(e.head, r.entryHash)))
        return { ok: false, count, brokenAt: r.id };
    }
    const last = page[page.length - 1]!;
    after = { chain: last.chain!, id: last.id };
  }
  if (chain !== 0) {
    const bad = finish();
    if (bad !== null) return { ok: false, count, brokenAt: bad };
  }
  // A chain an anchor or a head row names but that has no entry at all.
  for (const list of expected.values()) {
    const e = list[0];
    if (e) return { ok: false, count, brokenAt: e.by ?? 0n };
  }
  return { ok: true, count };
}

function linked(r: StoredAuditRecord, prev: Uint8Array): boolean {
  return equalBytes(r.prevHash, prev) && equalBytes(r.entryHash, auditEntryHash(prev, r));
}
