/** Accounts and money movement: the only way money moves in the bank is {@link AccountsService.transfer}. */
import type { Database, Queryable } from '../../db/queryable.js';
import {
  checkAgainstBalances,
  netTransfer,
  type AccountKind,
  type TransferRequest,
} from './accounts.domain.js';
import {
  ensureSystemAccount,
  insertAccount,
  insertTransfer,
  listHistory,
  listUserAccounts,
  lockAccounts,
  type AccountBalance,
  type HistoryRow,
} from './accounts.repo.js';

/** Accounts and the ledger. */
export interface AccountsService {
  /**
   * Moves money inside the caller's transaction `tx`: validates and nets the legs, locks the
   * accounts (sorted, FOR UPDATE), refuses overdrafts of every account but issuance, and writes
   * one transfer with its postings. Commit or roll back with the rest of the caller's work.
   * @throws BANK_TRANSFER_INVALID, BANK_TRANSFER_UNBALANCED, BANK_ACCOUNT_NOT_FOUND,
   * BANK_CURRENCY_MISMATCH, BANK_INSUFFICIENT_FUNDS; a unique violation
   * `transfers_kind_reference_key` when this (kind, reference) already moved money.
   */
  transfer(tx: Queryable, req: TransferRequest): Promise<{ transferId: bigint; currency: string }>;
  /** Opens a user's customer account in `currency` inside `tx`. */
  openCustomerAccount(tx: Queryable, userId: string, currency: string): Promise<string>;
  /** The bank's own account of `kind` in `currency`, created on first use, inside `tx`. */
  systemAccount(
    tx: Queryable,
    kind: Exclude<AccountKind, 'customer'>,
    currency: string,
  ): Promise<string>;
  /** A user's accounts with balances. */
  accountsOf(userId: string): Promise<AccountBalance[]>;
  /** A user's postings, newest first, paged by posting id. */
  historyOf(userId: string, page: { limit: number; before: bigint | null }): Promise<HistoryRow[]>;
}

/** Builds the accounts service. */
export function createAccountsService(deps: { db: Database }): AccountsService {
  return {
    async transfer(tx, req) {
      const net = netTransfer(req);
      const accounts = await lockAccounts(tx, [...net.keys()]);
      const currency = checkAgainstBalances(net, accounts);
      const transferId = await insertTransfer(tx, {
        kind: req.kind,
        reference: req.reference,
        currency,
        postings: net,
      });
      return { transferId, currency };
    },
    openCustomerAccount: (tx, userId, currency) =>
      insertAccount(tx, { userId, kind: 'customer', currency }),
    systemAccount: (tx, kind, currency) => ensureSystemAccount(tx, kind, currency),
    accountsOf: (userId) => listUserAccounts(deps.db, userId),
    historyOf: (userId, page) => listHistory(deps.db, userId, page),
  };
}
