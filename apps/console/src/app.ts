/**
 * The console's shell: each screen by its route, the nav list in the header, and the operator's
 * session (session.ts). Every screen but Sign in needs a signed-in operator; when the bank
 * refuses the session (expired, logged out everywhere) the console opens Sign in.
 */
import { BankClient, startShell, type Screens, type Shell } from '@offpay/app-kit';
import type { ConsoleApp, Ctx, Route } from './ctx.js';
import { consoleNav, NAV } from './nav.js';
import { accountScreen, accountsScreen } from './screens/accounts.js';
import { activityScreen } from './screens/activity.js';
import { auditScreen } from './screens/audit.js';
import { certificatesScreen } from './screens/certificates.js';
import { depositsScreen } from './screens/deposits.js';
import { fraudScreen } from './screens/fraud.js';
import { merchantsScreen } from './screens/merchants.js';
import { payoutsScreen } from './screens/payouts.js';
import { reconcileScreen } from './screens/reconcile.js';
import { refundsScreen } from './screens/refunds.js';
import { signInScreen } from './screens/signin.js';
import { summaryScreen } from './screens/summary.js';
import { webhooksScreen } from './screens/webhooks.js';
import { consoleSession } from './session.js';

type Screen = (ctx: Ctx, route: Route) => unknown;

const SCREENS: Record<Exclude<Route['to'], 'signin' | 'account'>, Screen> = {
  home: activityScreen,
  merchants: merchantsScreen,
  accounts: accountsScreen,
  deposits: depositsScreen,
  payouts: payoutsScreen,
  refunds: refundsScreen,
  fraud: fraudScreen,
  certificates: certificatesScreen,
  audit: auditScreen,
  reconcile: reconcileScreen,
  summary: summaryScreen,
  webhooks: webhooksScreen,
};

/** Starts the console on `root`, talking to the bank at `bankUrl`. */
export function startConsole(
  root: HTMLElement,
  bankUrl: string,
  fetchImpl?: typeof fetch,
): Shell<Route> {
  let current: Route | undefined;
  const session: ConsoleApp = consoleSession(new BankClient(bankUrl, fetchImpl), (operator) => {
    nav.update(current, operator);
    if (!operator && current && current.to !== 'signin') shell.go({ to: 'signin' });
  });
  const nav = consoleNav(
    NAV,
    (route) => shell.go(route),
    () => void session.signOut(),
  );
  // Under the header, above the status line and the screen.
  const header = document.querySelector('.app-header');
  if (header) header.after(nav.element);
  else root.before(nav.element);

  // Every screen but Sign in: signed in first; the nav marks where the operator is.
  const guarded =
    (screen: Screen) =>
    (ctx: Ctx, route: Route): unknown => {
      current = route;
      nav.update(route, session.operator);
      if (!session.operator) return ctx.go({ to: 'signin' });
      return screen(ctx, route);
    };
  const screens = {
    ...Object.fromEntries(Object.entries(SCREENS).map(([to, s]) => [to, guarded(s)])),
    signin: (ctx: Ctx) => {
      current = { to: 'signin' };
      nav.update(current, session.operator);
      return signInScreen(ctx);
    },
    account: guarded((ctx, route) => accountScreen(ctx, route.to === 'account' ? route.id : '')),
  } as unknown as Screens<Route, ConsoleApp>;
  const shell = startShell<Route, ConsoleApp>({
    root,
    app: session,
    screens,
    showsHome: () => false,
  });
  return shell;
}
