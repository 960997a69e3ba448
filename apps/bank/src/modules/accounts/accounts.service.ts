/** Accounts and money movement: the only way money moves in the bank is {@link AccountsService.transfer}. */
import { ACCOUNTS_MAX } from '@offpay/api';
import type { Database, Queryable } from '../../db/queryable.js';
import { afterCommit } from '../../kv/after-commit.js';
import type { Cache } from '../../kv/kv.js';
import type { ReadThroughCache } from '../../kv/read-through.js';
import { balanceCache } from './accounts.cache.js';
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
  ownersOf,
  type AccountBalance,
  type HistoryRow,
  type TransferRows,
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
  /**
   * Everything {@link transfer} does but the write: validates and nets the legs, checks them
   * against the balances `lock` took in `tx` (locking any account not held yet) and applies them
   * there, and invalidates the owners' cached balances after COMMIT. The caller MUST then write
   * the returned rows in `tx` (accounts.repo.ts `transferWrites`, inside its own statement), or
   * fail the transaction: the balances held here already count them.
   * @throws the codes of {@link transfer} except the unique violation, raised by the write.
   */
  prepare(tx: Queryable, req: TransferRequest): Promise<TransferRows>;
  /**
   * Locks the balance rows of `accountIds` FOR UPDATE in ONE statement, in ascending id order,
   * and returns their balances. A caller that will make several transfers takes every lock here
   * first, so two such callers never hold some of each other's accounts (docs/operations.md
   * "Concurrency"); the transfers then lock rows this transaction already holds.
   */
  lock(tx: Queryable, accountIds: readonly string[]): Promise<Map<string, bigint>>;
  /** Opens a user's customer account in `currency` inside `tx`. */
  openCustomerAccount(tx: Queryable, userId: string, currency: string): Promise<string>;
  /** The bank's own account of `kind` in `currency`, created on first use, inside `tx`. */
  systemAccount(
    tx: Queryable,
    kind: Exclude<AccountKind, 'customer'>,
    currency: string,
  ): Promise<string>;
  /** A user's accounts with balances (the first {@link ACCOUNTS_MAX}: one or two per currency). */
  accountsOf(userId: string): Promise<AccountBalance[]>;
  /** A user's postings, newest first, paged by posting id. */
  historyOf(userId: string, page: { limit: number; before: bigint | null }): Promise<HistoryRow[]>;
  /**
   * Invalidates now the cached balances of the owners of `accountIds`: for work committed by an
   * instance that may have died between its COMMIT and its own invalidation (a replayed
   * settlement). Never rejects.
   */
  forgetBalances(accountIds: readonly string[]): Promise<void>;
}

/** A balance row locked by this transaction, with its owner. */
type LockedRow = Awaited<ReturnType<typeof lockAccounts>>[number];

/** Invalidates the cached balances of `userIds` once `tx` commits. */
async function invalidateAfterCommit(
  balances: ReadThroughCache<AccountBalance[]> | null,
  tx: Queryable,
  userIds: Iterable<string | null>,
): Promise<void> {
  if (!balances) return;
  const users = [...new Set(userIds)].filter((u): u is string => u !== null);
  await afterCommit(tx, async () => {
    await Promise.all(users.map((u) => balances.invalidate(u)));
  });
}

/**
 * Builds the accounts service. With `cache`, GET /v1/accounts/me reads balances through it; every
 * transfer invalidates its accounts' owners after COMMIT (on a database wrapped by trackCommits).
 */
export function createAccountsService(deps: { db: Database; cache?: Cache }): AccountsService {
  const balances = deps.cache ? balanceCache(deps.cache) : null;
  // The rows `lock` took in each transaction, with their balances as this transaction moved them:
  // a transfer over accounts all held here needs no second lock statement (the rows cannot change
  // under our lock but through this service's transfers, which update them below). Only `lock`
  // fills it, and its one caller (settlement) moves money through `transfer` alone, no savepoints.
  const held = new WeakMap<Queryable, Map<string, LockedRow>>();
  const heldFor = (tx: Queryable, ids: readonly string[]): LockedRow[] | null => {
    const rows = held.get(tx);
    if (!rows) return null;
    const out: LockedRow[] = [];
    for (const id of ids) {
      const r = rows.get(id);
      if (!r) return null;
      out.push(r);
    }
    return out;
  };
  const prepare = async (tx: Queryable, req: TransferRequest): Promise<TransferRows> => {
    const net = netTransfer(req);
    const ids = [...net.keys()];
    const accounts = heldFor(tx, ids) ?? (await lockAccounts(tx, ids));
    const currency = checkAgainstBalances(net, accounts);
    const rows = held.get(tx);
    if (rows)
      for (const a of accounts) {
        const r = rows.get(a.id);
        if (r) rows.set(a.id, { ...r, balance: r.balance + (net.get(a.id) ?? 0n) });
      }
    await invalidateAfterCommit(
      balances,
      tx,
      accounts.map((a) => a.userId),
    );
    return { kind: req.kind, reference: req.reference, currency, postings: net };
  };
  return {
    async transfer(tx, req) {
      const rows = await prepare(tx, req);
      const transferId = await insertTransfer(tx, rows);
      return { transferId, currency: rows.currency };
    },
    prepare,
    async lock(tx, accountIds) {
      const locked = await lockAccounts(tx, [...new Set(accountIds)]);
      const rows = held.get(tx) ?? new Map<string, LockedRow>();
      for (const a of locked) rows.set(a.id, a);
      held.set(tx, rows);
      return new Map(locked.map((a) => [a.id, a.balance]));
    },
    async openCustomerAccount(tx, userId, currency) {
      const id = await insertAccount(tx, { userId, kind: 'customer', currency });
      await invalidateAfterCommit(balances, tx, [userId]);
      return id;
    },
    systemAccount: (tx, kind, currency) => ensureSystemAccount(tx, kind, currency),
    accountsOf: (userId) =>
      balances
        ? balances.get(userId, () => listUserAccounts(deps.db, userId, ACCOUNTS_MAX))
        : listUserAccounts(deps.db, userId, ACCOUNTS_MAX),
    historyOf: (userId, page) => listHistory(deps.db, userId, page),
    async forgetBalances(accountIds) {
      if (!balances) return;
      const owners = await ownersOf(deps.db, accountIds).catch(() => []);
      await Promise.all(owners.map((u) => balances.invalidate(u)));
    },
  };
}
