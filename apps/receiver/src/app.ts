/**
 * The till's screens and its session: the open database, the unlocked vault and enrolled till,
 * the bank session (token in memory only — gone on reload) and the ledger alarm of the last check.
 */
import {
  BankSession,
  describeError,
  startShell,
  type ScreenCtx,
  type Screens,
  type Shell,
  type Vault,
} from '@offpay/app-kit';
import type { StoredRequest, TillDb } from './db.js';
import { homeScreen } from './screens/home.js';
import { ledgerScreen } from './screens/ledger.js';
import { acceptedScreen, requestScreen, waitingScreen } from './screens/request.js';
import { settingsScreen } from './screens/settings.js';
import { settleScreen } from './screens/settle.js';
import { enrollScreen, setupScreen, unlockScreen } from './screens/setup.js';
import { checkLedger } from './state/ledger.js';
import { refreshTill } from './state/fraud.js';
import type { Accepted } from './state/accept.js';
import type { Till } from './state/till.js';

/** Every screen of the till and what it needs to open. */
export type Route =
  | { to: 'setup' | 'unlock' | 'enroll' | 'home' | 'request' | 'ledger' | 'settle' | 'settings' }
  | { to: 'waiting'; request: StoredRequest }
  | { to: 'accepted'; accepted: Accepted };

/** The session the screens share. */
export interface TillApp {
  readonly db: TillDb;
  readonly bank: BankSession;
  vault: Vault | undefined;
  till: Till | undefined;
  /** Set when the last ledger check failed: shown on Home. */
  ledgerAlarm: { title: string; text: string } | undefined;
  /** Quietly refreshes from the bank when online (never throws). */
  refresh(): void;
}

/** What a till screen is given. */
export type Ctx = ScreenCtx<Route, TillApp>;

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
  settings: settingsScreen,
};

/** Runs the ledger integrity check and keeps its alarm for Home. */
export async function checkLedgerQuietly(app: TillApp): Promise<number | undefined> {
  if (!app.till) return undefined;
  try {
    const entries = (await checkLedger(app.db, app.till)).length;
    app.ledgerAlarm = undefined;
    return entries;
  } catch (e) {
    const { title, text } = describeError(e);
    app.ledgerAlarm = { title: `Ledger damaged: ${title}`, text };
    return undefined;
  }
}

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
      if (navigator.onLine && app.till) await refreshTill(db, await app.bank.client());
    },
  });
  return shell;
}
