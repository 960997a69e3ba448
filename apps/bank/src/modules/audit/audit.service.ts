/** Appending to and verifying the hash-chained audit log. */
import { labelBytes, utf8 } from '@offpay/crypto';
import type { Queryable } from '../../db/queryable.js';
import {
  AUDIT_GENESIS,
  AUDIT_LABEL,
  auditEntryBody,
  findBrokenAuditRecord,
  type AuditRecord,
  type AuditValue,
} from './audit.domain.js';
import { appendAuditRecord, listAuditRecords } from './audit.repo.js';

const AUDIT_PREFIX = labelBytes(AUDIT_LABEL);

/** What a caller records: who did what, with non-secret data (never keys, tokens, passwords). */
export interface AuditInput {
  actor: string;
  action: string;
  data?: Record<string, AuditValue>;
}

/** The audit log, used by every service that changes something security-relevant. */
export interface AuditLog {
  /** Appends inside the caller's transaction, so the entry commits or rolls back with the change. */
  append(tx: Queryable, input: AuditInput): Promise<void>;
  /** Walks the whole chain; `brokenAt` is the id of the first bad record. */
  verify(q: Queryable): Promise<{ ok: boolean; count: number; brokenAt?: bigint }>;
  /** Up to `limit` records with an id greater than `afterId`, in log order. */
  list(q: Queryable, afterId: bigint, limit: number): Promise<(AuditRecord & { id: bigint })[]>;
}

/** Builds the audit log. `now` is a parameter so tests control time. */
export function createAuditLog(deps: { now: () => Date }): AuditLog {
  return {
    async append(tx, input) {
      // Millisecond precision: what timestamptz stores and returns exactly, so hashes recompute.
      const at = new Date(Math.floor(deps.now().getTime()));
      const entry = { at, actor: input.actor, action: input.action, data: input.data ?? {} };
      // The chain has one head: appendAuditRecord takes its lock, held to COMMIT (docs/scaling.md).
      await appendAuditRecord(tx, {
        ...entry,
        prefix: AUDIT_PREFIX,
        body: utf8(auditEntryBody(entry)),
        genesis: AUDIT_GENESIS,
      });
    },
    list: (q, afterId, limit) => listAuditRecords(q, afterId, limit),
    async verify(q) {
      let head = AUDIT_GENESIS;
      let count = 0;
      let afterId = 0n;
      for (;;) {
        const page = await listAuditRecords(q, afterId);
        const last = page[page.length - 1];
        if (!last) return { ok: true, count };
        // Each page continues from the last hash of the previous one.
        const broken = findBrokenAuditRecord(page, head);
        if (broken !== -1)
          return { ok: false, count: count + broken, brokenAt: page[broken]?.id ?? last.id };
        count += page.length;
        head = last.entryHash;
        afterId = last.id;
      }
    },
  };
}
