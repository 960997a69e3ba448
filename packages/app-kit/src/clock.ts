/**
 * The device clock against the latest bank time seen (DESIGN.md §3 "Clocks"): the apps store the
 * highest bank time they have seen and refuse to act on a device clock earlier than it.
 */
import { checkedDeviceTime } from '@offpay/protocol';
import type { AppDb } from './db.js';

/** State key of the latest bank time seen (Unix seconds). */
export const LAST_BANK_TIME_KEY = 'lastBankTime';

// Read-compare-write per database, one after another, so two answers arriving together cannot
// store the smaller time last.
const queues = new WeakMap<AppDb, Promise<unknown>>();

function isSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The latest bank time seen (Unix seconds), or undefined before the first bank answer. */
export async function lastBankTime(db: AppDb): Promise<number | undefined> {
  const stored = await db.get<unknown>(LAST_BANK_TIME_KEY);
  // A row that is not a time is treated as absent; the next bank answer overwrites it.
  return isSeconds(stored) ? stored : undefined;
}

/** Records a bank time if it is later than the stored one. @throws RangeError for a non-time */
export function rememberBankTime(db: AppDb, bankTime: number): Promise<void> {
  if (!isSeconds(bankTime)) {
    return Promise.reject(new RangeError('bankTime must be Unix seconds (a safe integer ≥ 0)'));
  }
  const run = async () => {
    const last = await lastBankTime(db);
    if (last === undefined || bankTime > last) {
      await db.write([{ put: LAST_BANK_TIME_KEY, value: bankTime }]);
    }
  };
  const result = (queues.get(db) ?? Promise.resolve()).then(run);
  queues.set(
    db,
    result.catch(() => undefined),
  );
  return result;
}

/**
 * The device's time in Unix seconds, checked. @throws ProtocolError PROTO_CLOCK_BEHIND when the
 * device clock is earlier than the last bank time seen.
 */
export async function trustedNow(db: AppDb, deviceNowMs: number = Date.now()): Promise<number> {
  if (!Number.isFinite(deviceNowMs)) throw new RangeError('deviceNowMs must be a finite number');
  // A bank time being remembered right now counts already.
  await queues.get(db);
  return checkedDeviceTime(Math.floor(deviceNowMs / 1000), await lastBankTime(db));
}
