/**
 * Money out (docs/operations.md "An operator's day: deposits in, payouts out"): payout accounts
 * and requests (payouts.request.ts), the operators' steps and the pain.001 export
 * (payouts.operate.ts), and the lists — reads by operators audited.
 */
import type { OperatorActor } from '../operators/operators.domain.js';
import type { PayoutState } from './payouts.domain.js';
import { batchFile, exportBatch, takeStep, type SingleStep } from './payouts.operate.js';
import type { PayoutsDeps } from './payouts.ports.js';
import * as repo from './payouts.repo.js';
import type { BatchRow, PayoutAccountRow, PayoutRow } from './payouts.repo.js';
import { registerAccount, requestPayout, type PayoutRequest } from './payouts.request.js';
import { PAYOUT_ACCOUNTS_MAX } from '@offpay/api';

export type { BatchRow, PayoutAccountRow, PayoutRequest, PayoutRow, PayoutsDeps, SingleStep };

/** Payout accounts, payouts and batches. */
export interface PayoutsService {
  /** @throws BANK_IBAN_INVALID, BANK_PAYOUT_ACCOUNTS_LIMIT */
  registerAccount(
    userId: string,
    input: { iban: string; holderName: string },
  ): Promise<PayoutAccountRow>;
  accountsOf(userId: string): Promise<PayoutAccountRow[]>;
  /**
   * Requests a payout, idempotent by `key`; the amount is held at once.
   * @throws BANK_PAYOUT_ACCOUNT_NOT_FOUND, BANK_ACCOUNT_NOT_FOUND, BANK_INSUFFICIENT_FUNDS,
   * BANK_IDEMPOTENCY_KEY_REUSED
   */
  request(userId: string, key: string, req: PayoutRequest): Promise<PayoutRow>;
  payoutsOf(userId: string, limit: number): Promise<PayoutRow[]>;
  /** Payouts in `state`, oldest first (audited as a read). */
  list(actor: OperatorActor, state: PayoutState, limit: number): Promise<PayoutRow[]>;
  /** @throws BANK_PAYOUT_NOT_FOUND, BANK_PAYOUT_STATE */
  step(actor: OperatorActor, id: string, step: SingleStep, reason: string): Promise<PayoutRow>;
  /** @throws BANK_PAYOUT_BATCH_EMPTY */
  exportBatch(actor: OperatorActor, currency: string, reason: string): Promise<BatchRow>;
  /** @throws BANK_PAYOUT_BATCH_NOT_FOUND */
  batchFile(actor: OperatorActor, batchId: string): Promise<string>;
}

/** Builds the payouts service. */
export function createPayoutsService(deps: PayoutsDeps): PayoutsService {
  const { db } = deps;
  return {
    registerAccount: (userId, input) => registerAccount(deps, userId, input),
    accountsOf: (userId) => repo.listPayoutAccounts(db, userId, PAYOUT_ACCOUNTS_MAX),
    request: (userId, key, req) => requestPayout(deps, userId, key, req),
    payoutsOf: (userId, limit) => repo.listUserPayouts(db, userId, limit),
    list: (actor, state, limit) =>
      db.transaction(async (tx) => {
        await deps.record(tx, actor, {
          action: 'operator.read',
          target: 'payouts',
          data: { state, limit },
        });
        return repo.listByState(tx, state, limit);
      }),
    step: (actor, id, step, reason) => takeStep(deps, actor, id, step, reason),
    exportBatch: (actor, currency, reason) => exportBatch(deps, actor, currency, reason),
    batchFile: (actor, batchId) => batchFile(deps, actor, batchId),
  };
}
