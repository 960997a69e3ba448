/**
 * The device clock against the latest bank time seen (DESIGN.md §3 "Clocks"): the apps store the
 * latest bank time and refuse to act on a device clock earlier than it (the clock floor).
 *
 * Only a time the bank SIGNED moves the floor, checked under the pinned bank keys first: the
 * revocation list's `issuedAt` (both apps) and a settlement result's `settledAt` (the till). The
 * unsigned `bankTime` beside an answer never does (issue #12: a forged one could lower the floor,
 * or raise it to lock the app). And the floor only rises: an older signed time — a replayed list,
 * answers crossing — leaves it alone, so nothing can lower it at all. The device clock never moves
 * it, so setting the device clock back is still caught.
 */
import { checkedDeviceTime } from '@offpay/protocol';
import type { MetaDb } from './storage/db.js';

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
 * Records a bank time from a signed answer already verified under the pinned keys (see the file's
 * comment; never an unsigned `bankTime`): kept only when later than the stored one.
 * @throws RangeError for a non-time
 */
export function rememberBankTime(db: MetaDb, bankTime: number): Promise<void> {
  if (!isSeconds(bankTime)) {
    return Promise.reject(new RangeError('bankTime must be Unix seconds (a safe integer ≥ 0)'));
  }
  const run = async () => {
    const last = await lastBankTime(db);
    if (last === undefined || bankTime > last) {
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
