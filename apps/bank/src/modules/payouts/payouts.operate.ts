/**
 * What operators do with payouts, each step audited with who, what and why in the transaction
 * that makes it: approve or refuse a requested payout (refused money returns), export the approved
 * ones of a currency as a batch (in flight), then confirm each (the money leaves to clearing) or
 * fail it (the money returns). The payout row is locked first; the state machine is checked here
 * and again by the database trigger, and each money movement is the transfer (kind, payout id),
 * which can happen once.
 */
import { randomUUID } from 'node:crypto';
import { PAYOUT_BATCH_MAX } from '@offpay/api';
import type { Queryable } from '../../db/queryable.js';
import { retryingTransaction } from '../../db/retry.js';
import { bankFail } from '../../errors.js';
import type { OperatorActor } from '../operators/operators.domain.js';
import { checkStep, payoutEvent, STEP_EVENT, STEPS, type PayoutStep } from './payouts.domain.js';
import { batchCsv } from './payouts.csv.js';
import { pain001 } from './payouts.pain001.js';
import * as repo from './payouts.repo.js';
import type { PayoutRow } from './payouts.repo.js';
import * as batches from './payouts.batches.repo.js';
import type { BatchRow } from './payouts.batches.repo.js';
import type { PayoutsDeps } from './payouts.ports.js';

/** A step an operator takes on one payout. */
export type SingleStep = Exclude<PayoutStep, 'export'>;

async function moveHeldMoney(deps: PayoutsDeps, tx: Queryable, p: PayoutRow, step: SingleStep) {
  const { money } = STEPS[step];
  if (money === 'keep') return;
  const hold = await deps.accounts.systemAccount(tx, 'payout_hold', p.currency);
  const to =
    money === 'pay' ? await deps.accounts.systemAccount(tx, 'clearing', p.currency) : p.accountId;
  await deps.accounts.transfer(tx, {
    kind: money === 'pay' ? 'payout_paid' : 'payout_return',
    reference: p.id,
    legs: [
      { accountId: hold, amount: -p.amount },
      { accountId: to, amount: p.amount },
    ],
  });
}

/**
 * Takes `step` on payout `id`.
 * @throws BANK_PAYOUT_NOT_FOUND, BANK_PAYOUT_STATE
 */
export function takeStep(
  deps: PayoutsDeps,
  actor: OperatorActor,
  id: string,
  step: SingleStep,
  reason: string,
): Promise<PayoutRow> {
  return retryingTransaction(deps.db, async (tx) => {
    const p = await repo.findPayout(tx, id, true);
    if (!p) bankFail('BANK_PAYOUT_NOT_FOUND', 'No payout has this id', { payoutId: id });
    const s = checkStep(id, p.state, step);
    const at = deps.now();
    await repo.moveState(tx, { id, from: s.from, to: s.to, at, operatorId: actor.id, reason });
    await moveHeldMoney(deps, tx, p, step);
    await deps.record(tx, actor, {
      action: `payout.${s.to}`,
      target: `payout:${id}`,
      reason,
      data: { userId: p.userId, amountMinor: p.amount.toString(), currency: p.currency },
    });
    const after = (await repo.findPayout(tx, id)) as PayoutRow;
    // The operator's reason for a decision is the customer's to read (GET /v1/payouts shows it).
    const shown = step === 'approve' || step === 'refuse' ? reason : null;
    await deps.outbox?.enqueue(
      tx,
      { userId: p.userId },
      STEP_EVENT[step],
      payoutEvent(after, shown),
    );
    return after;
  });
}

/**
 * Puts the oldest approved payouts of `currency` (at most {@link PAYOUT_BATCH_MAX}) into a new
 * batch, in flight. @throws BANK_PAYOUT_BATCH_EMPTY
 */
export function exportBatch(
  deps: PayoutsDeps,
  actor: OperatorActor,
  currency: string,
  reason: string,
): Promise<BatchRow> {
  return retryingTransaction(deps.db, async (tx) => {
    const approved = await batches.lockApproved(tx, currency, PAYOUT_BATCH_MAX);
    if (approved.length === 0) {
      bankFail('BANK_PAYOUT_BATCH_EMPTY', `No approved ${currency} payout waits for export`, {
        currency,
      });
    }
    const id = randomUUID();
    // MsgId ≤ 35 characters (pain.001 Max35Text): "OFFPAY" and the batch id's 29 first hex digits.
    const messageId = `OFFPAY${id.replaceAll('-', '').slice(0, 29)}`;
    const total = approved.reduce((sum, p) => sum + p.amount, 0n);
    const at = deps.now();
    const payoutIds = approved.map((p) => p.id);
    await batches.insertBatch(tx, {
      id,
      messageId,
      currency,
      payoutIds,
      total,
      operatorId: actor.id,
      reason,
      at,
    });
    await deps.record(tx, actor, {
      action: 'payout.exported',
      target: `payout_batch:${id}`,
      reason,
      data: { currency, payouts: payoutIds.length, totalMinor: total.toString(), messageId },
    });
    return { id, messageId, currency, payouts: payoutIds.length, total, createdAt: at };
  });
}

/**
 * Batch `id` as a file: its pain.001 document or its CSV (audited as a read: it names accounts
 * and amounts). @throws BANK_PAYOUT_BATCH_NOT_FOUND
 */
export function batchFile(
  deps: PayoutsDeps,
  actor: OperatorActor,
  id: string,
  format: 'pain.001' | 'csv',
): Promise<string> {
  return deps.db.transaction(async (tx) => {
    const batch = await batches.findBatch(tx, id);
    if (!batch)
      bankFail('BANK_PAYOUT_BATCH_NOT_FOUND', 'No payout batch has this id', { batchId: id });
    await deps.record(tx, actor, {
      action: 'operator.read',
      target: `payout_batch:${id}`,
      data: { format },
    });
    const transfers = (await batches.batchPayouts(tx, id)).map((p) => ({
      payoutId: p.id,
      endToEndId: p.id.replaceAll('-', ''),
      amount: p.amount,
      creditorName: p.holderName,
      creditorIban: p.iban,
      remittance: `offpay payout ${p.id}`,
    }));
    if (format === 'csv') return batchCsv(batch.currency, transfers);
    return pain001({
      messageId: batch.messageId,
      createdAt: batch.createdAt,
      executionDate: batch.createdAt.toISOString().slice(0, 10),
      currency: batch.currency,
      debtor: deps.debtor,
      transfers,
    });
  });
}
