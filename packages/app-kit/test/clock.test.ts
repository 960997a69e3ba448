import { isAppError } from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { LAST_BANK_TIME_KEY, lastBankTime, rememberBankTime, trustedNow } from '../src/clock.js';
import { freshDb } from './support/schema.js';

describe('bank time', () => {
  it('uses the device clock, in whole seconds, before any bank time was seen', async () => {
    const db = await freshDb();
    expect(await trustedNow(db, 1_700_000_000_999)).toBe(1_700_000_000);
  });

  it('keeps the latest bank time seen when answers cross or come from a cache', async () => {
    const db = await freshDb();
    await rememberBankTime(db, 2_000);
    await rememberBankTime(db, 1_800); // 200 s older: a cached answer
    expect(await lastBankTime(db)).toBe(2_000);
    await Promise.all([5_000, 9_000, 8_900, 8_800].map((t) => rememberBankTime(db, t)));
    expect(await db.get('meta', LAST_BANK_TIME_KEY)).toBe(9_000);
  });

  it('only ever raises the floor: an earlier signed time, however much earlier, leaves it', async () => {
    const db = await freshDb();
    await rememberBankTime(db, 1_800_000_000);
    await rememberBankTime(db, 1_000_000_000); // a replayed old list
    expect(await lastBankTime(db)).toBe(1_800_000_000);
    await expect(trustedNow(db, 1_700_000_000_000)).rejects.toMatchObject({
      code: 'PROTO_CLOCK_BEHIND',
    });
  });

  it('refuses a device clock earlier than the last bank time seen', async () => {
    const db = await freshDb();
    void rememberBankTime(db, 1_800_000_000);
    const refused = await trustedNow(db, 1_799_999_999_000).catch((e: unknown) => e);
    expect(isAppError(refused, 'PROTO_CLOCK_BEHIND')).toBe(true);
    expect(await trustedNow(db, 1_800_000_000_000)).toBe(1_800_000_000);
    expect(await trustedNow(db, 1_800_000_100_500)).toBe(1_800_000_100);
  });

  it('refuses values that are not Unix seconds', async () => {
    const db = await freshDb();
    for (const bad of [-1, 1.5, NaN, Number.MAX_SAFE_INTEGER + 2])
      await expect(rememberBankTime(db, bad)).rejects.toThrow(RangeError);
    await expect(trustedNow(db, NaN)).rejects.toThrow(RangeError);
    expect(await lastBankTime(db)).toBeUndefined();
  });

  it('treats a stored value that is not a time as absent', async () => {
    const db = await freshDb();
    await db.write([{ put: 'meta', key: LAST_BANK_TIME_KEY, value: 'soon' }]);
    expect(await lastBankTime(db)).toBeUndefined();
    await rememberBankTime(db, 10);
    expect(await lastBankTime(db)).toBe(10);
  });
});
