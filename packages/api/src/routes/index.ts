/** Every route of the bank, by the name a client calls it with. */
import { accountHistory, accounts } from './accounts.js';
import { login, logout, register } from './auth.js';
import { operatorActivity, operatorSummary, operatorSummaryCsv, runReconcile } from './console.js';
import {
  operatorAccount,
  operatorAccounts,
  operatorAccountStatement,
  operatorRefunds,
} from './console-accounts.js';
import {
  operatorCertificates,
  operatorFraudProof,
  operatorFraudProofs,
  revokeCertificate,
} from './console-risk.js';
import { createDeposit, importStatement, listDeposits } from './deposits.js';
import { enrollmentChallenge, enrollPayee, enrollPayer } from './enrollment.js';
import { fraudProof, fraudProofs, reportFraudProof } from './fraud.js';
import { health, readiness } from './health.js';
import { bankPublicKey, keys } from './keys.js';
import {
  applyAsMerchant,
  approveMerchantApplication,
  getMerchantApplication,
  listMerchantApplications,
  merchantStatus,
  refuseMerchantApplication,
} from './merchants.js';
import { operatorAudit, operatorLogin, operatorLogout, operatorMe } from './operators.js';
import {
  approvePayout,
  confirmPayout,
  exportPayoutBatch,
  failPayout,
  myPayouts,
  operatorPayouts,
  payoutAccounts,
  payoutBatchCsv,
  payoutBatchFile,
  refusePayout,
  registerPayoutAccount,
  requestPayout,
} from './payouts.js';
import { merchantSettlementsCsv, payerSync } from './reports.js';
import { paymentRefunds, refundPayment } from './refunds.js';
import { closeCertificate, revocations } from './revocations.js';
import { settle, settlementEvents, settlementResult } from './settlement.js';
import {
  createWebhook,
  disableWebhook,
  listWebhooks,
  operatorWebhookDeliveries,
  webhookDeliveries,
} from './webhooks.js';

/**
 * The bank's HTTP API: one declaration per route, which the bank validates and documents with
 * and a client calls and parses with.
 * @example
 * ```ts
 * const res = await fetch(base + routes.login.path, {
 *   method: routes.login.method,
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ email, password } satisfies BodyOf<typeof routes.login>),
 * });
 * const { accessToken } = routes.login.response.parse(await res.json());
 * ```
 */
export const routes = {
  register,
  login,
  logout,
  accounts,
  accountHistory,
  keys,
  bankPublicKey,
  enrollmentChallenge,
  enrollPayer,
  enrollPayee,
  closeCertificate,
  revocations,
  payerSync,
  merchantSettlementsCsv,
  settle,
  settlementResult,
  refundPayment,
  paymentRefunds,
  settlementEvents,
  reportFraudProof,
  fraudProofs,
  fraudProof,
  health,
  readiness,
  applyAsMerchant,
  merchantStatus,
  operatorLogin,
  operatorLogout,
  operatorMe,
  operatorAudit,
  listMerchantApplications,
  getMerchantApplication,
  approveMerchantApplication,
  refuseMerchantApplication,
  createDeposit,
  listDeposits,
  importStatement,
  registerPayoutAccount,
  payoutAccounts,
  requestPayout,
  myPayouts,
  operatorPayouts,
  approvePayout,
  refusePayout,
  exportPayoutBatch,
  payoutBatchFile,
  payoutBatchCsv,
  confirmPayout,
  failPayout,
  operatorAccounts,
  operatorAccount,
  operatorAccountStatement,
  operatorRefunds,
  operatorFraudProofs,
  operatorFraudProof,
  operatorCertificates,
  revokeCertificate,
  runReconcile,
  operatorSummary,
  operatorSummaryCsv,
  operatorActivity,
  createWebhook,
  listWebhooks,
  disableWebhook,
  webhookDeliveries,
  operatorWebhookDeliveries,
} as const;

/** The name of a route in {@link routes}. */
export type RouteName = keyof typeof routes;
