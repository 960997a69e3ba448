import { fromHex, generateSecretKey, randomBytes, toHex } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import { findPayment } from '../src/state/history.js';
import { commitPayment, preparePayment } from '../src/state/pay.js';
import { acceptReceipt } from '../src/state/receipt.js';
import { NOW_MS, Receiver, enrolledWallet, makeBank } from './helpers.js';

const bank = makeBank();
const bob = new Receiver(bank);

async function paid(amount = 250) {
  const { db, vault } = await enrolledWallet(bank);
  const p = await preparePayment(db, vault, bob.request(amount), { nowMs: NOW_MS });
  if (p.kind !== 'new') throw new Error('expected a new payment');
  const item = await commitPayment(db, vault, p, { nowMs: NOW_MS });
  return { db, vault, item };
}

describe('acceptReceipt', () => {
  it('checks the payee’s receipt and marks the payment receipted', async () => {
    const { db, item } = await paid();
    const updated = await acceptReceipt(db, item.paymentId, bob.receipt(fromHex(item.paymentId)));
    expect(updated.state).toBe('receipted');
    expect(updated.receipt?.index).toBe(0);
    expect((await findPayment(db, item.paymentId))?.state).toBe('receipted');
  });

  it('refuses a receipt for another payment and leaves the payment as sent', async () => {
    const { db, item } = await paid();
    await expect(
      acceptReceipt(db, item.paymentId, bob.receipt(randomBytes(32))),
    ).rejects.toMatchObject({
      code: 'PROTO_RECEIPT_MISMATCH',
    });
    expect((await findPayment(db, item.paymentId))?.state).toBe('sent');
  });

  it('refuses a receipt from another receiver', async () => {
    const { db, item } = await paid();
    const carol = new Receiver(bank, { displayName: 'Carol' });
    await expect(
      acceptReceipt(db, item.paymentId, carol.receipt(fromHex(item.paymentId))),
    ).rejects.toMatchObject({ code: 'PROTO_RECEIPT_MISMATCH' });
  });

  it('refuses a receipt naming the payee but signed with another key', async () => {
    const { db, item } = await paid();
    const forged = bob.receipt(fromHex(item.paymentId), generateSecretKey());
    await expect(acceptReceipt(db, item.paymentId, forged)).rejects.toMatchObject({
      code: 'PROTO_SIGNATURE_INVALID',
    });
    expect((await findPayment(db, item.paymentId))?.state).toBe('sent');
  });

  it('refuses damaged receipt bytes', async () => {
    const { db, item } = await paid();
    const bytes = bob.receipt(fromHex(item.paymentId));
    await expect(
      acceptReceipt(db, item.paymentId, bytes.subarray(0, bytes.length - 3)),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/^PROTO_/),
    });
  });

  it('refuses a receipt for a payment this history does not hold (changed in another tab)', async () => {
    const { db } = await paid();
    const other = randomBytes(32);
    await expect(acceptReceipt(db, toHex(other), bob.receipt(other))).rejects.toMatchObject({
      code: 'APP_WALLET_STATE_CHANGED',
    });
  });

  it('keeps a settled payment settled when its receipt arrives late', async () => {
    const { db, item } = await paid();
    await db.write([{ put: 'history', value: { ...item, state: 'settled' } }]);
    const receipt = bob.receipt(fromHex(item.paymentId));
    const updated = await acceptReceipt(db, item.paymentId, receipt);
    expect(updated.state).toBe('settled');
    expect(updated.receipt?.bytes).toEqual(receipt);
  });
});
