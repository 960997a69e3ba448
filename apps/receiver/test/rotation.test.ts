/**
 * A till enrolled before the bank rotated its keys keeps settling after it (issue #12 item 4):
 * it follows the bank's signed announcements (src/state/bank-keys.ts), seals its batches to the
 * KEM key the latest one names — the one it pinned at enrollment has long stopped opening — and
 * verifies results signed by the new signing key.
 */
import { generateSecretKey, getPublicKey } from '@offpay/crypto';
import {
  decodeSettlementResult,
  encodeKeyAnnouncement,
  signKeyAnnouncement,
} from '@offpay/protocol';
import type { BankClient, BankKeysInfo } from '@offpay/app-kit';
import { describe, expect, it } from 'vitest';
import { followTillKeys } from '../src/state/bank-keys.js';
import { settleNow } from '../src/state/settle.js';
import { loadTill } from '../src/state/till.js';
import { FakeBank } from './fake-bank.js';
import { makeTill, NOW, NOW_MS, payRequest, TestPayer } from './helpers.js';

describe('a till across a bank key rotation', () => {
  it('follows the announcements, seals to the new KEM key and settles under the new signing key', async () => {
    const t = await makeTill();
    const bank = new FakeBank(t);
    await payRequest(t, new TestPayer(t.bank), '2.50');
    const [oldSignSk, oldSignPk] = [t.bank.signSk, t.bank.signPk];
    const [signSk, kemSk] = [generateSecretKey(), generateSecretKey()];
    const [signPk, kemPk] = [getPublicKey(signSk), getPublicKey(kemSk)];
    const announcements = [
      signKeyAnnouncement({ signKey: signPk, kemKey: t.bank.kemPk, validFrom: NOW }, oldSignSk),
      signKeyAnnouncement({ signKey: signPk, kemKey: kemPk, validFrom: NOW + 1 }, signSk),
    ].map(encodeKeyAnnouncement);
    // From now on the bank signs with the new key and opens with the new KEM key only (the
    // retired one stopped opening batches after its grace).
    Object.assign(t.bank, { signSk, signPk, kemSk, kemPk });
    const info: BankKeysInfo = {
      signKeys: [oldSignPk, signPk],
      signKey: signPk,
      kemKey: kemPk,
      announcements,
    };
    const client = { ...bank.client(), keys: () => Promise.resolve(info) } as BankClient;

    const till = await followTillKeys(t.db, t.till, client);
    expect(till.bankKemKey).toEqual(kemPk);
    // Kept: a reload of the app seals to the new key too.
    expect((await loadTill(t.db, t.vault))?.bankKemKey).toEqual(kemPk);
    const done = await settleNow(t.db, till, client, 'token', () => undefined, NOW_MS);
    expect(done).toMatchObject({ batches: 1, entries: 1 });
    const signed = [...bank.stored.values()][0]!.signed;
    expect(decodeSettlementResult(signed).results.map((r) => r.status)).toEqual(['settled']);
  });

  it('keeps its keys and settles nothing when the new keys are not announced by a trusted key', async () => {
    const t = await makeTill();
    const bank = new FakeBank(t);
    const rogue = getPublicKey(generateSecretKey());
    const info: BankKeysInfo = {
      signKeys: [t.bank.signPk, rogue],
      signKey: rogue,
      kemKey: getPublicKey(generateSecretKey()),
      announcements: [],
    };
    const client = { ...bank.client(), keys: () => Promise.resolve(info) } as BankClient;
    await expect(followTillKeys(t.db, t.till, client)).rejects.toMatchObject({
      code: 'APP_BANK_KEYS_UNTRUSTED',
    });
    expect((await loadTill(t.db, t.vault))?.bankKemKey).toEqual(t.bank.kemPk);
  });
});
