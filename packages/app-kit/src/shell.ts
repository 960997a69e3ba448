/**
 * The shell both apps run in. The router opens one screen at a time: it runs the clean-ups of the
 * screen being left (camera, QR animation), ignores a slow screen's render once the user has moved
 * on (the stale-render guard), shows a screen that failed in plain words with one way out, and
 * moves focus to each new screen's heading. The header carries the app's name, a Home button
 * (not on Home, nor before the app is open) and the online badge; under it a status line says
 * when the quiet refresh from the bank failed.
 */
import { isAppError } from '@offpay/protocol';
import { errorNotice } from './exchange.js';
import { button } from './forms.js';
import { h, notice, onlineBadge, showScreen, type Child } from './ui.js';
import { describeError } from './wording.js';

/** A screen and what it needs to open. */
export interface Route {
  to: string;
}

/** What a screen is given. */
export interface ScreenCtx<R extends Route, A> {
  /** The app's session (database, vault, bank session…). */
  readonly app: A;
  /** Leaves this screen for `route`. */
  go(route: R): void;
  /** Shows this screen (heading + body), unless the user has already moved on. */
  show(title: string, ...body: Child[]): void;
  /** Registers a clean-up run when this screen is left (at once if it already was). */
  onLeave(stop: () => void): void;
}

/** Each screen by its route's name: `screens[route.to](ctx, route)` renders it. */
export type Screens<R extends Route, A> = {
  [T in R['to']]: (ctx: ScreenCtx<R, A>, route: Extract<R, { to: T }>) => unknown;
};

/** Screens before the app is open, and Home itself: no Home button there. */
const NO_HOME: readonly string[] = ['setup', 'unlock', 'enroll', 'home'];

/**
 * How an app's screens are wired. Every app has the routes `home` and `unlock` (and `setup`,
 * `enroll` before it is open).
 */
export interface ShellOptions<R extends Route, A> {
  root: HTMLElement;
  app: A;
  screens: Screens<R, A>;
  /** False where the header shows no Home button; by default Home and the screens before it. */
  showsHome?: (route: R) => boolean;
  /** The quiet refresh from the bank (revocations, bank time…), run when the device comes online. */
  refresh?: () => Promise<void>;
}

/** The running shell. */
export interface Shell<R extends Route> {
  /** Opens `route`; resolves once it is shown (or its failure is). */
  open(route: R): Promise<void>;
  go(route: R): void;
  /** Runs the quiet refresh now (once at a time); its failure shows in the status line. */
  refresh(): void;
}

/** The header's Home button and badge, and the status line (made here when the page has none). */
function chrome(root: HTMLElement): { home: HTMLButtonElement; status: HTMLElement } {
  let header = document.querySelector('.app-header');
  if (!header) {
    header = h('header', { class: 'app-header' });
    root.before(header);
  }
  const home = h('button', { type: 'button', class: 'btn-link', hidden: true }, 'Home');
  header.append(h('nav', { 'aria-label': 'App' }, home), onlineBadge());
  let status = document.querySelector<HTMLElement>('#bank-status');
  if (!status) {
    status = h('div', { id: 'bank-status', class: 'bank-status' });
    root.before(status);
  }
  return { home, status };
}

/** The quiet refresh, once at a time; its failure becomes the status line's words. */
function refresher(status: HTMLElement, run: (() => Promise<void>) | undefined): () => void {
  let refreshing: Promise<void> | undefined;
  return () => {
    if (!run || refreshing) return;
    refreshing = run().then(
      () => status.replaceChildren(),
      (e: unknown) => {
        const words = `${describeError(e).text} Paying and taking payments offline still work.`;
        status.replaceChildren(notice('info', 'Could not refresh from the bank', words));
      },
    );
    void refreshing.finally(() => (refreshing = undefined));
  };
}

/** Starts the shell on `options.root`. */
export function startShell<R extends Route, A>(options: ShellOptions<R, A>): Shell<R> {
  const { root, app } = options;
  const { home, status } = chrome(root);
  const homeRoute = { to: 'home' } as R;
  const showsHome = options.showsHome ?? ((r: R) => !NO_HOME.includes(r.to));
  let current = 0;
  let cleanups: (() => void)[] = [];

  // A screen that failed: locked keys lead to Unlock, anything else Home.
  const failed = (e: unknown): void => {
    const locked = isAppError(e, 'APP_VAULT_LOCKED');
    const out = locked
      ? { route: { to: 'unlock' } as R, label: 'Unlock' }
      : { route: homeRoute, label: 'Home' };
    const leave = button(out.label, () => go(out.route), 'primary');
    showScreen(root, 'Something went wrong', errorNotice(e), h('div', { class: 'actions' }, leave));
  };

  const open = (route: R): Promise<void> => {
    for (const stop of cleanups) stop();
    cleanups = [];
    const id = ++current;
    home.hidden = !showsHome(route);
    const ctx: ScreenCtx<R, A> = {
      app,
      go,
      show: (title, ...body) => {
        if (id === current) showScreen(root, title, ...body);
      },
      onLeave: (stop) => {
        if (id === current) cleanups.push(stop);
        else stop();
      },
    };
    const screen = options.screens[route.to as R['to']] as (c: typeof ctx, r: R) => unknown;
    return Promise.resolve()
      .then(() => screen(ctx, route))
      .then(
        () => undefined,
        (e: unknown) => {
          if (id === current) failed(e);
        },
      );
  };

  const go = (route: R): void => void open(route);
  const refresh = refresher(status, options.refresh);
  home.addEventListener('click', () => go(homeRoute));
  window.addEventListener('online', refresh);
  return { open, go, refresh };
}

declare global {
  interface Window {
    /** Set once the first screen is shown (the e2e suite waits for it). */
    __offpay?: { ready: boolean };
  }
}

/**
 * Boots an app on `#app`: `start` opens its database and first screen; a failure shows why the
 * app cannot start. `window.__offpay.ready` is set either way.
 */
export async function boot(appName: string, start: (root: HTMLElement) => Promise<void>) {
  const root = document.querySelector<HTMLElement>('#app');
  if (!root) return;
  try {
    await start(root);
  } catch (e) {
    showScreen(root, `The ${appName} cannot start`, errorNotice(e));
  } finally {
    window.__offpay = { ready: true };
  }
}
