/**
 * The running till: the open database, the unlocked vault and enrolled till, what lives in memory
 * only (the bank token), and navigation between screens. Screens receive this object; they never
 * import one another, so the routes live in one table (main.ts).
 */
import { BankClient, errorNotice, type AppDb, type Vault } from '@offpay/app-kit';
import { bankUrl, type Till } from './state/store.js';

/** Every screen of the till. */
export type Route =
  'setup' | 'unlock' | 'enroll' | 'home' | 'request' | 'ledger' | 'settle' | 'settings';

/** A plain-words line to show on Home. */
export interface Alarm {
  title: string;
  text: string;
}

export interface App {
  readonly root: HTMLElement;
  readonly db: AppDb;
  vault: Vault | undefined;
  till: Till | undefined;
  /** The bank's access token after a login: memory only, gone on reload. */
  token: string | undefined;
  /** Set when the ledger check at unlock failed. */
  ledgerAlarm: Alarm | undefined;
  /** The last quiet refresh's failure, shown as a small info line. */
  refreshNote: string | undefined;
  /** A client for the bank address the user set. */
  bank(): Promise<BankClient>;
  /** Leaves the current screen (stopping its camera and timers) and shows `route`. */
  go(route: Route): void;
  /** Leaves the current screen and renders another one that is not a route of its own. */
  show(render: (app: App) => void | Promise<void>): void;
  /** Resolves once the screen being shown has rendered. */
  idle(): Promise<void>;
  /** Registers a clean-up to run when the current screen is left. */
  onLeave(stop: () => void): void;
}

/** The app object over a database; `routes` renders each screen. */
export function createApp(
  root: HTMLElement,
  db: AppDb,
  routes: Record<Route, (app: App) => void | Promise<void>>,
  onNavigate: (app: App, route: Route) => void,
): App {
  let leaving: (() => void)[] = [];
  let rendering: Promise<void> = Promise.resolve();
  const app: App = {
    root,
    db,
    vault: undefined,
    till: undefined,
    token: undefined,
    ledgerAlarm: undefined,
    refreshNote: undefined,
    async bank() {
      return new BankClient(await bankUrl(db));
    },
    go(route) {
      onNavigate(app, route);
      app.show(routes[route]);
    },
    show(render) {
      const stops = leaving;
      leaving = [];
      for (const stop of stops) stop();
      rendering = Promise.resolve()
        .then(() => render(app))
        .catch((e: unknown) => {
          // A screen that fails to render shows why instead of a blank page.
          root.replaceChildren(errorNotice(e));
        });
    },
    idle() {
      return rendering;
    },
    onLeave(stop) {
      leaving.push(stop);
    },
  };
  return app;
}
