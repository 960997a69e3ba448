/**
 * The console's navigation: one list of the screens, in the header under the app's name, with the
 * screen open marked `aria-current="page"`; and who is signed in with "Sign out". Hidden while
 * nobody is signed in.
 */
import { h } from '@offpay/app-kit';
import type { Operator, Route } from './ctx.js';

/** Each screen of the nav list, in order: its route and its name. */
export const NAV: readonly { to: Route['to']; label: string }[] = [
  { to: 'home', label: 'Live activity' },
  { to: 'merchants', label: 'Merchant applications' },
  { to: 'accounts', label: 'Accounts' },
  { to: 'deposits', label: 'Deposits' },
  { to: 'payouts', label: 'Payouts' },
  { to: 'refunds', label: 'Refunds' },
  { to: 'fraud', label: 'Fraud proofs' },
  { to: 'certificates', label: 'Certificates' },
  { to: 'audit', label: 'Audit log' },
  { to: 'reconcile', label: 'Reconcile' },
  { to: 'summary', label: 'Daily summary' },
  { to: 'webhooks', label: 'Webhooks' },
];

/** The nav list (the screen named `current` marked) — which nav entry a route belongs to. */
export function navEntryOf(route: Route): Route['to'] | undefined {
  if (route.to === 'account') return 'accounts';
  return NAV.some((n) => n.to === route.to) ? route.to : undefined;
}

/** The nav element and its update when the route or the operator changes. */
export function consoleNav(
  entries: readonly { to: Route['to']; label: string }[],
  go: (route: Route) => void,
  signOut: () => void,
): {
  element: HTMLElement;
  update(route: Route | undefined, operator: Operator | undefined): void;
} {
  const buttons = entries.map((entry) =>
    h(
      'button',
      { type: 'button', class: 'nav-link', onclick: () => go({ to: entry.to } as Route) },
      entry.label,
    ),
  );
  const who = h('span', { class: 'nav-who' });
  const out = h('button', { type: 'button', class: 'btn-link', onclick: signOut }, 'Sign out');
  const element = h(
    'nav',
    { class: 'console-nav', 'aria-label': 'Console', hidden: true },
    h('ul', {}, ...buttons.map((b) => h('li', {}, b))),
    h('p', { class: 'nav-session' }, who, ' ', out),
  );
  return {
    element,
    update(route, operator) {
      element.hidden = operator === undefined;
      who.textContent = operator ? `${operator.email} (${operator.role})` : '';
      const current = route ? navEntryOf(route) : undefined;
      entries.forEach((entry, i) => {
        const b = buttons[i]!;
        if (entry.to === current) b.setAttribute('aria-current', 'page');
        else b.removeAttribute('aria-current');
      });
    },
  };
}
