/**
 * Per-entry attacks on POST /v1/settlements against real Postgres (issue 4 "Attacks"; DESIGN.md §3
 * "Settlement rule"; docs/protocol.md §6 as the bank applies it): the batch is answered 200, the
 * entry carries its status and exact code, and nothing moves for it. Fraud: attacks-fraud.db.test.ts.
 */
import {
  decodePayerCertificate,
  encodeCbor,
  GRACE_SECONDS,
  issuePayerCertificate,
  signedBytes,
  SIGN_LABEL,
  type Payment,
} from '@offpay/protocol';
import { generateSecretKey, malleate, sign, toHex } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import { attackWorld, balances as kitBalances, craft as kitCraft } from './attack-kit.js';
import { type PayeeDevice, type PayerDevice } from '../../helpers/world.js';

const world = attackWorld();

const settle = (payee: PayeeDevice, payments: Payment[]) => world.settleEntries(payee, payments);

const balances = (payer: PayerDevice, ...payees: PayeeDevice[]) =>
  kitBalances(world, payer, ...payees);
const craft = (
  payer: PayerDevice,
  payee: PayeeDevice,
  fields: Partial<Payment> & { amount: number },
  key?: Uint8Array,
) => kitCraft(world, payer, payee, fields, key);

async function fraudRows(serial: number): Promise<unknown[]> {
  return world.db.query('SELECT kind FROM fraud_proofs WHERE serial = $1', [serial]);
}

describe('signatures and issuers', () => {
  it('rejects a payment under a valid certificate signed by another key: PROTO_SIGNATURE_INVALID', async () => {
    const payer = await world.payer(10_000n);
    const payee = await world.payee();
    const forged = craft(payer, payee, { amount: 900 }, generateSecretKey());
    const zeroed = { ...craft(payer, payee, { amount: 800 }), signature: new Uint8Array(64) };
    const before = await balances(payer, payee);
    expect(await settle(payee, [forged, zeroed])).toMatchObject([
      { index: 0, status: 'rejected', code: 'PROTO_SIGNATURE_INVALID' },
      { index: 1, status: 'rejected', code: 'PROTO_SIGNATURE_INVALID' },
    ]);
    expect(await balances(payer, payee)).toEqual(before);
    expect(before).toEqual([10_000n, 0n, 0n]);
  });

  it("rejects a payer certificate issued by a key that is not this bank's: PROTO_UNKNOWN_ISSUER", async () => {
    const payer = await world.payer(10_000n);
    const payee = await world.payee();
    const foreign = issuePayerCertificate({ ...payer.cert, limit: 1_000_000 }, generateSecretKey());
    const p = craft({ ...payer, cert: foreign }, payee, { amount: 50_000 });
    // The bank's kid on a certificate the bank never signed: its signature fails (§6 step 3).
    const { issuerKid, serial, signKey, expiresAt } = payer.cert;
    const tbs = encodeCbor([1, 1, issuerKid, serial, signKey, 'EUR', expiresAt, 1_000_000]);
    const impostor = decodePayerCertificate(
      encodeCbor([tbs, sign(signedBytes(SIGN_LABEL.payerCert, tbs), generateSecretKey())]),
    );
    const q = craft({ ...payer, cert: impostor }, payee, { amount: 40_000 });
    expect(await settle(payee, [p, q])).toMatchObject([
      { status: 'rejected', code: 'PROTO_UNKNOWN_ISSUER' },
      { status: 'rejected', code: 'PROTO_SIGNATURE_INVALID' },
    ]);
    expect(await balances(payer, payee)).toEqual([10_000n, 0n, 0n]);
  });
});

describe("certificate lifetime by the bank's clock", () => {
  it('settles exactly at expiresAt + GRACE_SECONDS (the reserve is still held) and rejects one second later: PROTO_CERT_EXPIRED', async () => {
    const payer = await world.payer(10_000n);
    const payee = await world.payee();
    const p1 = world.pay(payer, payee, 1000);
    const p2 = world.pay(payer, payee, 2000);
    const release = () => world.app.services.reserves.releaseExpired(world.clock);
    const releasedFor = async () =>
      (await release()).released.filter((r) => r.serial === payer.cert.serial);
    world.clock = new Date((payer.cert.expiresAt + GRACE_SECONDS) * 1000);
    expect(await releasedFor()).toEqual([]);
    expect(await settle(payee, [p1])).toMatchObject([{ status: 'settled', code: '' }]);
    world.clock = new Date((payer.cert.expiresAt + GRACE_SECONDS + 1) * 1000);
    expect(await settle(payee, [p2])).toMatchObject([
      { status: 'rejected', code: 'PROTO_CERT_EXPIRED' },
    ]);
    expect(await balances(payer, payee)).toEqual([9000n, 0n, 1000n]);
    // Strictly after expiresAt + grace the rest of the reserve returns, once.
    expect(await releasedFor()).toMatchObject([{ amount: 9000n }]);
    expect(await releasedFor()).toEqual([]);
    expect(await balances(payer, payee)).toEqual([0n, 9000n, 1000n]);
  });

  it('rejects a payment created after its certificate expired, even within the grace: PROTO_CERT_EXPIRED', async () => {
    const payer = await world.payer(10_000n);
    const payee = await world.payee();
    world.clock = new Date((payer.cert.expiresAt + 10) * 1000);
    const late = craft(payer, payee, { amount: 100, createdAt: payer.cert.expiresAt + 1 });
    expect(await settle(payee, [late])).toMatchObject([
      { status: 'rejected', code: 'PROTO_CERT_EXPIRED' },
    ]);
    expect(await balances(payer, payee)).toEqual([10_000n, 0n, 0n]);
  });

  it('settles a payment dated 300 s after the bank clock and rejects 301 s: PROTO_PAYMENT_FROM_FUTURE', async () => {
    const payer = await world.payer(10_000n);
    const payee = await world.payee();
    const atSkew = craft(payer, payee, { amount: 100, createdAt: world.now + 300 });
    const ahead = craft(payer, payee, {
      amount: 100,
      createdAt: world.now + 301,
      counter: 2,
      prev: atSkew.paymentId,
      spent: 200,
    });
    expect(await settle(payee, [atSkew, ahead])).toMatchObject([
      { status: 'settled' },
      { status: 'rejected', code: 'PROTO_PAYMENT_FROM_FUTURE' },
    ]);
    expect(await balances(payer, payee)).toEqual([9900n, 0n, 100n]);
  });
});

