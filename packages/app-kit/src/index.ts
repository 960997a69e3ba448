/**
 * @offpay/app-kit — the device core both PWAs share (browser only): the shell and form kit, the
 * typed IndexedDB storage with its migrations, the vault and backups, what the device trusts of
 * the bank (pinned keys, revocations, clock), the bank session and client, the rules for what
 * people type, plain-words refusals, and the QR/file exchange.
 *
 * @example
 * ```ts
 * const db = await openAppDb(walletSchema);
 * const shell = startShell({ root, app: { db, bank: new BankSession(db) }, render, home, showsHome });
 * await shell.open(home);
 * ```
 */
export * from './backup.js';
export * from './bank.js';
export * from './clock.js';
export * from './bank-keys.js';
export * from './enroll.js';
export * from './errors.js';
export * from './exchange.js';
export * from './forms.js';
export * from './layout.js';
export * from './lost-device.js';
export * from './lock.js';
export * from './qr.js';
export * from './rules.js';
export * from './scanner.js';
export * from './session.js';
export * from './setup.js';
export * from './shell.js';
export * from './storage/db.js';
export * from './storage/rows.js';
export * from './storage/schema.js';
export * from './trust.js';
export * from './ui.js';
export * from './vault.js';
export * from './wording.js';
