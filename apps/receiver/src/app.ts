/**
 * The till's shell: each screen by its route, and the session the screens share (ctx.ts) started
 * on the open database.
 */
import { BankSession, startShell, type Screens, type Shell } from '@offpay/app-kit';
import type { Route, TillApp } from './ctx.js';
import type { TillDb } from './db.js';
import { homeScreen } from './screens/home.js';
import { ledgerScreen } from './screens/ledger.js';
import { refundScreen } from './screens/refund.js';
import { acceptedScreen, requestScreen, waitingScreen } from './screens/request.js';
import { settingsScreen } from './screens/settings.js';
import { settleScreen } from './screens/settle.js';
import { enrollScreen, setupScreen, unlockScreen } from './screens/setup.js';
import { followTillKeys } from './state/bank-keys.js';
import { refreshTill } from './state/fraud.js';

/** Each screen by its route. */
const SCREENS: Screens<Route, TillApp> = {
  setup: setupScreen,
  unlock: unlockScreen,
  enroll: enrollScreen,
  home: homeScreen,
  request: requestScreen,
  waiting: (ctx, route) => waitingScreen(ctx, route.request),
  accepted: (ctx, route) => acceptedScreen(ctx, route.accepted),
  ledger: ledgerScreen,
  settle: settleScreen,
  refund: (ctx, route) => refundScreen(ctx, route.row),
  settings: settingsScreen,
};

/** Starts the till's shell on `root`. */
export function startTill(root: HTMLElement, db: TillDb): Shell<Route> {
  const app: TillApp = {
    db,
    bank: new BankSession(db),
    vault: undefined,
    till: undefined,
    ledgerAlarm: undefined,
    refresh: () => shell.refresh(),
  };
  const shell = startShell<Route, TillApp>({
    root,
    app,
    screens: SCREENS,
    refresh: async () => {
      if (!navigator.onLine || !app.till) return;
      const client = await app.bank.client();
      app.till = await followTillKeys(db, app.till, client);
      await refreshTill(db, client);
    },
  });
  return shell;
}
