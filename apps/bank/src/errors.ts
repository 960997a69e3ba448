/**
 * The bank's coded errors, built on the registry of `@offpay/api` (codes, statuses, typed
 * details; docs/errors.md). Services throw them; the error handler answers with their status and
 * the one shape `{ code, message, details }`. Match them with {@link isBankError} — by code,
 * never `instanceof` (STYLE.md "Errors").
 */
import { BANK_ERRORS, isBankCode, type BankCode, type BankDetails } from '@offpay/api';

/**
 * A refusal the bank answers with a registry code. Named apart from the apps' own class for the
 * refusals they receive: this one is raised inside the bank.
 */
export class BankApiError<C extends BankCode = BankCode> extends Error {
  readonly code: C;
  readonly details: BankDetails<C>;
  readonly status: number;

  constructor(code: C, message: string, ...details: DetailsArg<C>) {
    super(message);
    this.name = 'BankApiError';
    this.code = code;
    this.status = BANK_ERRORS[code].status;
    this.details = (details[0] ?? {}) as BankDetails<C>;
  }
}

/** The details argument: required when the code's details have fields, absent otherwise. */
type DetailsArg<C extends BankCode> =
  BankDetails<C> extends Record<string, never> ? [] : [details: BankDetails<C>];

/** Throws a {@link BankApiError}. */
export function bankFail<C extends BankCode>(
  code: C,
  message: string,
  ...details: DetailsArg<C>
): never {
  throw new BankApiError(code, message, ...details);
}

/**
 * True when `e` carries a bank code (the given one, or any). Matches on the code, not `instanceof`,
 * so copies of this module still agree (STYLE.md "Errors").
 */
export function isBankError<C extends BankCode = BankCode>(
  e: unknown,
  code?: C,
): e is BankApiError<C> {
  if (typeof e !== 'object' || e === null) return false;
  const c = (e as { code?: unknown }).code;
  return isBankCode(c) && (code === undefined || c === code);
}
