/**
 * The wallet's shell: each screen by its route, and the session the screens share (ctx.ts)
 * started on the open database.
 */
import {
  AppError,
  BankSession,
  followBankKeys,
  refreshRevocations,
  startShell,
  type Screens,
  type Shell,
} from '@offpay/app-kit';
import type { Route, Wallet } from './ctx.js';
import type { WalletDb } from './db.js';
import { confirmScreen } from './screens/confirm.js';
import { enrollScreen } from './screens/enroll.js';
import { historyScreen } from './screens/history.js';
import { homeScreen } from './screens/home.js';
import { payScreen } from './screens/pay.js';
import { paymentScreen } from './screens/payment.js';
import { settingsScreen } from './screens/settings.js';
import { setupScreen, unlockScreen } from './screens/setup.js';
import { syncScreen } from './screens/sync.js';

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
      if (!navigator.onLine || !wallet.vault) return;
      const client = await wallet.bank.client();
      // The bank's key announcements first: the list may be signed by a key it just announced.
      await followBankKeys(db, client);
      await refreshRevocations(db, client);
    },
  });
  return shell;
}
