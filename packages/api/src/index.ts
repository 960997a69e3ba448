/**
 * @offpay/api — the bank's HTTP contract, declared once: zod schemas of every route's request and
 * answer (every string, array and number bounded), the error registry (code, status, meaning,
 * advice, typed details) and the types inferred from them. The bank validates and documents its
 * routes with these schemas; clients call and parse with the same ones. Pure: zod and the protocol
 * constants, no Node built-ins.
 *
 * @example
 * ```ts
 * import { errorBody, routes, routePath, type AnswerOf } from '@offpay/api';
 * const res = await fetch(base + routePath(routes.closeCertificate, { serial: '12' }), init);
 * if (!res.ok) throw errorBody.parse(await res.json()); // { code, message, details }
 * const closed: AnswerOf<typeof routes.closeCertificate> =
 *   routes.closeCertificate.response.parse(await res.json());
 * ```
 */
export * from './errors.js';
export * from './fields.js';
export * from './limits.js';
export * from './pages.js';
export * from './route.js';
export { routes, type RouteName } from './routes/index.js';
export { ACCOUNT_KINDS, TRANSFER_KINDS, account, historyItem } from './routes/accounts.js';
export { bankKey } from './routes/keys.js';
export {
  CONSOLE_CURRENCIES_MAX,
  RECONCILE_FINDINGS_MAX,
  RECONCILE_ROWS_MAX,
  SUMMARY_CSV_HEADER,
  activitySnapshot,
  dailySummary,
  reconcileFinding,
  summaryCurrency,
} from './routes/console.js';
export {
  ACCOUNT_HOLDERS,
  ACCOUNT_POSTINGS_MAX,
  ACCOUNT_STATEMENT_MAX_ROWS,
  ACCOUNT_STATEMENT_CSV_HEADER,
  COUNTERPARTIES_MAX,
  OPERATOR_ACCOUNTS_PAGE_MAX,
  OPERATOR_REFUNDS_PAGE_MAX,
  consoleAccount,
  consolePosting,
  counterparty,
  operatorRefund,
  searchText,
} from './routes/console-accounts.js';
export {
  OPERATOR_CERTIFICATES_PAGE_MAX,
  OPERATOR_FRAUD_PROOFS_PAGE_MAX,
  OPERATOR_REVOCATION_REASONS,
  consoleCertificate,
  consoleFraudProof,
  decodedPayment,
  recovery,
} from './routes/console-risk.js';
export {
  DEPOSIT_OUTCOMES,
  DEPOSITS_PAGE_MAX,
  ROW_OUTCOMES,
  STATEMENT_BODY_LIMIT,
  STATEMENT_COLUMNS,
  STATEMENT_MAX_CHARS,
  STATEMENT_MAX_ROWS,
  deposit,
  depositAccount as depositAccountField,
  depositReference as depositReferenceField,
  statementRow,
  valueDate as valueDateField,
} from './routes/deposits.js';
export {
  PAIN001_MAX_CHARS,
  PAYOUT_ACCOUNTS_MAX,
  PAYOUT_BATCH_CSV_HEADER,
  PAYOUT_BATCH_MAX,
  PAYOUT_STATES,
  PAYOUTS_PAGE_MAX,
  operatorPayout,
  payout,
  payoutAccount,
  payoutBatch,
} from './routes/payouts.js';
export { FRAUD_KINDS, FRAUD_PROOFS_MAX, fraudProofPath, storedFraudProof } from './routes/fraud.js';
export { readinessSchema } from './routes/health.js';
export {
  APPLICATION_STATES,
  APPLICATIONS_PAGE_MAX,
  merchantApplication,
  operatorApplication,
} from './routes/merchants.js';
export { AUDIT_PAGE_MAX, auditEntry, operatorView, reason } from './routes/operators.js';
export {
  REFUND_REASON_MAX_CHARS,
  REFUNDS_PER_PAYMENT_MAX,
  refund,
  refundablePayment,
  refundKey,
} from './routes/refunds.js';
export { SETTLEMENT_CSV_HEADER, syncCertificate, syncPayment } from './routes/reports.js';
export { CERTIFICATE_STATUSES, REVOCATION_REASONS } from './routes/revocations.js';
export {
  ENTRY_CODES,
  ENTRY_STATUSES,
  SEALED_BATCH_MAX_BYTES,
  SETTLEMENT_BODY_LIMIT,
  SETTLEMENT_MEDIA_TYPES,
  sealedBatchJson,
  settledEntry,
  settlementAnswer,
  settlementEvent,
  type EntryCode,
} from './routes/settlement.js';
export {
  WEBHOOK_DELIVERIES_PAGE_MAX,
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_ERROR_MAX_CHARS,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_URL_MAX_CHARS,
  WEBHOOKS_MAX,
  webhookDelivery,
  webhookEndpoint,
  type WebhookEventType,
} from './routes/webhooks.js';
