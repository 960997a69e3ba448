/**
 * What the wallet's screens share: its routes and its session — the open database, the unlocked
 * vault and the bank session (token in memory only: a reload means unlocking, and signing in to
 * the bank, again). Screens import this, never app.ts (which imports the screens).
 */
import type { BankSession, ScreenCtx, Vault } from '@offpay/app-kit';
import type { HistoryItem, WalletDb } from './db.js';
import type { PreparedPayment } from './state/pay.js';

/** Every screen of the wallet and what it needs to open. */
export type Route =
  | { to: 'setup' }
  | { to: 'unlock' }
  | { to: 'enroll'; renew?: boolean }
  | { to: 'home' }
  | { to: 'pay' }
  | { to: 'confirm'; prepared: PreparedPayment }
  | { to: 'payment'; item: HistoryItem; alreadyPaid?: boolean }
  | { to: 'history' }
  | { to: 'sync' }
  | { to: 'settings' };

/** The session the screens share. */
export interface Wallet {
  readonly db: WalletDb;
  readonly bank: BankSession;
  vault: Vault | undefined;
  /** The unlocked vault. @throws AppError APP_VAULT_LOCKED */
  unlocked(): Vault;
  /** Quietly refreshes the revocation list and bank time when online (never throws). */
  refresh(): void;
}

/** What a wallet screen is given. */
export type Ctx = ScreenCtx<Route, Wallet>;
