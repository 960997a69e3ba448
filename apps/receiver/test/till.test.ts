/**
 * Accepting payments at the till (src/state/till.ts): what is recorded, the receipt the payer
 * gets, and every refusal a shopkeeper can meet — with the ledger left untouched by a refusal.
 */
import { malleate, toHex } from '@offpay/crypto';
import {
  decodeCbor,
  decodeReceipt,
  emptyLedgerHead,
  encodeCbor,
  encodePayment,
  verifyLedger,
  verifyReceipt,
  type CborValue,
} from '@offpay/protocol';
import { rememberBankTime } from '@offpay/app-kit';
import { describe, expect, it } from 'vitest';
import { fraudProofs } from '../src/state/fraud.js';
import { checkLedger, readLedger, toLedgerEntry } from '../src/state/ledger.js';
import { findRequest } from '../src/state/requests.js';
import { KEY, ledgerHead } from '../src/state/store.js';
import { acceptPayment, receiptOf } from '../src/state/till.js';
import {
  DAY,
  makeBank,
  makeTill,
  NOW,
  NOW_MS,
  request,
  sealFor,
  storeRevocations,
  TestPayer,
} from './helpers.js';

/** The stable code a rejected promise carries. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return 'accepted';
}

describe('accepting a payment', () => {
  it('appends a ledger entry with a valid chain and a receipt the payer can verify', async () => {
    const t = await makeTill();
    const payer = new TestPayer(t.bank);
    const first = await request(t, '2.50', 'Coffee');
    const p1 = payer.pay(first);
    const accepted = await acceptPayment(t.db, t.till, sealFor(t, p1), NOW_MS);

    expect(accepted.amount.toString()).toBe('2.50 EUR');
    expect(accepted.record.index).toBe(0);
    const receipt = decodeReceipt(accepted.receiptBytes);
    expect(() => verifyReceipt(receipt, t.till.cert, p1.paymentId)).not.toThrow();
    expect(receipt.index).toBe(0);
    expect(receipt.acceptedAt).toBe(NOW);

    const second = await request(t, '1.20');
    const p2 = payer.pay(second);
    const again = await acceptPayment(t.db, t.till, sealFor(t, p2), NOW_MS);
    expect(again.record.index).toBe(1);

    const records = await readLedger(t.db);
    expect(records.map((r) => r.amount)).toEqual([250, 120]);
    const head = verifyLedger(records.map(toLedgerEntry), emptyLedgerHead(t.till.cert.serial));
    expect(head).toEqual(await ledgerHead(t.db, t.till));
    expect(records[1]!.payment).toEqual(encodePayment(p2));
    expect((await findRequest(t.db, first.requestId))?.status).toBe('paid');
    expect((await findRequest(t.db, first.requestId))?.paidIndex).toBe(0);
    expect(await receiptOf(t.db, 1)).toEqual(again.receiptBytes);
    await expect(checkLedger(t.db, t.till)).resolves.toHaveLength(2);
  });

  it('refuses the same sealed payment twice as a duplicate, leaving the ledger as it was', async () => {
    const t = await makeTill();
    const sealed = sealFor(t, new TestPayer(t.bank).pay(await request(t, '2.50')));
    await acceptPayment(t.db, t.till, sealed, NOW_MS);
    const before = await t.db.snapshot();
    const error = await acceptPayment(t.db, t.till, sealed, NOW_MS).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROTO_PAYMENT_DUPLICATE', details: { index: 0 } });
    expect(await t.db.snapshot()).toEqual(before);
  });

  it('reads a malleated or re-sealed copy as a duplicate, never as fraud', async () => {
    const t = await makeTill();
    const p = new TestPayer(t.bank).pay(await request(t, '3.00'));
    await acceptPayment(t.db, t.till, sealFor(t, p), NOW_MS);
    const value = decodeCbor(encodePayment(p)) as CborValue[];
    value[1] = malleate(p.signature);
    const malleated = encodeCbor(value);
    expect(await codeOf(acceptPayment(t.db, t.till, sealFor(t, malleated), NOW_MS))).toBe(
      'PROTO_PAYMENT_DUPLICATE',
    );
    expect(await codeOf(acceptPayment(t.db, t.till, sealFor(t, p), NOW_MS))).toBe(
      'PROTO_PAYMENT_DUPLICATE',
    );
    expect(await fraudProofs(t.db)).toEqual([]);
    expect(await readLedger(t.db)).toHaveLength(1);
  });

  it('refuses a sealed payment with one flipped byte as damaged or tampered', async () => {
    const t = await makeTill();
    const sealed = sealFor(t, new TestPayer(t.bank).pay(await request(t, '2.50')));
    for (const at of [0, 70, sealed.length - 1]) {
      const flipped = new Uint8Array(sealed);
      flipped[at] = flipped[at]! ^ 0x01;
      expect(await codeOf(acceptPayment(t.db, t.till, flipped, NOW_MS))).toBe(
        'PROTO_SEAL_OPEN_FAILED',
      );
    }
    expect(await readLedger(t.db)).toEqual([]);
  });

  it('refuses a payment meant for another till', async () => {
    const bank = makeBank();
    const t = await makeTill(bank);
    const other = await makeTill(bank, { displayName: 'Other Shop' });
    const payer = new TestPayer(bank);
    const forOther = payer.pay(await request(other, '2.50'));
    // Sealed to the other till: this one cannot open it.
    expect(await codeOf(acceptPayment(t.db, t.till, sealFor(other, forOther), NOW_MS))).toBe(
      'PROTO_SEAL_OPEN_FAILED',
    );
    // Sealed to this till but naming the other payee.
    expect(await codeOf(acceptPayment(t.db, t.till, sealFor(t, forOther), NOW_MS))).toBe(
      'PROTO_PAYMENT_WRONG_PAYEE',
    );
  });

  it('refuses a payer on the bank-signed revocation list', async () => {
    const t = await makeTill();
    const payer = new TestPayer(t.bank);
    await storeRevocations(t, 3, [payer.cert.serial]);
    const sealed = sealFor(t, payer.pay(await request(t, '2.50')));
    expect(await codeOf(acceptPayment(t.db, t.till, sealed, NOW_MS))).toBe('PROTO_CERT_REVOKED');
  });

  it('refuses a payer whose certificate has expired by the device clock', async () => {
    const t = await makeTill();
    const payer = new TestPayer(t.bank, { expiresAt: NOW + DAY });
    const sealed = sealFor(t, payer.pay(await request(t, '2.50')));
    const later = (NOW + 2 * DAY) * 1000;
    expect(await codeOf(acceptPayment(t.db, t.till, sealed, later))).toBe('PROTO_CERT_EXPIRED');
  });

  it('keeps the per-payer cap over all of one payer certificate', async () => {
    const t = await makeTill();
    await t.db.write([{ put: KEY.payerCap, value: 500 }]);
    const payer = new TestPayer(t.bank);
    await acceptPayment(t.db, t.till, sealFor(t, payer.pay(await request(t, '3.00'))), NOW_MS);
    const over = sealFor(t, payer.pay(await request(t, '2.01')));
    const error = await acceptPayment(t.db, t.till, over, NOW_MS).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'APP_PAYER_CAP_EXCEEDED' });
    // Another payer has a cap of its own; exactly the cap is still fine.
    const other = new TestPayer(t.bank);
    const atCap = sealFor(t, other.pay(await request(t, '5.00')));
    await expect(acceptPayment(t.db, t.till, atCap, NOW_MS)).resolves.toBeDefined();
    expect(await readLedger(t.db)).toHaveLength(2);
  });

  it('refuses a payment whose amount does not match its request', async () => {
    const t = await makeTill();
    const payer = new TestPayer(t.bank);
    const asked = await request(t, '2.50');
    const payment = payer.pay({ ...asked, amount: 100 });
    expect(await codeOf(acceptPayment(t.db, t.till, sealFor(t, payment), NOW_MS))).toBe(
      'PROTO_REQUEST_MISMATCH',
    );
  });

  it('refuses a payment for a request this till never made, or one already paid', async () => {
    const t = await makeTill();
    const payer = new TestPayer(t.bank);
    const asked = await request(t, '2.50');
    const unknown = payer.pay({ ...asked, requestId: new Uint8Array(16).fill(7) });
    expect(await codeOf(acceptPayment(t.db, t.till, sealFor(t, unknown), NOW_MS))).toBe(
      'APP_REQUEST_UNKNOWN',
    );
    await acceptPayment(t.db, t.till, sealFor(t, new TestPayer(t.bank).pay(asked)), NOW_MS);
    const secondPayer = sealFor(t, new TestPayer(t.bank).pay(asked));
    expect(await codeOf(acceptPayment(t.db, t.till, secondPayer, NOW_MS))).toBe(
      'APP_REQUEST_UNKNOWN',
    );
    expect(await readLedger(t.db)).toHaveLength(1);
  });

  it('refuses a payment once its request has expired', async () => {
    const t = await makeTill();
    const sealed = sealFor(t, new TestPayer(t.bank).pay(await request(t, '2.50')));
    const late = (NOW + 16 * 60) * 1000;
    expect(await codeOf(acceptPayment(t.db, t.till, sealed, late))).toBe('PROTO_REQUEST_EXPIRED');
  });

  it('refuses to act on a device clock behind the bank time already seen', async () => {
    const t = await makeTill();
    const sealed = sealFor(t, new TestPayer(t.bank).pay(await request(t, '2.50')));
    await rememberBankTime(t.db, NOW + 60);
    expect(await codeOf(acceptPayment(t.db, t.till, sealed, NOW_MS))).toBe('PROTO_CLOCK_BEHIND');
    expect(await readLedger(t.db)).toEqual([]);
  });

  it('keeps the proof of a payer who signs two payments with one counter, and refuses it after', async () => {
    const t = await makeTill();
    const payer = new TestPayer(t.bank);
    const start = payer.chain;
    await acceptPayment(t.db, t.till, sealFor(t, payer.pay(await request(t, '2.00'))), NOW_MS);
    payer.chain = start; // a cloned wallet signs counter 1 again
    const twin = sealFor(t, payer.pay(await request(t, '4.00')));
    expect(await codeOf(acceptPayment(t.db, t.till, twin, NOW_MS))).toBe(
      'PROTO_FRAUD_EQUIVOCATION',
    );
    const proofs = await fraudProofs(t.db);
    expect(proofs).toHaveLength(1);
    expect(proofs[0]).toMatchObject({ serial: payer.cert.serial, status: 'pending' });
    const next = sealFor(t, payer.pay(await request(t, '1.00')));
    expect(await codeOf(acceptPayment(t.db, t.till, next, NOW_MS))).toBe('PROTO_CERT_REVOKED');
    expect((await readLedger(t.db)).map((r) => toHex(r.paymentId))).toHaveLength(1);
  });
});
