/**
 * The shell both apps run in. The router opens one screen at a time: it runs the clean-ups of the
 * screen being left (camera, QR animation), ignores a slow screen's render once the user has moved
 * on (the stale-render guard), shows a screen that failed in plain words with one way out, and
 * moves focus to each new screen's heading. The header carries the app's name, a Home button
 * (not on Home, nor before the app is open) and the online badge; under it a status line says
 * when the quiet refresh from the bank failed.
 */
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

/** How an app's screens are wired. */
export interface ShellOptions<R extends Route, A> {
  root: HTMLElement;
  app: A;
  render(ctx: ScreenCtx<R, A>, route: R): void | Promise<void>;
  home: R;
  /** False for Home and the screens before the app is open: no Home button there. */
  showsHome(route: R): boolean;
  /** The one way out of a screen that failed with `e`: by default, Home. */
  recover?(e: unknown): { route: R; label: string } | undefined;
  /** The quiet refresh from the bank (revocations, bank time…), run when the device comes online. */
  refresh?(): Promise<void>;
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
  let current = 0;
  let cleanups: (() => void)[] = [];

  const failed = (e: unknown): void => {
    const out = options.recover?.(e) ?? { route: options.home, label: 'Home' };
    const leave = button(out.label, () => go(out.route), 'primary');
    showScreen(root, 'Something went wrong', errorNotice(e), h('div', { class: 'actions' }, leave));
  };

  const open = (route: R): Promise<void> => {
    for (const stop of cleanups) stop();
    cleanups = [];
    const id = ++current;
    home.hidden = !options.showsHome(route);
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
    return Promise.resolve()
      .then(() => options.render(ctx, route))
      .catch((e: unknown) => {
        if (id === current) failed(e);
      });
  };

  const go = (route: R): void => void open(route);
  const refresh = refresher(status, options.refresh && (() => options.refresh!()));
  home.addEventListener('click', () => go(options.home));
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
