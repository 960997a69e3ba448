/** Enrollment (online): the bank certifies the till's keys under the shop's verified name. */
import { h, showScreen } from '@offpay/app-kit';
import type { App } from '../app.js';
import { enrollTill } from '../state/setup.js';
import { loadTill } from '../state/store.js';
import { checkLedgerAtUnlock } from './unlock.js';
import { field, form, statusArea } from './form.js';
import { refreshQuietly } from '../online.js';

/** The enroll screen. */
export function enrollScreen(app: App): void {
  const email = field('Email', { type: 'email', autocomplete: 'username', inputmode: 'email' });
  const password = field('Password', { type: 'password', autocomplete: 'current-password' });
  const status = statusArea();
  const { element } = form(
    'Enroll',
    async () => {
      status.clear();
      if (!app.vault) return app.go('unlock');
      try {
        const bank = await app.bank();
        const { token } = await enrollTill(
          app.db,
          app.vault,
          bank,
          email.input.value.trim(),
          password.input.value,
        );
        app.token = token;
        app.till = await loadTill(app.db, app.vault);
      } catch (e) {
        status.error(e);
        return;
      } finally {
        password.input.value = '';
      }
      await checkLedgerAtUnlock(app);
      void refreshQuietly(app);
      app.go('home');
    },
    email.element,
    password.element,
    status.element,
  );
  showScreen(
    app.root,
    'Enroll with your bank',
    h(
      'p',
      { class: 'muted' },
      'Sign in with your merchant account once, online. The bank certifies this till under your shop’s name.',
    ),
    element,
  );
}
