import {
  encodeRevocationList,
  signRevocationList,
  verifyCertificate,
  verifyRevocationList,
} from '@offpay/protocol';
import type * as Protocol from '@offpay/protocol';
import { refreshRevocations } from '@offpay/app-kit';
import { describe, expect, it, vi } from 'vitest';
import { commitPayment, preparePayment } from '../src/state/pay.js';
import { NOW, NOW_MS, Receiver, enrolledWallet, makeBank } from './helpers.js';

// The real functions, watched: the kit's trust memo must save calls on the payment path.
vi.mock('@offpay/protocol', async (original) => {
  const real = await original<typeof Protocol>();
  return {
    ...real,
    verifyCertificate: vi.fn(real.verifyCertificate),
    verifyRevocationList: vi.fn(real.verifyRevocationList),
  };
});

describe('the payment path', () => {
  it('checks the wallet’s certificate and revocation list once, not on every payment', async () => {
    const bank = makeBank();
    const { db, vault, cert } = await enrolledWallet(bank);
    const list = signRevocationList({ seq: 4, issuedAt: NOW, serials: [] }, bank.signSk);
    await refreshRevocations(db, {
      revocations: () =>
        Promise.resolve({ seq: 4, signed: encodeRevocationList(list), bankTime: NOW }),
    });
    const bob = new Receiver(bank);
    const pay = async () => {
      const p = await preparePayment(db, vault, bob.request(100), { nowMs: NOW_MS });
      if (p.kind !== 'new') throw new Error('expected a new payment');
      return commitPayment(db, vault, p, { nowMs: NOW_MS });
    };
    await pay();
    vi.clearAllMocks();
    const item = await pay();
    expect(item).toMatchObject({ serial: cert.serial, counter: 2 });
    // The payee's certificate is checked with its request; the wallet's own is not again.
    expect(vi.mocked(verifyCertificate).mock.calls.map(([c]) => c.kind)).not.toContain('payer');
    expect(verifyRevocationList).not.toHaveBeenCalled();
  });
});
