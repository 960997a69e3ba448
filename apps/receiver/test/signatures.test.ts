/**
 * The payer certificate remembered once verified (src/state/signatures.ts): a till takes the same
 * certificate again without verifying it, but never a certificate that differs from it in any
 * byte — the same serial and tbs under a damaged bank signature is still refused.
 */
import { encodePayment, type Payment } from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { accept, makeTill, request, sealFor, TestPayer } from './helpers.js';

/** `payment` carrying its certificate with one byte of the bank's signature changed. */
function withDamagedCertificate(payment: Payment): Uint8Array {
  const signature = payment.payerCert.signature.slice();
  signature[20]! ^= 0x01;
  return encodePayment({ ...payment, payerCert: { ...payment.payerCert, signature } });
}

describe('a payer certificate remembered once verified', () => {
  it('is taken again on the payer’s next payments', async () => {
    const t = await makeTill();
    const alice = new TestPayer(t.bank);
    for (const amount of ['1.00', '2.00', '0.50']) {
      const r = await request(t, amount);
      await expect(accept(t, r, sealFor(t, alice.pay(r)))).resolves.toMatchObject({
        record: { payerSerial: alice.cert.serial },
      });
    }
  });

  it('does not stand for the same serial and tbs under another signature', async () => {
    const t = await makeTill();
    const alice = new TestPayer(t.bank);
    const r1 = await request(t, '1.00');
    await accept(t, r1, sealFor(t, alice.pay(r1)));
    const r2 = await request(t, '2.00');
    const forged = withDamagedCertificate(alice.pay(r2));
    await expect(accept(t, r2, sealFor(t, forged))).rejects.toMatchObject({
      code: 'PROTO_SIGNATURE_INVALID',
    });
    // Nothing was recorded; the certificate as issued is still taken.
    const r3 = await request(t, '2.00');
    await expect(accept(t, r3, sealFor(t, alice.pay(r3)))).resolves.toMatchObject({
      record: { index: 1 },
    });
  });
});
