/**
 * The router: opens screens, runs their cleanup when leaving, and ignores a slow screen's render
 * once the user has moved on. Also the quiet refresh from the bank whenever online.
 */
import {
  AppError,
  BankClient,
  describeError,
  errorNotice,
  h,
  notice,
  showScreen,
  type AppDb,
} from '@offpay/app-kit';
import { isAppError } from '@offpay/protocol';
import type { Ctx, Route, Session } from './ctx.js';
import { confirmScreen } from './screens/confirm.js';
import { enrollScreen } from './screens/enroll.js';
import { historyScreen } from './screens/history.js';
import { homeScreen } from './screens/home.js';
import { payScreen } from './screens/pay.js';
import { paymentScreen } from './screens/payment.js';
import { settingsScreen } from './screens/settings.js';
import { setupScreen } from './screens/setup.js';
import { syncScreen } from './screens/sync.js';
import { unlockScreen } from './screens/unlock.js';
import { bankUrl } from './state/store.js';
import { refreshFromBank } from './state/wallet.js';

function render(ctx: Ctx, route: Route): void | Promise<void> {
  switch (route.to) {
    case 'setup':
      return setupScreen(ctx);
    case 'unlock':
      return unlockScreen(ctx);
    case 'enroll':
      return enrollScreen(ctx, route.renew ?? false);
    case 'home':
      return homeScreen(ctx);
    case 'pay':
      return payScreen(ctx);
    case 'confirm':
      return confirmScreen(ctx, route.prepared);
    case 'payment':
      return paymentScreen(ctx, route.item, route.alreadyPaid ?? false);
    case 'history':
      return historyScreen(ctx);
    case 'sync':
      return syncScreen(ctx);
    case 'settings':
      return settingsScreen(ctx);
  }
}

/**
 * Starts the app on `root`: returns `open`, which shows a screen. `status` shows the quiet
 * refresh's failures as a small info line.
 */
export function createApp(
  root: HTMLElement,
  db: AppDb,
  status: HTMLElement,
): { open(route: Route): Promise<void>; refresh(): void } {
  const session: Session = { root, db, vault: undefined, token: undefined };
  let current = 0;
  let cleanups: (() => void)[] = [];

  const bank = async (): Promise<BankClient> => new BankClient(await bankUrl(db));

  const refresh = (): void => {
    if (!navigator.onLine || !session.vault) return;
    bank()
      .then((client) => refreshFromBank(db, client))
      .then(
        () => status.replaceChildren(),
        (e: unknown) =>
          status.replaceChildren(
            notice('info', 'Could not refresh from the bank', describeError(e).text),
          ),
      );
  };

  const go = (route: Route): void => void open(route);

  /** Opens a screen; resolves once it is shown (or its failure is). */
  const open = (route: Route): Promise<void> => {
    for (const stop of cleanups) stop();
    cleanups = [];
    const id = ++current;
    const ctx: Ctx = {
      get root() {
        return session.root;
      },
      get db() {
        return session.db;
      },
      get vault() {
        return session.vault;
      },
      set vault(v) {
        session.vault = v;
      },
      get token() {
        return session.token;
      },
      set token(t) {
        session.token = t;
      },
      go,
      show: (title, ...body) => {
        if (id === current) showScreen(root, title, ...body);
      },
      onLeave: (stop) => {
        if (id === current) cleanups.push(stop);
        else stop();
      },
      unlocked: () => {
        if (!session.vault) throw new AppError('APP_VAULT_LOCKED');
        return session.vault;
      },
      bank,
      refresh,
    };
    return Promise.resolve()
      .then(() => render(ctx, route))
      .catch((e: unknown) => {
        if (id !== current) return;
        const locked = isAppError(e, 'APP_VAULT_LOCKED');
        showScreen(
          root,
          'Something went wrong',
          errorNotice(e),
          h(
            'div',
            { class: 'actions' },
            h(
              'button',
              {
                type: 'button',
                class: 'btn-primary',
                onclick: () => go(locked ? { to: 'unlock' } : { to: 'home' }),
              },
              locked ? 'Unlock' : 'Home',
            ),
          ),
        );
      });
  };

  return { open, refresh };
}
