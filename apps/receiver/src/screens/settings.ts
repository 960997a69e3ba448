/**
 * Backup and settings: the encrypted backup, the bank address, the limit per customer, and "Lost
 * or stolen device" — the shop's tills, each reportable lost or stolen (docs/threat-model.md §4.1).
 */
import {
  backupSection,
  bankSection,
  field,
  form,
  lostDeviceSection,
  section,
} from '@offpay/app-kit';
import { Money } from '@offpay/protocol';
import type { Ctx } from '../ctx.js';
import { META } from '../db.js';
import { payerCap } from '../state/till.js';

async function limitSection(ctx: Ctx, currency: string): Promise<HTMLElement> {
  const { db } = ctx.app;
  const current = await payerCap(db);
  const limit = field(
    'Limit per customer',
    {
      inputmode: 'decimal',
      autocomplete: 'off',
      value: current === undefined ? '' : Money.of(current, currency).toString().split(' ')[0],
    },
    `The most this till takes from one customer’s allowance, in ${currency} (a customer who renews starts again). Empty: no limit.`,
  );
  return section(
    'Limit per customer',
    form('Save limit', [limit.element], async (messages) => {
      const text = limit.input.value.trim();
      let value: number | undefined;
      try {
        value = text === '' ? undefined : Money.parse(text, currency).minor || undefined;
      } catch {
        return messages.say(
          'error',
          'Check the limit',
          `Enter an amount such as 20.00 (in ${currency}), or leave it empty.`,
        );
      }
      await db.write([
        value === undefined
          ? { delete: 'meta', key: META.payerCap }
          : { put: 'meta', key: META.payerCap, value },
      ]);
      messages.say(
        'ok',
        value
          ? `Limit saved: ${Money.of(value, currency).toString()} per customer`
          : 'No limit per customer',
      );
    }),
  );
}

/** The settings screen. */
export async function settingsScreen(ctx: Ctx): Promise<void> {
  const { app } = ctx;
  if (!app.till || !app.vault) return ctx.go({ to: 'home' });
  ctx.show(
    'Backup and settings',
    backupSection(app.db, app.vault, 'receiver', 'A restored till continues its ledger.'),
    await bankSection(app.db, app.bank),
    await limitSection(ctx, app.till.cert.currency),
    lostDeviceSection(app.bank, 'payee', app.till.cert.serial),
  );
}
