/** Bounds of the bank's answers that are part of the contract: a client may rely on them. */

/** Payer certificates GET /v1/payer/sync returns, newest first. */
export const SYNC_MAX_CERTIFICATES = 100;
/** Settled payments GET /v1/payer/sync returns per payer certificate, newest first. */
export const SYNC_MAX_PAYMENTS = 500;
/** Rows in one CSV export of GET /v1/merchant/settlements.csv; narrow `from`/`to` for more. */
export const CSV_MAX_ROWS = 50_000;
/** Most postings one page of GET /v1/accounts/me/history holds (`?limit=`). */
export const HISTORY_MAX_LIMIT = 200;
/** Postings per page of GET /v1/accounts/me/history when `?limit=` is not given. */
export const HISTORY_DEFAULT_LIMIT = 50;
/** Most accounts GET /v1/accounts/me lists. */
export const ACCOUNTS_MAX = 100;
/** Most keys of each kind GET /v1/keys lists (current and retired). */
export const KEYS_MAX = 256;
/** Longest transfer reference, in characters. */
export const REFERENCE_MAX_CHARS = 200;
