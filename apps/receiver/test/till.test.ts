/**
 * Accepting payments at the till (src/state/accept.ts): what is recorded, the receipt the payer
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
import { META } from '../src/db.js';
import { checkLedger, readLedger, toLedgerEntry } from '../src/state/ledger.js';
import { findRequest } from '../src/state/requests.js';
import { readHead } from '../src/state/till.js';
import {
  accept,
  DAY,
  makeBank,
  makeTill,
  NOW,
  payRequest,
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
    const accepted = await accept(t, first, sealFor(t, p1));

    expect(accepted.amount.toString()).toBe('2.50 EUR');
    expect(accepted.record.index).toBe(0);
    const receipt = decodeReceipt(accepted.receiptBytes);
    expect(() => verifyReceipt(receipt, t.till.cert, p1.paymentId)).not.toThrow();
    expect(receipt.index).toBe(0);
    expect(receipt.acceptedAt).toBe(NOW);

    const second = await request(t, '1.20');
    const p2 = payer.pay(second);
    const again = await accept(t, second, sealFor(t, p2));
    expect(again.record.index).toBe(1);

    const records = await readLedger(t.db);
    expect(records.map((r) => r.amount)).toEqual([250, 120]);
    const head = verifyLedger(records.map(toLedgerEntry), emptyLedgerHead(t.till.cert.serial));
    expect(head).toEqual(await readHead(t.db, META.ledgerHead, t.till));
    expect(records[1]!.payment).toEqual(encodePayment(p2));
    expect((await findRequest(t.db, first.requestId))?.request).toMatchObject({
      status: 'paid',
      paidIndex: 0,
    });
    expect((await t.db.get('ledger', 1))?.receipt).toEqual(again.receiptBytes);
    expect(records[0]!.memo).toBe('Coffee');
    await expect(checkLedger(t.db, t.till)).resolves.toHaveLength(2);
  });

  it('refuses the same sealed payment twice as a duplicate, leaving the ledger as it was', async () => {
    const t = await makeTill();
    const r = await request(t, '2.50');
    const sealed = sealFor(t, new TestPayer(t.bank).pay(r));
    await accept(t, r, sealed);
    const before = await t.db.snapshot();
    const error = await accept(t, r, sealed).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROTO_PAYMENT_DUPLICATE', details: { index: 0 } });
    expect(await t.db.snapshot()).toEqual(before);
  });

  it('reads a malleated or re-sealed copy as a duplicate, never as fraud', async () => {
    const t = await makeTill();
    const r = await request(t, '3.00');
    const p = new TestPayer(t.bank).pay(r);
    await accept(t, r, sealFor(t, p));
    const value = decodeCbor(encodePayment(p)) as CborValue[];
    value[1] = malleate(p.signature);
    const malleated = encodeCbor(value);
    expect(await codeOf(accept(t, r, sealFor(t, malleated)))).toBe('PROTO_PAYMENT_DUPLICATE');
    expect(await codeOf(accept(t, r, sealFor(t, p)))).toBe('PROTO_PAYMENT_DUPLICATE');
    expect(await t.db.all('fraud')).toEqual([]);
    expect(await readLedger(t.db)).toHaveLength(1);
  });

  it('refuses a sealed payment with one flipped byte as damaged or tampered', async () => {
    const t = await makeTill();
    const r = await request(t, '2.50');
    const sealed = sealFor(t, new TestPayer(t.bank).pay(r));
    for (const at of [0, 70, sealed.length - 1]) {
      const flipped = new Uint8Array(sealed);
      flipped[at] = flipped[at]! ^ 0x01;
      expect(await codeOf(accept(t, r, flipped))).toBe('PROTO_SEAL_OPEN_FAILED');
    }
    expect(await readLedger(t.db)).toEqual([]);
  });

  it('refuses a payment meant for another till', async () => {
    const bank = makeBank();
    const t = await makeTill(bank);
    const other = await makeTill(bank, { displayName: 'Other Shop' });
    const payer = new TestPayer(bank);
    const mine = await request(t, '2.50');
    const forOther = payer.pay(await request(other, '2.50'));
    // Sealed to the other till: this one cannot open it.
    expect(await codeOf(accept(t, mine, sealFor(other, forOther)))).toBe('PROTO_SEAL_OPEN_FAILED');
    // Sealed to this till but naming the other payee.
    expect(await codeOf(accept(t, mine, sealFor(t, forOther)))).toBe('PROTO_PAYMENT_WRONG_PAYEE');
  });

  it('refuses a payer on the bank-signed revocation list', async () => {
    const t = await makeTill();
    const payer = new TestPayer(t.bank);
    await storeRevocations(t, 3, [payer.cert.serial]);
    const r = await request(t, '2.50');
    expect(await codeOf(accept(t, r, sealFor(t, payer.pay(r))))).toBe('PROTO_CERT_REVOKED');
  });

  it('refuses a payer whose certificate has expired by the device clock', async () => {
    const t = await makeTill();
    const payer = new TestPayer(t.bank, { expiresAt: NOW + DAY });
    const r = await request(t, '2.50');
    const later = (NOW + 2 * DAY) * 1000;
    expect(await codeOf(accept(t, r, sealFor(t, payer.pay(r)), later))).toBe('PROTO_CERT_EXPIRED');
  });

  it('keeps the per-payer cap over all of one payer certificate', async () => {
    const t = await makeTill();
    await t.db.write([{ put: 'meta', key: META.payerCap, value: 500 }]);
    const payer = new TestPayer(t.bank);
    await payRequest(t, payer, '3.00');
    const error = await payRequest(t, payer, '2.01').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'APP_PAYER_CAP_EXCEEDED' });
    // Another payer has a cap of its own; exactly the cap is still fine.
    await expect(payRequest(t, new TestPayer(t.bank), '5.00')).resolves.toMatchObject({
      record: { index: 1, amount: 500 },
    });
    expect(await readLedger(t.db)).toHaveLength(2);
  });

  it('refuses a payment whose amount does not match its request', async () => {
    const t = await makeTill();
    const payer = new TestPayer(t.bank);
    const asked = await request(t, '2.50');
    const payment = payer.pay({ ...asked, amount: 100 });
    expect(await codeOf(accept(t, asked, sealFor(t, payment)))).toBe('PROTO_REQUEST_MISMATCH');
  });

  it('refuses a payment for a request this till never made', async () => {
    const t = await makeTill();
    const asked = await request(t, '2.50');
    const unknown = { ...asked, requestId: new Uint8Array(16).fill(7) };
    const sealed = sealFor(t, new TestPayer(t.bank).pay(unknown));
    // Shown on no screen of this till, or answering another request than the one shown.
    expect(await codeOf(accept(t, unknown, sealed))).toBe('APP_REQUEST_UNKNOWN');
    expect(await codeOf(accept(t, asked, sealed))).toBe('PROTO_REQUEST_MISMATCH');
    expect(await readLedger(t.db)).toEqual([]);
  });

  it('refuses a second payment for a paid request, and says which entry paid it', async () => {
    const t = await makeTill();
    const asked = await request(t, '2.50');
    const first = sealFor(t, new TestPayer(t.bank).pay(asked));
    await accept(t, asked, first);
    const second = sealFor(t, new TestPayer(t.bank).pay(asked));
    const error = await accept(t, asked, second).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'APP_REQUEST_ALREADY_PAID', details: { paidIndex: 0 } });
    // The same payment again is still a duplicate, whatever request is shown: that check comes
    // first.
    expect(await codeOf(accept(t, asked, first))).toBe('PROTO_PAYMENT_DUPLICATE');
    const unknown = { ...asked, requestId: new Uint8Array(16).fill(9) };
    expect(await codeOf(accept(t, unknown, first))).toBe('PROTO_PAYMENT_DUPLICATE');
    expect(await codeOf(accept(t, await request(t, '1.00'), first))).toBe(
      'PROTO_PAYMENT_DUPLICATE',
    );
    expect(await readLedger(t.db)).toHaveLength(1);
  });

  it('takes a payment only for the request on screen', async () => {
    const t = await makeTill();
    const payer = new TestPayer(t.bank);
    const shown = await request(t, '2.50');
    // Another tab of the till shows a request of the same amount: its payment is not this one.
    const elsewhere = await request(t, '2.50');
    const forElsewhere = sealFor(t, payer.pay(elsewhere));
    const error = await accept(t, shown, forElsewhere).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROTO_REQUEST_MISMATCH' });
    expect(await readLedger(t.db)).toEqual([]);
    await expect(accept(t, elsewhere, forElsewhere)).resolves.toMatchObject({
      record: { index: 0 },
    });
  });

  it('closes the open request when a new one is made: it can no longer be paid', async () => {
    const t = await makeTill();
    const older = await request(t, '1.00');
    const sealed = sealFor(t, new TestPayer(t.bank).pay(older));
    await request(t, '2.00');
    expect((await findRequest(t.db, older.requestId))?.request.status).toBe('closed');
    expect(await codeOf(accept(t, older, sealed))).toBe('APP_REQUEST_UNKNOWN');
    expect(await readLedger(t.db)).toEqual([]);
  });

  it('refuses a payment once its request has expired', async () => {
    const t = await makeTill();
    const r = await request(t, '2.50');
    const late = (NOW + 16 * 60) * 1000;
    expect(await codeOf(accept(t, r, sealFor(t, new TestPayer(t.bank).pay(r)), late))).toBe(
      'PROTO_REQUEST_EXPIRED',
    );
  });

  it('refuses to act on a device clock behind the bank time already seen', async () => {
    const t = await makeTill();
    const r = await request(t, '2.50');
    const sealed = sealFor(t, new TestPayer(t.bank).pay(r));
    await rememberBankTime(t.db, NOW + 60);
    expect(await codeOf(accept(t, r, sealed))).toBe('PROTO_CLOCK_BEHIND');
    expect(await readLedger(t.db)).toEqual([]);
  });

  it('keeps the proof of a payer who signs two payments with one counter, and refuses it after', async () => {
    const t = await makeTill();
    const payer = new TestPayer(t.bank);
    const start = payer.chain;
    await payRequest(t, payer, '2.00');
    payer.chain = start; // a cloned wallet signs counter 1 again
    const twin = await request(t, '4.00');
    expect(await codeOf(accept(t, twin, sealFor(t, payer.pay(twin))))).toBe(
      'PROTO_FRAUD_EQUIVOCATION',
    );
    const proofs = await t.db.all('fraud');
    expect(proofs).toHaveLength(1);
    expect(proofs[0]).toMatchObject({ serial: payer.cert.serial, status: 'pending' });
    expect(await codeOf(payRequest(t, payer, '1.00'))).toBe('PROTO_CERT_REVOKED');
    expect((await readLedger(t.db)).map((r) => toHex(r.paymentId))).toHaveLength(1);
  });
});