describe('payee, currency and amount', () => {
  it('rejects a payment naming another payee: PROTO_PAYMENT_WRONG_PAYEE, and its payee can still settle it', async () => {
    const payer = await world.payer(10_000n);
    const a = await world.payee('Shop A');
    const b = await world.payee('Shop B');
    const forB = craft(payer, b, { amount: 700 });
    expect(await settle(a, [forB])).toMatchObject([
      { status: 'rejected', code: 'PROTO_PAYMENT_WRONG_PAYEE' },
    ]);
    expect(await balances(payer, a, b)).toEqual([10_000n, 0n, 0n, 0n]);
    expect(await settle(b, [forB])).toMatchObject([{ status: 'settled' }]);
    expect(await balances(payer, a, b)).toEqual([9300n, 0n, 0n, 700n]);
  });

  it('rejects a USD payer paying an EUR payee: PROTO_CURRENCY_MISMATCH', async () => {
    const payer = await world.payer(5000n, 5000n, 'USD');
    expect(payer.cert.currency).toBe('USD');
    const payee = await world.payee();
    expect(await settle(payee, [craft(payer, payee, { amount: 1000 })])).toMatchObject([
      { status: 'rejected', code: 'PROTO_CURRENCY_MISMATCH' },
    ]);
    expect(await balances(payer, payee)).toEqual([5000n, 0n, 0n]);
  });

  it('rejects an amount of zero: PROTO_AMOUNT_INVALID', async () => {
    const payer = await world.payer(10_000n);
    const payee = await world.payee();
    expect(await settle(payee, [craft(payer, payee, { amount: 0 })])).toMatchObject([
      { status: 'rejected', code: 'PROTO_AMOUNT_INVALID' },
    ]);
    expect(await balances(payer, payee)).toEqual([10_000n, 0n, 0n]);
  });
});

describe('over the limit', () => {
  it('rejects a single payment whose spent exceeds the limit: PROTO_PAYMENT_OVER_LIMIT', async () => {
    const payer = await world.payer(10_000n, 50_000n);
    const payee = await world.payee();
    expect(await settle(payee, [craft(payer, payee, { amount: 10_001 })])).toMatchObject([
      { status: 'rejected', code: 'PROTO_PAYMENT_OVER_LIMIT' },
    ]);
    expect(await balances(payer, payee)).toEqual([10_000n, 40_000n, 0n]);
  });

  it('rejects an honest chain pushed past the limit across batches and payees: PROTO_PAYMENT_OVER_LIMIT', async () => {
    const payer = await world.payer(10_000n, 50_000n);
    const a = await world.payee('Shop A');
    const b = await world.payee('Shop B');
    const p1 = world.pay(payer, a, 6000);
    expect(await settle(a, [p1])).toMatchObject([{ status: 'settled' }]);
    const p2 = craft(payer, b, { counter: 2, prev: p1.paymentId, spent: 11_000, amount: 5000 });
    expect(await settle(b, [p2])).toMatchObject([
      { status: 'rejected', code: 'PROTO_PAYMENT_OVER_LIMIT' },
    ]);
    // The payer's available balance is not touched: an honest chain is not a fraud.
    expect(await balances(payer, a, b)).toEqual([4000n, 40_000n, 6000n, 0n]);
    expect(await fraudRows(payer.cert.serial)).toEqual([]);
  });
});

describe('one payment, one id', () => {
  it('treats a malleated signature of a settled payment, presented later by the same payee, as a duplicate, never a fraud', async () => {
    const payer = await world.payer(10_000n);
    const payee = await world.payee();
    const p = world.pay(payer, payee, 1500);
    expect(await settle(payee, [p])).toMatchObject([{ status: 'settled' }]);
    const twin: Payment = { ...p, signature: malleate(p.signature) };
    expect(twin.signature).not.toEqual(p.signature);
    expect(await settle(payee, [twin])).toMatchObject([
      { status: 'duplicate', code: '', paymentId: toHex(p.paymentId) },
    ]);
    expect(await balances(payer, payee)).toEqual([8500n, 0n, 1500n]);
    expect(await fraudRows(payer.cert.serial)).toEqual([]);
    expect(await world.revokedSerials()).not.toContain(payer.cert.serial);
    expect(await settle(payee, [world.pay(payer, payee, 500)])).toMatchObject([
      { status: 'settled' },
    ]);
  });

  it('settles a payment listed twice in one batch once: the second entry is a duplicate', async () => {
    const payer = await world.payer(10_000n);
    const payee = await world.payee();
    const p = world.pay(payer, payee, 400);
    expect(await settle(payee, [p, { ...p, signature: malleate(p.signature) }, p])).toMatchObject([
      { index: 0, status: 'settled' },
      { index: 1, status: 'duplicate', code: '' },
      { index: 2, status: 'duplicate', code: '' },
    ]);
    expect(await balances(payer, payee)).toEqual([9600n, 0n, 400n]);
    expect(await fraudRows(payer.cert.serial)).toEqual([]);
  });
});
