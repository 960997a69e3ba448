/**
 * The device clock against the latest bank time seen (DESIGN.md §3 "Clocks"): the apps store the
 * highest bank time they have seen and refuse to act on a device clock earlier than it.
 */
import type { AppDb } from './db.js';

/** State key of the latest bank time seen (Unix seconds). */
export const LAST_BANK_TIME_KEY = 'lastBankTime';

/** Records a bank time if it is later than the stored one. */
export function rememberBankTime(db: AppDb, bankTime: number): Promise<void> {
  void db;
  void bankTime;
  throw new Error('app-kit: not implemented yet');
}

/**
 * The device's time in Unix seconds, checked. @throws ProtocolError PROTO_CLOCK_BEHIND when the
 * device clock is earlier than the last bank time seen.
 */
export function trustedNow(db: AppDb, deviceNowMs?: number): Promise<number> {
  void db;
  void deviceNowMs;
  throw new Error('app-kit: not implemented yet');
}
