/**
 * Setting the till up (src/state/till.ts): a setup or restore form left open in a stale tab
 * never replaces a till set up since; enrollment pins what it can read back.
 */
import { VAULT_KEY, bankUrl } from '@offpay/app-kit';
import { describe, expect, it } from 'vitest';
import { createTill, restoreTill } from '../src/state/till.js';
import { freshDb, makeTill } from './helpers.js';

const FAST = { iterations: 1000 };

describe('setting up from a stale tab', () => {
  it('refuses to create a till over one set up meanwhile', async () => {
    const db = await freshDb();
    await createTill(db, 'first passphrase', 'https://bank.test', FAST);
    const vault = await db.get('meta', VAULT_KEY);
    await expect(
      createTill(db, 'second passphrase', 'https://other.test', FAST),
    ).rejects.toMatchObject({
      code: 'APP_SET_UP_ELSEWHERE',
    });
    expect(await db.get('meta', VAULT_KEY)).toEqual(vault);
    expect(await bankUrl(db)).toBe('https://bank.test');
  });

  it('refuses to restore a backup over a till set up meanwhile', async () => {
    const t = await makeTill();
    const before = await t.db.snapshot();
    const vault = await t.db.get('meta', VAULT_KEY);
    await expect(restoreTill(t.db, '{}', 'some passphrase')).rejects.toMatchObject({
      code: 'APP_SET_UP_ELSEWHERE',
    });
    expect(await t.db.snapshot()).toEqual(before);
    expect(await t.db.get('meta', VAULT_KEY)).toEqual(vault);
  });

  it('refuses a too short passphrase, storing nothing', async () => {
    const db = await freshDb();
    await expect(createTill(db, 'short', 'https://bank.test', FAST)).rejects.toMatchObject({
      code: 'APP_PASSPHRASE_TOO_SHORT',
    });
    expect(await db.get('meta', VAULT_KEY)).toBeUndefined();
  });
});
