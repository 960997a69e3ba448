/**
 * The operators' console (docs/operations.md "The console"; issue #13 item 7): what the console
 * reads — accounts, statements, refunds, fraud proofs, certificates, the daily summary, the live
 * activity — and the two things it does: revoke a certificate (through the revocations service)
 * and run the reconciliation check. Every call is audited in the same transaction as its reads
 * (the reconciliation right after its read-only snapshot: see `reconcile`); a read of something
 * missing is audited too, then answers 404.
 */
import { ACCOUNT_STATEMENT_MAX_ROWS } from '@offpay/api';
import { bankKeySet, verifyFraudProof } from '@offpay/protocol';
import type { Queryable } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import { findFraudProof } from '../fraud/fraud.repo.js';
import type { OperatorAction, OperatorActor } from '../operators/operators.domain.js';
import * as accountsRepo from './console.accounts.repo.js';
import { createActivity } from './console.activity.js';
import { dayBounds, findingsOf, statementCsv, summaryCsv } from './console.domain.js';
import type { ConsoleDeps, ConsoleService, Page } from './console.ports.js';
import * as risk from './console.risk.repo.js';
import { readSummary } from './console.summary.js';

export type { ActivitySnapshot } from './console.activity.js';
export type * from './console.ports.js';

function page<T, C>(rows: T[], limit: number, cursor: (last: T) => C): Page<T, C> {
  const last = rows[rows.length - 1];
  return { rows, next: rows.length === limit && last !== undefined ? cursor(last) : null };
}

function accountNotFound(): never {
  bankFail('BANK_ACCOUNT_NOT_FOUND', 'No account with this id');
}

