/**
 * The quiet refresh whenever the till is online (at unlock and on the window's 'online' event):
 * revocation list, bank time, pending fraud proofs. Failures become an info line on Home.
 */
import { describeError } from '@offpay/app-kit';
import type { App } from './app.js';
import { refreshFromBank } from './state/refresh.js';

let running: Promise<void> | undefined;

/** Refreshes once at a time; never throws. */
export function refreshQuietly(app: App): Promise<void> {
  running ??= run(app).finally(() => {
    running = undefined;
  });
  return running;
}

async function run(app: App): Promise<void> {
  if (!app.till) return;
  try {
    await refreshFromBank(app.db, app.till, await app.bank());
    app.refreshNote = undefined;
  } catch (e) {
    const { title } = describeError(e);
    app.refreshNote = `Could not refresh from the bank (${title}). Payments still work offline.`;
  }
}

/** Refreshes whenever the browser comes back online. */
export function watchOnline(app: App): void {
  window.addEventListener('online', () => void refreshQuietly(app));
}
