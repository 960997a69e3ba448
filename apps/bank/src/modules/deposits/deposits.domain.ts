/**
 * Pure rules of deposits (docs/operations.md "An operator's day: deposits in, payouts out"): what
 * a deposit request is, whether a repeated one is the same deposit, and how a statement file
 * (CSV, columns {@link STATEMENT_COLUMNS}) becomes rows — each valid, or refused with a code.
 * No pg, no fastify; parsing by csv-parse (RFC 4180 quoting, BOM), fields by the API's schemas.
 */
import {
  STATEMENT_COLUMNS,
  STATEMENT_MAX_ROWS,
  amountMinor,
  currency,
  depositAccountField,
  depositReferenceField,
  valueDateField,
} from '@offpay/api';
import { parse } from 'csv-parse/sync';
import { bankFail } from '../../errors.js';

/** Where a deposit goes: a customer account by id, or by its owner's email. */
export type AccountRef = { kind: 'id'; accountId: string } | { kind: 'email'; email: string };

/** One deposit to apply. */
export interface DepositRequest {
  reference: string;
  account: AccountRef;
  amount: bigint;
  currency: string;
  valueDate: string | null;
  description: string | null;
}

/** What a stored deposit says (to compare a repeated request with). */
export interface DepositFacts {
  accountId: string;
  amount: bigint;
  currency: string;
}

/** True when a request resolved to `accountId` repeats the stored deposit `stored` exactly. */
export function sameDeposit(
  stored: DepositFacts,
  req: { accountId: string; amount: bigint; currency: string },
): boolean {
  return (
    stored.accountId === req.accountId &&
    stored.amount === req.amount &&
    stored.currency === req.currency
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}$/;

/** Reads the `account` field: an account id, or an email (lower-cased); null when it is neither. */
export function accountRef(text: string): AccountRef | null {
  const t = text.trim();
  if (UUID.test(t)) return { kind: 'id', accountId: t.toLowerCase() };
  if (t.length <= 254 && EMAIL.test(t)) return { kind: 'email', email: t.toLowerCase() };
  return null;
}

/** The fields of a statement row, in column order. */
export type StatementField = (typeof STATEMENT_COLUMNS)[number] | 'columns';

/** One data row of a statement: a deposit to apply, or why it cannot be one. */
export type StatementRow =
  | { line: number; reference: string; request: DepositRequest }
  | { line: number; reference: string | null; field: StatementField; message: string };

/** The most characters of one CSV record (a row of six short fields needs far less). */
const MAX_RECORD_CHARS = 2048;

interface Record_ {
  record: string[];
  info: { lines: number };
}

function readRecords(csv: string): Record_[] {
  try {
    return parse(csv, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: MAX_RECORD_CHARS,
      // One more than allowed, to tell "too many" from "just enough" without reading the rest.
      to_line: STATEMENT_MAX_ROWS + 2,
    }) as unknown as Record_[];
  } catch (err) {
    const line = (err as { lines?: unknown }).lines;
    return bankFail('BANK_STATEMENT_INVALID', 'The statement is not readable CSV (RFC 4180)', {
      line: typeof line === 'number' ? Math.min(line, 1_000_000) : 0,
      reason: 'csv',
    });
  }
}

/**
 * Parses a statement file into rows (line numbers as in the file, the header being line 1).
 * @throws BANK_STATEMENT_INVALID when the file is not CSV, its header is not
 * {@link STATEMENT_COLUMNS}, it has no data row, or more than {@link STATEMENT_MAX_ROWS}.
 */
export function parseStatement(csv: string): StatementRow[] {
  const records = readRecords(csv);
  const header = records[0];
  if (!header) bankFail('BANK_STATEMENT_INVALID', 'The statement is empty', fileFault('empty'));
  const names = header.record.map((c) => c.trim().toLowerCase());
  if (names.join(',') !== STATEMENT_COLUMNS.join(',')) {
    bankFail('BANK_STATEMENT_INVALID', `The header row must be ${STATEMENT_COLUMNS.join(',')}`, {
      line: 1,
      reason: 'header',
    });
  }
  const data = records.slice(1);
  if (data.length === 0)
    bankFail('BANK_STATEMENT_INVALID', 'The statement has no rows', { line: 2, reason: 'empty' });
  if (data.length > STATEMENT_MAX_ROWS) {
    bankFail('BANK_STATEMENT_INVALID', `A statement holds at most ${STATEMENT_MAX_ROWS} rows`, {
      line: STATEMENT_MAX_ROWS + 2,
      reason: 'too_many_rows',
    });
  }
  // The line a record ends on (quoted fields may span lines).
  return data.map((r) => readRow(r.record, r.info.lines));
}

function fileFault(reason: 'empty') {
  return { line: 0, reason };
}

/** One record as a deposit request, or the first field at fault. */
export function readRow(cells: readonly string[], line: number): StatementRow {
  const refCell = cells[0]?.trim() ?? '';
  const ref = depositReferenceField.safeParse(refCell);
  const reference = ref.success ? ref.data : null;
  const refuse = (field: StatementField, message: string): StatementRow => ({
    line,
    reference: reference ?? (refCell.length > 0 && refCell.length <= 64 ? refCell : null),
    field,
    message,
  });
  if (cells.length !== STATEMENT_COLUMNS.length)
    return refuse(
      'columns',
      `A row has ${STATEMENT_COLUMNS.length} columns, this one ${cells.length}`,
    );
  const [, date, account, amount, cur, description] = cells.map((c) => c.trim()) as string[];
  if (!reference) return refuse('reference', 'The reference is missing or malformed');
  const day = date === '' ? { success: true as const, data: null } : valueDateField.safeParse(date);
  if (!day.success) return refuse('date', 'The date is not YYYY-MM-DD');
  const where = depositAccountField.safeParse(account).success ? accountRef(account ?? '') : null;
  if (!where) return refuse('account', 'The account is neither an account id nor an email');
  const minor = amountMinor.safeParse(amount);
  if (!minor.success) return refuse('amount_minor', 'The amount is not whole minor units ≥ 1');
  const code = currency.safeParse(cur);
  if (!code.success) return refuse('currency', 'The currency is not an ISO 4217 code');
  const text = description ?? '';
  if (text.length > 140 || /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(text))
    return refuse(
      'description',
      'The description is over 140 characters or holds control characters',
    );
  return {
    line,
    reference,
    request: {
      reference,
      account: where,
      amount: BigInt(minor.data),
      currency: code.data,
      valueDate: day.data,
      description: text === '' ? null : text,
    },
  };
}
