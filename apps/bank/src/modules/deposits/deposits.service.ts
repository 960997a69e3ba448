/**
 * Money in (docs/operations.md "An operator's day: deposits in, payouts out"): an operator
 * credits a customer account from the bank's clearing account, once per external reference —
 * one deposit, or every row of a statement file in one transaction, each row in a savepoint (a
 * row is applied whole or not at all). The deposits row and its transfer are written together;
 * the unique reference makes a second application impossible, concurrent ones included.
 */
import { createHash } from 'node:crypto';
import type { Database, Queryable } from '../../db/queryable.js';
import { retryingTransaction } from '../../db/retry.js';
import { withSavepoint } from '../../db/transactions.js';
import { bankFail, isBankError } from '../../errors.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { OperatorAction, OperatorActor } from '../operators/operators.domain.js';
import {
  parseStatement,
  sameDeposit,
  type DepositRequest,
  type StatementRow,
} from './deposits.domain.js';
import * as repo from './deposits.repo.js';
import type { DepositRow } from './deposits.repo.js';

export type { DepositRow };

/** Dependencies of the deposits service. */
export interface DepositsDeps {
  db: Database;
  accounts: Pick<AccountsService, 'transfer' | 'systemAccount'>;
  /** Appends an operator action's audit entry inside `tx` (the operators service). */
  record: (tx: Queryable, actor: OperatorActor, action: OperatorAction) => Promise<void>;
  now: () => Date;
}

/** A deposit and whether this request applied it or found it applied before. */
export interface DepositOutcome {
  outcome: 'applied' | 'already_applied';
  deposit: DepositRow;
}

/** What became of one row of an imported statement. */
export interface ImportedRow {
  line: number;
  reference: string | null;
  outcome: 'applied' | 'already_applied' | 'refused';
  depositId: bigint | null;
  code: string | null;
  message: string | null;
}

/** An import's record and its rows' outcomes. */
export interface ImportResult {
  importId: bigint;
  counts: { total: number; applied: number; alreadyApplied: number; refused: number };
  rows: ImportedRow[];
}

/** Deposits: one by one, or a statement file. */
export interface DepositsService {
  /**
   * Applies one deposit (audited with the reason), or answers the one applied before under the
   * same reference.
   * @throws BANK_ACCOUNT_NOT_FOUND, BANK_CURRENCY_MISMATCH, BANK_DEPOSIT_CONFLICT
   */
  deposit(actor: OperatorActor, req: DepositRequest, reason: string): Promise<DepositOutcome>;
  /**
   * Imports a statement: every valid row applied, each row's outcome reported, the import
   * audited once with its counts and the file's SHA-256.
   * @throws BANK_STATEMENT_INVALID when the file as a whole cannot be read (nothing applied)
   */
  importStatement(actor: OperatorActor, csv: string, reason: string): Promise<ImportResult>;
  /** Deposits newest first (audited as a read). */
  list(actor: OperatorActor, page: { before: bigint | null; limit: number }): Promise<DepositRow[]>;
}

/** The customer account a request names. @throws BANK_ACCOUNT_NOT_FOUND, BANK_CURRENCY_MISMATCH */
async function resolveAccount(tx: Queryable, req: DepositRequest): Promise<string> {
  if (req.account.kind === 'email') {
    const id = await repo.customerAccountByEmail(tx, req.account.email, req.currency);
    if (!id) {
      bankFail(
        'BANK_ACCOUNT_NOT_FOUND',
        `No customer with this email has a ${req.currency} account`,
      );
    }
    return id;
  }
  const found = await repo.customerAccountById(tx, req.account.accountId);
  if (!found) bankFail('BANK_ACCOUNT_NOT_FOUND', 'No customer account has this id');
  if (found.currency !== req.currency) {
    bankFail('BANK_CURRENCY_MISMATCH', `The account holds ${found.currency}, not ${req.currency}`, {
      currencies: [found.currency, req.currency].sort(),
    });
  }
  return found.id;
}

