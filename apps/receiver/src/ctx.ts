/**
 * What the till's screens share: its routes and its session — the open database, the unlocked
 * vault and enrolled till, the bank session (token in memory only: gone on reload) and the ledger
 * alarm of the last check. Screens import this, never app.ts (which imports the screens).
 */
import { describeError, type BankSession, type ScreenCtx, type Vault } from '@offpay/app-kit';
import type { StoredRequest, TillDb } from './db.js';
import type { Accepted } from './state/accept.js';
import { checkLedger, type LedgerRow } from './state/ledger.js';
import type { Till } from './state/till.js';

/** Every screen of the till and what it needs to open. */
export type Route =
  | { to: 'setup' | 'unlock' | 'enroll' | 'home' | 'request' | 'ledger' | 'settle' | 'settings' }
  | { to: 'waiting'; request: StoredRequest }
  | { to: 'accepted'; accepted: Accepted }
  | { to: 'refund'; row: LedgerRow };

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
