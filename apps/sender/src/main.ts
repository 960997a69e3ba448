/**
 * Boot: open the database, ask to keep storage, show Setup (no keys yet) or Unlock, and refresh
 * quietly from the bank whenever the device comes online.
 */
import '@offpay/app-kit/styles.css';
import './app.css';
import {
  errorNotice,
  hasVault,
  onlineBadge,
  openAppDb,
  requestPersistentStorage,
  showScreen,
} from '@offpay/app-kit';
import { createApp } from './app.js';

declare global {
  interface Window {
    /** Set once the first screen is shown (the e2e suite waits for it). */
    __offpay?: { ready: boolean };
  }
}

async function boot(root: HTMLElement): Promise<void> {
  document.querySelector('.app-header')?.append(onlineBadge());
  const status =
    document.querySelector<HTMLElement>('#bank-status') ?? document.createElement('div');
  const db = await openAppDb('offpay-sender');
  void requestPersistentStorage();
  const app = createApp(root, db, status);
  await app.open((await hasVault(db)) ? { to: 'unlock' } : { to: 'setup' });
  window.addEventListener('online', () => app.refresh());
}

const root = document.querySelector<HTMLElement>('#app');
if (root) {
  boot(root)
    .catch((e: unknown) => showScreen(root, 'This wallet cannot start', errorNotice(e)))
    .finally(() => {
      window.__offpay = { ready: true };
    });
}
