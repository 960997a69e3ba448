/**
 * Boot: open the database, ask to keep storage, draw the header, and route to the first screen
 * (no vault → Setup; locked → Unlock). Nothing global but `window.__offpay` once ready.
 */
import '@offpay/app-kit/styles.css';
import './till.css';
import {
  errorNotice,
  h,
  hasVault,
  onlineBadge,
  openAppDb,
  requestPersistentStorage,
} from '@offpay/app-kit';
import { createApp, type Route } from './app.js';
import { watchOnline } from './online.js';
import { enrollScreen } from './screens/enroll.js';
import { homeScreen } from './screens/home.js';
import { ledgerScreen } from './screens/ledger.js';
import { requestScreen } from './screens/request.js';
import { settingsScreen } from './screens/settings.js';
import { settleScreen } from './screens/settle.js';
import { setupScreen } from './screens/setup.js';
import { unlockScreen } from './screens/unlock.js';

declare global {
  interface Window {
    __offpay?: { ready: boolean };
  }
}

const routes = {
  setup: setupScreen,
  unlock: unlockScreen,
  enroll: enrollScreen,
  home: homeScreen,
  request: requestScreen,
  ledger: ledgerScreen,
  settle: settleScreen,
  settings: settingsScreen,
};

/** Routes before the till is open: no "Home" button there. */
const OUTSIDE: readonly Route[] = ['setup', 'unlock', 'enroll'];

async function boot(root: HTMLElement): Promise<void> {
  const homeButton = h('button', { type: 'button', class: 'btn-link', hidden: true }, 'Home');
  let header = document.querySelector<HTMLElement>('.app-header');
  if (!header) {
    header = h('header', { class: 'app-header' }, h('span', { class: 'app-name' }, 'offpay till'));
    document.body.insertBefore(header, root);
  }
  header.append(h('nav', { 'aria-label': 'Till' }, homeButton), onlineBadge());
  const db = await openAppDb('offpay-receiver');
  void requestPersistentStorage();
  const app = createApp(root, db, routes, (_app, route) => {
    homeButton.hidden = OUTSIDE.includes(route) || route === 'home';
  });
  homeButton.addEventListener('click', () => app.go('home'));
  watchOnline(app);
  app.go((await hasVault(db)) ? 'unlock' : 'setup');
  await app.idle();
}

const root = document.querySelector<HTMLElement>('#app');
if (root) {
  boot(root)
    .catch((e: unknown) => root.replaceChildren(errorNotice(e)))
    .finally(() => {
      window.__offpay = { ready: true };
    });
}
