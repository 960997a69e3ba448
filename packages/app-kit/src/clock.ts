/**
 * The device clock against the latest bank time seen (DESIGN.md §3 "Clocks"): the apps store the
 * bank time of the bank's latest answer and refuse to act on a device clock earlier than it.
 *
 * Later times always replace the stored one; an answer up to BANK_TIME_TOLERANCE_SECONDS earlier
 * (a cached answer, answers crossing on the network) leaves it alone; a genuine answer much earlier
 * than the stored time replaces it. Only the bank's answers move this value, never the device
 * clock, so setting the device clock back is still caught — and a bad time that once got in (a
 * forged answer on an unprotected connection) is healed by the next genuine answer instead of
 * locking the app for ever.
 */
import { checkedDeviceTime } from '@offpay/protocol';
import type { MetaDb } from './storage/db.js';

/** How much earlier than the stored time an answer may be and still be ignored (cache, races). */
export const BANK_TIME_TOLERANCE_SECONDS = 300;

/** Meta key of the latest bank time seen (Unix seconds). */
export const LAST_BANK_TIME_KEY = 'lastBankTime';

// Read-compare-write per database, one after another, so two answers arriving together cannot
// store the smaller time last.
const queues = new WeakMap<MetaDb, Promise<unknown>>();

function isSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The latest bank time seen (Unix seconds), or undefined before the first bank answer. */
export async function lastBankTime(db: Pick<MetaDb, 'get'>): Promise<number | undefined> {
  const stored = await db.get('meta', LAST_BANK_TIME_KEY);
  // A row that is not a time is treated as absent; the next bank answer overwrites it.
  return isSeconds(stored) ? stored : undefined;
}

/**
 * Records the bank time of a bank answer: kept when later than the stored one, or when earlier by
 * more than BANK_TIME_TOLERANCE_SECONDS. @throws RangeError for a non-time
 */
export function rememberBankTime(db: MetaDb, bankTime: number): Promise<void> {
  if (!isSeconds(bankTime)) {
    return Promise.reject(new RangeError('bankTime must be Unix seconds (a safe integer ≥ 0)'));
  }
  const run = async () => {
    const last = await lastBankTime(db);
    if (last === undefined || bankTime > last || bankTime < last - BANK_TIME_TOLERANCE_SECONDS) {
      await db.write([{ put: 'meta', key: LAST_BANK_TIME_KEY, value: bankTime }]);
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
export async function trustedNow(db: MetaDb, deviceNowMs: number = Date.now()): Promise<number> {
  await bankTimeSettled(db);
  return trustedNowIn(db, deviceNowMs);
}

/**
 * Waits until a bank time being remembered for `db` right now is stored, so that it counts
 * already — before opening a transaction that reads the time with {@link trustedNowIn}.
 */
export async function bankTimeSettled(db: MetaDb): Promise<void> {
  await queues.get(db);
}

/**
 * {@link trustedNow} reading through `reader` (an open transaction: `Db.transaction`) without
 * waiting for anything else; call {@link bankTimeSettled} before opening the transaction.
 * @throws ProtocolError PROTO_CLOCK_BEHIND; RangeError for a non-finite `deviceNowMs`
 */
export async function trustedNowIn(
  reader: Pick<MetaDb, 'get'>,
  deviceNowMs: number = Date.now(),
): Promise<number> {
  if (!Number.isFinite(deviceNowMs)) throw new RangeError('deviceNowMs must be a finite number');
  return checkedDeviceTime(Math.floor(deviceNowMs / 1000), await lastBankTime(reader));
}
