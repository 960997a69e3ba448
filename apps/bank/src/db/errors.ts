/**
 * Classifies database failures: "the database is unreachable" and "this transaction lost a race"
 * are 503s (retry later), anything else a 500. Codes: PostgreSQL manual, Appendix A.
 */

// SQLSTATE classes 08 (connection exception), 57P01–57P03 (admin shutdown, crash shutdown,
// cannot connect now) and 53300 (too many connections).
const UNAVAILABLE_SQLSTATE = /^(08|57P0[123]|53300)/;
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
]);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end|PGlite is closed|Client has encountered a connection error/i;

// A connection that was open and is gone (the server ended it, or the network reset it), as
// opposed to one that could not be opened: only then may an immediate retry on a new one work.
const LOST_SQLSTATE = /^(08006|08003|57P01|57P02)$/;
const LOST_MESSAGE = /Connection terminated|Client has encountered a connection error/i;

// 40001 serialization_failure, 40P01 deadlock_detected: the transaction was rolled back whole.
const CONFLICT_SQLSTATE = new Set(['40001', '40P01']);

function fields(err: unknown): { code?: unknown; message?: unknown } {
  return typeof err === 'object' && err !== null ? err : {};
}

/** True when `err` says the database cannot be reached (as opposed to a failed statement). */
export function isDatabaseUnavailable(err: unknown): boolean {
  const { code, message } = fields(err);
  if (
    typeof code === 'string' &&
    (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))
  ) {
    return true;
  }
  return typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message);
}

/** True when an open connection was lost: terminated backend, shutdown, reset by the network. */
export function isConnectionLost(err: unknown): boolean {
  const { code, message } = fields(err);
  if (typeof code === 'string' && (LOST_SQLSTATE.test(code) || code === 'ECONNRESET')) return true;
  return typeof message === 'string' && LOST_MESSAGE.test(message);
}

/** True when the transaction lost a race (deadlock or serialization failure) and was undone. */
export function isTransactionConflict(err: unknown): boolean {
  const { code } = fields(err);
  return typeof code === 'string' && CONFLICT_SQLSTATE.has(code);
}

/**
 * True when a prepared statement's result columns changed type under it (a migration altered a
 * table it reads): SQLSTATE 0A000 with this message. The statement fails this way on every use
 * in that session, so the connection must be dropped; nothing was done (db/statements.ts).
 */
export function isCachedPlanInvalid(err: unknown): boolean {
  const { code, message } = fields(err);
  return (
    code === '0A000' &&
    typeof message === 'string' &&
    message.includes('cached plan must not change result type')
  );
}

/** True when `err` is a unique-constraint violation (SQLSTATE 23505), optionally on `constraint`. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown };
  return e.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

/**
 * What a log line may say about a database error: its SQLSTATE or errno and its message, cut to a
 * few hundred bytes. Never the error object itself, which carries the pg client's internals
 * (connection parameters, buffers, the whole socket state: kilobytes per line).
 */
export function databaseErrorFields(err: unknown): { code: string; message: string } {
  const { code, message } = fields(err);
  return {
    code: typeof code === 'string' ? code.slice(0, 16) : '',
    message: (typeof message === 'string' ? message : String(err)).slice(0, 240),
  };
}