/** Applies `req` inside `tx` (no audit entry: the caller writes it). */
async function apply(
  deps: DepositsDeps,
  tx: Queryable,
  actor: OperatorActor,
  req: DepositRequest,
  context: { reason: string; importId: bigint | null },
): Promise<DepositOutcome> {
  const accountId = await resolveAccount(tx, req);
  const inserted = await repo.insertDeposit(tx, {
    ...req,
    accountId,
    operatorId: actor.id,
    reason: context.reason,
    importId: context.importId,
    at: deps.now(),
  });
  if (!inserted) {
    const first = (await repo.findDeposit(tx, req.reference)) as DepositRow;
    if (!sameDeposit(first, { accountId, amount: req.amount, currency: req.currency })) {
      bankFail(
        'BANK_DEPOSIT_CONFLICT',
        `Reference ${req.reference} was applied with another account, amount or currency`,
        { reference: req.reference, depositId: first.id.toString() },
      );
    }
    return { outcome: 'already_applied', deposit: first };
  }
  const clearing = await deps.accounts.systemAccount(tx, 'clearing', req.currency);
  // The transfer (deposit, reference) is the one the deposits row's foreign key names.
  await deps.accounts.transfer(tx, {
    kind: 'deposit',
    reference: req.reference,
    legs: [
      { accountId: clearing, amount: -req.amount },
      { accountId, amount: req.amount },
    ],
  });
  return { outcome: 'applied', deposit: inserted };
}

function auditData(d: DepositRow) {
  return {
    reference: d.reference,
    accountId: d.accountId,
    amountMinor: d.amount.toString(),
    currency: d.currency,
  };
}

/** Runs every row in its own savepoint: a refused row leaves nothing behind. */
async function applyRows(
  deps: DepositsDeps,
  tx: Queryable,
  actor: OperatorActor,
  rows: readonly StatementRow[],
  context: { reason: string; importId: bigint },
): Promise<ImportedRow[]> {
  const out: ImportedRow[] = [];
  for (const row of rows) {
    const base = { line: row.line, reference: row.reference };
    if (!('request' in row)) {
      out.push({
        ...base,
        outcome: 'refused',
        depositId: null,
        code: 'BANK_STATEMENT_ROW_INVALID',
        message: `${row.field}: ${row.message}`,
      });
      continue;
    }
    try {
      const done = await withSavepoint(tx, () => apply(deps, tx, actor, row.request, context));
      out.push({
        ...base,
        outcome: done.outcome,
        depositId: done.deposit.id,
        code: null,
        message: null,
      });
    } catch (err) {
      // A refusal of this row only; anything else (a lost race, the database) undoes the import.
      if (!isBankError(err)) throw err;
      out.push({
        ...base,
        outcome: 'refused',
        depositId: null,
        code: err.code,
        message: err.message.slice(0, 300),
      });
    }
  }
  return out;
}

/** Builds the deposits service. */
export function createDepositsService(deps: DepositsDeps): DepositsService {
  const { db } = deps;
  return {
    deposit: (actor, req, reason) =>
      retryingTransaction(db, async (tx) => {
        const done = await apply(deps, tx, actor, req, { reason, importId: null });
        await deps.record(tx, actor, {
          action: done.outcome === 'applied' ? 'deposit.applied' : 'deposit.already_applied',
          target: `deposit:${done.deposit.id}`,
          reason,
          data: auditData(done.deposit),
        });
        return done;
      }),

    async importStatement(actor, csv, reason) {
      // A file that cannot be read is refused before any transaction.
      const parsed = parseStatement(csv);
      const sha256 = createHash('sha256').update(csv, 'utf8').digest();
      return retryingTransaction(db, async (tx) => {
        const importId = await repo.openImport(tx, {
          operatorId: actor.id,
          reason,
          sha256,
          at: deps.now(),
        });
        const rows = await applyRows(deps, tx, actor, parsed, { reason, importId });
        const count = (o: ImportedRow['outcome']) => rows.filter((r) => r.outcome === o).length;
        const counts = {
          total: rows.length,
          applied: count('applied'),
          alreadyApplied: count('already_applied'),
          refused: count('refused'),
        };
        await repo.closeImport(tx, importId, {
          applied: counts.applied,
          already: counts.alreadyApplied,
          refused: counts.refused,
        });
        await deps.record(tx, actor, {
          action: 'deposit.imported',
          target: `deposit_import:${importId}`,
          reason,
          data: { ...counts, sha256: sha256.toString('hex') },
        });
        return { importId, counts, rows };
      });
    },

    list: (actor, page) =>
      db.transaction(async (tx) => {
        await deps.record(tx, actor, {
          action: 'operator.read',
          target: 'deposits',
          data: { before: page.before?.toString() ?? null, limit: page.limit },
        });
        return repo.listDeposits(tx, page);
      }),
  };
}
