/**
 * What customers and merchants do with payouts: register a payout account (IBAN checked), and
 * request a payout — its amount moved at once from their account to the payout-hold account, in
 * the transaction that records the request, so money held can never be spent or paid out again
 * and the balance never goes below zero (the transfer refuses an overdraft).
 */
import { PAYOUT_ACCOUNTS_MAX } from '@offpay/api';
import type { Queryable } from '../../db/queryable.js';
import { retryingTransaction } from '../../db/retry.js';
import { bankFail } from '../../errors.js';
import { normalizeIban, payoutEvent } from './payouts.domain.js';
import * as repo from './payouts.repo.js';
import type { PayoutAccountRow, PayoutRow } from './payouts.repo.js';
import type { PayoutsDeps } from './payouts.ports.js';

/** A payout request. */
export interface PayoutRequest {
  payoutAccountId: string;
  amount: bigint;
  currency: string;
}

/**
 * Registers `iban` for `userId` (the same IBAN again answers the first registration).
 * @throws BANK_IBAN_INVALID, BANK_PAYOUT_ACCOUNTS_LIMIT
 */
export async function registerAccount(
  deps: PayoutsDeps,
  userId: string,
  input: { iban: string; holderName: string },
): Promise<PayoutAccountRow> {
  const iban = normalizeIban(input.iban);
  return deps.db.transaction(async (tx) => {
    await repo.lockUser(tx, userId);
    const existing = await repo.listPayoutAccounts(tx, userId, PAYOUT_ACCOUNTS_MAX + 1);
    const same = existing.find((a) => a.iban === iban);
    if (same) return same;
    if (existing.length >= PAYOUT_ACCOUNTS_MAX) {
      bankFail('BANK_PAYOUT_ACCOUNTS_LIMIT', 'You have the most payout accounts allowed', {
        limit: PAYOUT_ACCOUNTS_MAX,
      });
    }
    const created = (await repo.insertPayoutAccount(tx, {
      userId,
      iban,
      holderName: input.holderName,
      at: deps.now(),
    })) as PayoutAccountRow;
    await deps.audit.append(tx, {
      actor: `user:${userId}`,
      action: 'payout_account.registered',
      data: { payoutAccountId: created.id, iban },
    });
    return created;
  });
}

function sameRequest(p: PayoutRow, req: PayoutRequest): boolean {
  return (
    p.payoutAccountId === req.payoutAccountId &&
    p.amount === req.amount &&
    p.currency === req.currency
  );
}

/** The payout stored under `key`, when it is this request. @throws BANK_IDEMPOTENCY_KEY_REUSED */
function repeated(p: PayoutRow, req: PayoutRequest): PayoutRow {
  if (!sameRequest(p, req)) {
    bankFail('BANK_IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key named another payout', {
      payoutId: p.id,
    });
  }
  return p;
}

async function hold(
  deps: PayoutsDeps,
  tx: Queryable,
  userId: string,
  key: string,
  req: PayoutRequest,
): Promise<PayoutRow> {
  const before = await repo.findByKey(tx, userId, key);
  if (before) return repeated(before, req);
  const accounts = await repo.listPayoutAccounts(tx, userId, PAYOUT_ACCOUNTS_MAX);
  if (!accounts.some((a) => a.id === req.payoutAccountId))
    bankFail('BANK_PAYOUT_ACCOUNT_NOT_FOUND', 'You have no payout account with this id');
  const accountId = await repo.customerAccount(tx, userId, req.currency);
  if (!accountId) bankFail('BANK_ACCOUNT_NOT_FOUND', `You have no ${req.currency} account`);
  const id = await repo.insertPayout(tx, { ...req, userId, accountId, key, at: deps.now() });
  // null: a concurrent request with this key committed first (the unique index waited for it).
  if (!id) return repeated((await repo.findByKey(tx, userId, key)) as PayoutRow, req);
  const holdAccount = await deps.accounts.systemAccount(tx, 'payout_hold', req.currency);
  // BANK_INSUFFICIENT_FUNDS here rolls the request back with the rest of the transaction.
  await deps.accounts.transfer(tx, {
    kind: 'payout_hold',
    reference: id,
    legs: [
      { accountId, amount: -req.amount },
      { accountId: holdAccount, amount: req.amount },
    ],
  });
  await deps.audit.append(tx, {
    actor: `user:${userId}`,
    action: 'payout.requested',
    data: { payoutId: id, amountMinor: req.amount.toString(), currency: req.currency },
  });
  const created = (await repo.findPayout(tx, id)) as PayoutRow;
  await deps.outbox?.enqueue(tx, { userId }, 'payout.requested', payoutEvent(created, null));
  return created;
}

/**
 * Requests a payout, idempotent by `key`: the amount is held at once.
 * @throws BANK_PAYOUT_ACCOUNT_NOT_FOUND, BANK_ACCOUNT_NOT_FOUND, BANK_INSUFFICIENT_FUNDS,
 * BANK_IDEMPOTENCY_KEY_REUSED
 */
export function requestPayout(
  deps: PayoutsDeps,
  userId: string,
  key: string,
  req: PayoutRequest,
): Promise<PayoutRow> {
  return retryingTransaction(deps.db, (tx) => hold(deps, tx, userId, key, req));
}
