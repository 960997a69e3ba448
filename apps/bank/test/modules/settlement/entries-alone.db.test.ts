/**
 * docs/protocol.md §9.3 as the bank applies it (issue #10 item 8): a fault of the batch itself
 * refuses it whole — nothing moves, the head stays — while an entry whose payment does not decode
 * but has a paymentId is rejected alone with its decoding code, the other entries settle, and the
 * head passes over it. Also §9.4 step 12d: a certificate whose bank signature was malleated
 * (the high-S twin) is still the bank's certificate.
 */
import { fromBase64Url, malleate, randomBytes, toHex } from '@offpay/crypto';
import {
  certificateValue,
  decodeSettlementResult,
  paymentValue,
  verifySettlementResult,
  type CborValue,
  type Payment,
} from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import {
  attackWorld,
  expectRefused,
  expectUntouched as untouched,
  fixture as makeFixture,
  handBatch,
  LIMIT,
  seal as sealTo,
  type Fixture,
} from './attack-kit.js';
import { rawBatch } from '../../helpers/world.js';

const world = attackWorld();
const fixture = () => makeFixture(world);
const seal = (batchBytes: Uint8Array) => sealTo(world, batchBytes);

async function headOf(fx: Fixture): Promise<number> {
  const [row] = await world.db.query<{ next_index: string }>(
    'SELECT next_index FROM payee_heads WHERE payee_serial = $1',
    [fx.payee.cert.serial],
  );
  return Number(row?.next_index ?? 0);
}

/** `p` with the payee's certificate as its payer certificate: it has an id, but does not decode. */
const undecodable = (fx: Fixture, p: Payment) => [
  p.tbs,
  p.signature,
  certificateValue(fx.payee.cert),
];

describe('an entry that does not decode is rejected alone', () => {
  it('settles the entries around it, rejects it with its code, and moves the head over all three', async () => {
    const fx = await fixture();
    const second = world.pay(fx.payer, fx.payee, 300);
    const batch = handBatch(fx, [
      paymentValue(fx.payment),
      undecodable(fx, world.pay(fx.payer, fx.payee, 50)),
      paymentValue(second),
    ]);
    const res = await world.settle(await seal(batch.bytes));
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ results: unknown[]; signed: string }>();
    expect(body.results).toMatchObject([
      { index: 0, status: 'settled', code: '', paymentId: toHex(fx.payment.paymentId) },
      { index: 1, status: 'rejected', code: 'PROTO_CERT_WRONG_TYPE' },
      { index: 2, status: 'settled', code: '', paymentId: toHex(second.paymentId) },
    ]);
    // The signed result says the same, and verifies under the bank's keys.
    const signed = decodeSettlementResult(fromBase64Url(body.signed));
    verifySettlementResult(signed, await world.pinnedKeys());
    expect(signed.results.map((r) => [r.index, r.status, r.code])).toEqual([
      [0, 'settled', ''],
      [1, 'rejected', 'PROTO_CERT_WRONG_TYPE'],
      [2, 'settled', ''],
    ]);
    expect(await world.balance(fx.payee.user.accountId)).toBe(1300n);
    expect(await world.balance(fx.reserve)).toBe(LIMIT - 1300n);
    expect(await headOf(fx)).toBe(3);
    // The same batch again is the stored answer, byte for byte.
    const again = await world.settle(await seal(batch.bytes));
    expect(again.json<{ signed: string; replayed: boolean }>()).toMatchObject({
      replayed: true,
      signed: body.signed,
    });
  });

  it('answers a batch whose every entry is undecodable with every entry rejected, moving nothing but the head', async () => {
    const fx = await fixture();
    const batch = handBatch(fx, [
      undecodable(fx, fx.payment),
      undecodable(fx, world.pay(fx.payer, fx.payee, 9)),
    ]);
    const res = await world.settle(await seal(batch.bytes));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ results: unknown[] }>().results).toMatchObject([
      { index: 0, status: 'rejected', code: 'PROTO_CERT_WRONG_TYPE' },
      { index: 1, status: 'rejected', code: 'PROTO_CERT_WRONG_TYPE' },
    ]);
    expect(await world.balance(fx.payee.user.accountId)).toBe(0n);
    expect(await headOf(fx)).toBe(2);
  });
});

describe('an entry without a paymentId refuses the whole batch', () => {
  const cases: [string, () => CborValue, number, string][] = [
    ['an entry that is not an array', () => 7, 400, 'PROTO_SCHEMA'],
    [
      'an entry whose first item is not a byte string',
      () => ['tbs', new Uint8Array(64)],
      400,
      'PROTO_SCHEMA',
    ],
    [
      'an entry whose tbs is over 1,024 bytes',
      () => [new Uint8Array(1025), new Uint8Array(64)],
      413,
      'PROTO_TOO_LARGE',
    ],
  ];
  it.each(cases)('%s', async (_, entry, status, code) => {
    const fx = await fixture();
    // The head cannot be computed over an entry without an id: any head will do.
    const batch = rawBatch({
      payeeKid: fx.payee.kid,
      from: fx.payee.settled,
      entries: [paymentValue(fx.payment), entry()],
      signer: fx.payee.secretKey,
      head: randomBytes(32),
    });
    expectRefused(await world.settle(await seal(batch.bytes)), status, code);
    await untouched(world, fx);
  });

  it('a batch with no entries is refused whole: 400 PROTO_SCHEMA (details.what = entries)', async () => {
    const fx = await fixture();
    const batch = handBatch(fx, []);
    const res = await world.settle(await seal(batch.bytes));
    expectRefused(res, 400, 'PROTO_SCHEMA');
    expect(res.json()).toMatchObject({ details: { what: 'entries' } });
    await untouched(world, fx);
  });
});

describe('a malleated certificate (docs/protocol.md §9.4 step 12d)', () => {
  it("settles a payment whose certificate carries the high-S twin of the bank's signature", async () => {
    const fx = await fixture();
    const twin = malleate(fx.payment.payerCert.signature);
    expect(twin).not.toEqual(fx.payment.payerCert.signature);
    const p: Payment = { ...fx.payment, payerCert: { ...fx.payment.payerCert, signature: twin } };
    const res = await world.settle((await world.batch(fx.payee, [p])).sealed);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ results: unknown[] }>().results).toMatchObject([
      { index: 0, status: 'settled', code: '', paymentId: toHex(fx.payment.paymentId) },
    ]);
    expect(await world.balance(fx.payee.user.accountId)).toBe(1000n);
    // The original certificate bytes after it: the same payment, a duplicate, nothing moves.
    world.settledAll(fx.payee);
    const again = await world.settle((await world.batch(fx.payee, [fx.payment])).sealed);
    expect(again.json<{ results: unknown[] }>().results).toMatchObject([{ status: 'duplicate' }]);
    expect(await world.balance(fx.payee.user.accountId)).toBe(1000n);
  });
});
