/**
 * What every screen is given: the database, the unlocked vault and the in-memory bank token, and
 * a way to move to another screen. The passphrase-derived key and the token live only here, in
 * memory: a reload means unlocking (and signing in to the bank) again.
 */
import type { AppDb, BankClient, Child, Vault } from '@offpay/app-kit';
import type { HistoryItem } from './state/history.js';
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

/** The session shared by the screens. */
export interface Session {
  readonly root: HTMLElement;
  readonly db: AppDb;
  vault: Vault | undefined;
  /** The bank's access token after a login: memory only, never stored. */
  token: string | undefined;
}

/** One screen's view of the app: the session, navigation, and a render that ignores stale calls. */
export interface Ctx extends Session {
  go(route: Route): void;
  /** Replaces the screen (heading + body), unless the user has already moved on. */
  show(title: string, ...body: Child[]): void;
  /** Registers cleanup (camera, QR animation) run when leaving this screen. */
  onLeave(stop: () => void): void;
  /** The unlocked vault. @throws AppError APP_VAULT_LOCKED */
  unlocked(): Vault;
  /** A client for the bank address stored in state. */
  bank(): Promise<BankClient>;
  /** Quietly refreshes the revocation list and bank time when online (never throws). */
  refresh(): void;
}
