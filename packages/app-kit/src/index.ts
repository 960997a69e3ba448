/**
 * @offpay/app-kit — what the sender and receiver PWAs share. Browser only.
 */
export * from './backup.js';
export * from './bank.js';
export * from './clock.js';
export * from './db.js';
export * from './errors.js';
export * from './exchange.js';
export * from './lock.js';
export * from './qr.js';
export * from './scanner.js';
export * from './ui.js';
export * from './vault.js';
export * from './wording.js';
