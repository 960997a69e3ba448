/**
 * Plain words for every code a user can meet (PROTO_*, BANK_*, APP_*): what happened and what to
 * do, in one or two short sentences, never a stack trace or a secret.
 */

/** The refusal headline for a code, e.g. PROTO_PAYMENT_DUPLICATE → "Already accepted". */
export function refusalTitle(code: string): string {
  void code;
  throw new Error('app-kit: not implemented yet');
}

/** The explanation for a code, using details when they help (ledger index, limits). */
export function plainReason(code: string, details?: Record<string, unknown>): string {
  void code;
  void details;
  throw new Error('app-kit: not implemented yet');
}

/** Code and plain words of any thrown value (ProtocolError, BankError, AppError, or unknown). */
export function describeError(error: unknown): { code: string; title: string; text: string } {
  void error;
  throw new Error('app-kit: not implemented yet');
}
