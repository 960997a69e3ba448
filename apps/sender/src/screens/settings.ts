/** Backup and settings: an encrypted backup file, and the bank address. */
import { backupSection, bankSection } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';

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
  );
}