/** Builds the console service. */
export function createConsoleService(deps: ConsoleDeps): ConsoleService {
  const { db, record } = deps;
  /** Records a read of `target` and runs `read` in the same transaction. */
  const audited = <T>(
    actor: OperatorActor,
    target: string,
    data: OperatorAction['data'],
    read: (tx: Queryable) => Promise<T>,
  ): Promise<T> =>
    db.transaction(async (tx) => {
      await record(tx, actor, { action: 'operator.read', target, ...(data ? { data } : {}) });
      return read(tx);
    });

  return {
    async accounts(actor, f) {
      const rows = await audited(
        actor,
        'accounts',
        { query: f.query, holder: f.holder, after: f.after, limit: f.limit },
        (tx) => accountsRepo.listAccounts(tx, f),
      );
      return page(rows, f.limit, (a) => a.accountId);
    },

    async account(actor, id, p) {
      const found = await audited(
        actor,
        `account:${id}`,
        { before: p.before?.toString() ?? null, limit: p.limit },
        async (tx) => {
          const account = await accountsRepo.findAccount(tx, id);
          if (!account) return null;
          return { account, rows: await accountsRepo.recentPostings(tx, id, p.before, p.limit) };
        },
      );
      if (!found) accountNotFound();
      return {
        account: found.account,
        postings: page(found.rows, p.limit, (r) => r.postingId),
      };
    },

    async statement(actor, id, range) {
      // Transfers are stamped by Postgres: with no `to`, the statement runs to the last posting.
      const at = range.to ?? deps.now();
      const found = await audited(
        actor,
        `account:${id}`,
        {
          statement: true,
          from: range.from?.toISOString() ?? null,
          to: range.to?.toISOString() ?? null,
        },
        async (tx) => {
          const account = await accountsRepo.findAccount(tx, id);
          if (!account) return null;
          const opening = range.from ? await accountsRepo.balanceBefore(tx, id, range.from) : 0n;
          const rows = await accountsRepo.postingsBetween(
            tx,
            id,
            range,
            ACCOUNT_STATEMENT_MAX_ROWS + 1,
          );
          const truncated = rows.length > ACCOUNT_STATEMENT_MAX_ROWS;
          // The closing balance is read, not summed: opening + Σ postings = closing is a check.
          const closing = truncated ? null : await accountsRepo.balanceBefore(tx, id, range.to);
          return {
            account,
            opening,
            rows: rows.slice(0, ACCOUNT_STATEMENT_MAX_ROWS),
            closing,
            truncated,
          };
        },
      );
      if (!found) accountNotFound();
      const csv = statementCsv({
        currency: found.account.currency,
        from: range.from,
        to: at,
        opening: found.opening,
        postings: found.rows,
        closing: found.closing,
      });
      return { csv, truncated: found.truncated };
    },

    async refunds(actor, before, limit) {
      const rows = await audited(
        actor,
        'refunds',
        { before: before?.toString() ?? null, limit },
        (tx) => risk.listRefunds(tx, before, limit),
      );
      return page(rows, limit, (r) => r.transferId);
    },

    async fraudProofs(actor, before, limit) {
      const rows = await audited(
        actor,
        'fraud_proofs',
        { before: before?.toString() ?? null, limit },
        (tx) => risk.listProofs(tx, before, limit),
      );
      return page(rows, limit, (r) => r.id);
    },

    async fraudProof(actor, id) {
      const found = await audited(actor, `fraud_proof:${id}`, undefined, async (tx) => {
        const proof = await risk.findProof(tx, id);
        const stored = await findFraudProof(tx, id);
        if (!proof || !stored) return null;
        // Stored proofs were checked before they were stored; checking again under the key that
        // issued the certificate decodes both payments and proves the row was not altered.
        const decoded = verifyFraudProof(stored.proof, bankKeySet([stored.issuerPublicKey]));
        const known: [risk.KnownPayment, risk.KnownPayment] = [
          await risk.knownPayment(tx, decoded.first.paymentId, decoded.first.payeeKid),
          await risk.knownPayment(tx, decoded.second.paymentId, decoded.second.payeeKid),
        ];
        return { proof, decoded, known };
      });
      if (!found)
        bankFail('BANK_FRAUD_PROOF_NOT_FOUND', 'No stored fraud proof has this id', { id });
      return found;
    },

    async certificates(actor, f) {
      const rows = await audited(
        actor,
        'certificates',
        {
          kind: f.kind,
          status: f.status,
          serial: f.serial,
          text: f.text,
          before: f.before,
          limit: f.limit,
        },
        (tx) => risk.listCertificates(tx, f),
      );
      return page(rows, f.limit, (c) => c.serial);
    },

    revoke(actor, serial, reason, why) {
      return db.transaction(async (tx) => {
        // The revocations service takes the revocation-list lock and then the audit head; the
        // operator's entry comes after it, in the same transaction.
        const outcome = await deps.revoke(tx, { serial, reason });
        await record(tx, actor, {
          action: 'certificate.revoke',
          target: `certificate:${serial}`,
          reason: why,
          data: {
            revocationReason: reason,
            kind: outcome.kind,
            revokedNow: outcome.revokedNow,
            reasonOnRecord: outcome.reason,
            ownerSignedOut: outcome.signedOut,
          },
        });
        return outcome;
      });
    },

    async reconcile(actor) {
      // The check reads one REPEATABLE READ, READ ONLY snapshot, as `pnpm reconcile` does. Its
      // audit entry cannot be written inside that snapshot (the audit chain's head moves on while
      // it runs: appending after a stale head would fork the chain), so it is written right
      // after, with the result, and nothing is answered unless that entry committed.
      const checkedAt = deps.now();
      const report = await deps.reconcile();
      const findings = findingsOf(report.violations);
      await db.transaction((tx) =>
        record(tx, actor, {
          action: 'operator.reconcile',
          target: 'ledger',
          data: {
            ok: report.violations.length === 0,
            codes: [...new Set(report.violations.map((v) => v.code))],
          },
        }),
      );
      return { checkedAt, checked: report.checked, findings };
    },

    summary(actor, date, format) {
      const { from, to } = dayBounds(date);
      return audited(actor, 'summary', { date, format }, (tx) => readSummary(tx, date, from, to));
    },

    summaryCsv,

    activity: createActivity(deps),
  };
}
