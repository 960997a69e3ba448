/**
 * The wallet's screens and its session: the open database, the unlocked vault and the bank session
 * (token in memory only — a reload means unlocking, and signing in to the bank, again).
 */
import {
  AppError,
  BankSession,
  refreshRevocations,
  startShell,
  type ScreenCtx,
  type Screens,
  type Shell,
  type Vault,
} from '@offpay/app-kit';
import type { HistoryItem, WalletDb } from './db.js';
import { confirmScreen } from './screens/confirm.js';
import { enrollScreen } from './screens/enroll.js';
import { historyScreen } from './screens/history.js';
import { homeScreen } from './screens/home.js';
import { payScreen } from './screens/pay.js';
import { paymentScreen } from './screens/payment.js';
import { settingsScreen } from './screens/settings.js';
import { setupScreen, unlockScreen } from './screens/setup.js';
import { syncScreen } from './screens/sync.js';
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

/** Each screen by its route. */
const SCREENS: Screens<Route, Wallet> = {
  setup: setupScreen,
  unlock: unlockScreen,
  enroll: (ctx, route) => enrollScreen(ctx, route.renew ?? false),
  home: homeScreen,
  pay: payScreen,
  confirm: (ctx, route) => confirmScreen(ctx, route.prepared),
  payment: (ctx, route) => paymentScreen(ctx, route.item, route.alreadyPaid ?? false),
  history: historyScreen,
  sync: syncScreen,
  settings: settingsScreen,
};

/** Screens without the header's Home: before the wallet is open, Home, and a finished payment. */
function showsHome(route: Route): boolean {
  if (route.to === 'payment') return !route.item.receipt;
  return !['setup', 'unlock', 'enroll', 'home'].includes(route.to);
}

/** Starts the wallet's shell on `root`. */
export function startWallet(root: HTMLElement, db: WalletDb): Shell<Route> {
  const wallet: Wallet = {
    db,
    bank: new BankSession(db),
    vault: undefined,
    unlocked() {
      if (!wallet.vault) throw new AppError('APP_VAULT_LOCKED');
      return wallet.vault;
    },
    refresh: () => shell.refresh(),
  };
  const shell = startShell<Route, Wallet>({
    root,
    app: wallet,
    screens: SCREENS,
    showsHome,
    refresh: async () => {
      if (navigator.onLine && wallet.vault)
        await refreshRevocations(db, await wallet.bank.client());
    },
  });
  return shell;
}
