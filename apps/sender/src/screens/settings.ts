/**
 * Backup and settings: an encrypted backup file, the bank address, and "Lost or stolen device"
 * — the account's wallets, each reportable lost or stolen (a restored wallet reports the phone it
 * replaced; docs/threat-model.md §4.1).
 */
import { backupSection, bankSection, lostDeviceSection } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { mustEnroll, storedChain } from '../state/wallet.js';

/** This wallet's certificate serial; none before enrolling, or while a restore must enroll. */
async function currentSerial(ctx: Ctx): Promise<number | undefined> {
  if (await mustEnroll(ctx.app.db)) return undefined;
  return (await storedChain(ctx.app.db).catch(() => undefined))?.cert.serial;
}

/** The "Backup and settings" screen. */
export async function settingsScreen(ctx: Ctx): Promise<void> {
  const { app } = ctx;
  ctx.show(
    'Backup and settings',
    backupSection(
      app.db,
      app.unlocked(),
      'sender',
      'A restored wallet enrolls again before paying.',
    ),
    await bankSection(app.db, app.bank),
    lostDeviceSection(app.bank, 'payer', await currentSerial(ctx)),
  );
}
