/**
 * Whole-batch attacks on POST /v1/settlements against real Postgres (issue 4 "Attacks"; DESIGN.md
 * §5 "Batch semantics"): the payee's identity, replays, the receiver's chain, signatures and
 * sealing. Each is refused with its exact status and code, never a 5xx; nothing moves; and the
 * payee's settled head does not advance (an honest batch from the old head settles afterwards).
 * Encoding, amounts and size limits: attacks-wire.db.test.ts.
 */
import { generateSecretKey, kid, randomBytes, toBase64Url, toHex } from '@offpay/crypto';
import {
  certificateValue,
  emptyLedgerHead,
  encodeCbor,
  encodeSettlementBatch,
  GRACE_SECONDS,
  paymentValue,
  signSettlementBatch,
} from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import {
  attackWorld,
  expectRefused,
  expectRejectedAlone,
  expectUntouched as untouched,
  fixture as makeFixture,
  handBatch,
  seal as sealTo,
  wireParts as parts,
  LIMIT,
  type Fixture,
} from './attack-kit.js';
import { auth, rawBatch } from '../../helpers/world.js';

const world = attackWorld();
const fixture = () => makeFixture(world);
const expectUntouched = (fx: Fixture) => untouched(world, fx);
const seal = (batchBytes: Uint8Array) => sealTo(world, batchBytes);
const wireParts = (fx: Fixture) => parts(world, fx);

describe('payer certificates posing as payee certificates', () => {
  it("refuses a batch signed with the payer's key under the payer's kid as payee: 404 BANK_UNKNOWN_PAYEE", async () => {
    const fx = await fixture();
    const payerKid = kid(fx.payer.cert.signKey);
    const batch = rawBatch({
      payeeKid: payerKid,
      from: emptyLedgerHead(fx.payer.cert.serial),
      entries: [paymentValue(fx.payment)],
      signer: fx.payer.secretKey,
    });
    expectRefused(await world.settle(await seal(batch.bytes)), 404, 'BANK_UNKNOWN_PAYEE');
    await expectUntouched(fx);
  });

  it('rejects the entry of a payment carrying a payee certificate as its payer certificate alone: PROTO_CERT_WRONG_TYPE', async () => {
    const fx = await fixture();
    const p = fx.payment;
    const batch = handBatch(fx, [[p.tbs, p.signature, certificateValue(fx.payee.cert)]]);
    const res = await world.settle(await seal(batch.bytes));
    await expectRejectedAlone(world, fx, res, 'PROTO_CERT_WRONG_TYPE');
  });
});

describe('payees that may not settle', () => {
  it('refuses a batch from a payee revoked as compromised: 403 BANK_PAYEE_REVOKED (one its owner only closed still settles)', async () => {
    const fx = await fixture();
    const heads = () =>
      world.db.query('SELECT next_index, head FROM payee_heads WHERE payee_serial = $1', [
        fx.payee.cert.serial,
      ]);
    const close = await world.app.inject({
      method: 'POST',
      url: `/v1/certificates/${fx.payee.cert.serial}/close`,
      headers: auth(fx.payee.user),
    });
    expect(close.statusCode, close.body).toBe(200);
    await world.db.transaction((tx) =>
      world.app.services.revocations.revoke(tx, {
        serial: fx.payee.cert.serial,
        reason: 'compromised',
      }),
    );
    const before = await heads();
    const res = await world.settle((await world.batch(fx.payee, [fx.payment])).sealed);
    expectRefused(res, 403, 'BANK_PAYEE_REVOKED');
    expect(await heads()).toEqual(before);
    expect(await world.balance(fx.payee.user.accountId)).toBe(0n);
    expect(await world.balance(fx.reserve)).toBe(LIMIT);
    // A retired till (closed by its owner, not revoked) settles what it accepted.
    const closedOnly = await fixture();
    const closed = await world.app.inject({
      method: 'POST',
      url: `/v1/certificates/${closedOnly.payee.cert.serial}/close`,
      headers: auth(closedOnly.payee.user),
    });
    expect(closed.statusCode, closed.body).toBe(200);
    await expectUntouched(closedOnly);
  });

  it('refuses a batch from a payee whose certificate expired beyond the grace: 403 BANK_PAYEE_EXPIRED', async () => {
    const fx = await fixture();
    const { sealed } = await world.batch(fx.payee, [fx.payment]);
    try {
      world.clock = new Date((fx.payee.cert.expiresAt + GRACE_SECONDS + 1) * 1000);
      expectRefused(await world.settle(sealed), 403, 'BANK_PAYEE_EXPIRED');
    } finally {
      world.clock = new Date();
    }
    await expectUntouched(fx);
  });
});

describe('replays and idempotency keys', () => {
  it('answers a whole-batch replay with the stored result, refuses another or a garbled key, and pays once', async () => {
    const fx = await fixture();
    const { sealed, batchKey } = await world.batch(fx.payee, [fx.payment]);
    const first = await world.settle(sealed, { 'idempotency-key': toHex(batchKey) });
    expect(first.statusCode, first.body).toBe(200);
    const same = await world.settle(sealed, { 'idempotency-key': toHex(batchKey) });
    expect(same.statusCode).toBe(200);
    expect(same.json()).toMatchObject({
      replayed: true,
      signed: first.json<{ signed: string }>().signed,
    });
    const other = await world.settle(sealed, { 'idempotency-key': toHex(randomBytes(32)) });
    expectRefused(other, 422, 'BANK_IDEMPOTENCY_KEY_MISMATCH');
    expect(other.json<{ details: { batchKey: string } }>().details.batchKey).toBe(toHex(batchKey));
    for (const garbled of [
      'not a key',
      toHex(batchKey).slice(1),
      `${toHex(batchKey)}00`,
      'zz'.repeat(32),
    ]) {
      expectRefused(
        await world.settle(sealed, { 'idempotency-key': garbled }),
        400,
        'BANK_IDEMPOTENCY_KEY_INVALID',
      );
    }
    expectRefused(
      await world.settle(sealed, { 'idempotency-key': 'a'.repeat(201) }),
      400,
      'BANK_BAD_REQUEST',
    );
    expect(await world.balance(fx.payee.user.accountId)).toBe(1000n);
    expect(await world.balance(fx.reserve)).toBe(LIMIT - 1000n);
  });
});

describe("the receiver's chain", () => {
  it('refuses a batch that skips ahead of the stored head: 409 BANK_BATCH_NOT_CONTINUOUS', async () => {
    const fx = await fixture();
    const p2 = world.pay(fx.payer, fx.payee, 500);
    const skipping = {
      ...fx.payee,
      settled: { nextIndex: 1, head: fx.payee.ledger[0]!.entryHash },
    };
    const res = await world.settle((await world.batch(skipping, [p2])).sealed);
    expectRefused(res, 409, 'BANK_BATCH_NOT_CONTINUOUS');
    expect(res.json()).toMatchObject({
      details: { expectedFromIndex: 0, expectedPrevHead: toHex(fx.payee.settled.head) },
    });
    await expectUntouched(fx);
  });

  it('refuses a forked chain: a second batch from an already settled index with other entries (409)', async () => {
    const fx = await fixture();
    await expectUntouched(fx); // settles the payment at index 0
    const other = world.pay(fx.payer, fx.payee, 300);
    const res = await world.settle((await world.batch(fx.payee, [other])).sealed);
    expectRefused(res, 409, 'BANK_BATCH_NOT_CONTINUOUS');
    expect(res.json()).toMatchObject({ details: { expectedFromIndex: 1 } });
    expect(await world.balance(fx.payee.user.accountId)).toBe(1000n);
    expect(await world.balance(fx.reserve)).toBe(LIMIT - 1000n);
  });

  it("refuses a truncated batch (the full ledger's head over fewer entries): 400 PROTO_BATCH_HEAD_MISMATCH", async () => {
    const fx = await fixture();
    world.pay(fx.payer, fx.payee, 200);
    const truncated = rawBatch({
      payeeKid: fx.payee.kid,
      from: fx.payee.settled,
      entries: [paymentValue(fx.payment)],
      head: fx.payee.head.head,
      signer: fx.payee.secretKey,
    });
    expectRefused(
      await world.settle(await seal(truncated.bytes)),
      400,
      'PROTO_BATCH_HEAD_MISMATCH',
    );
    await expectUntouched(fx);
  });

  it('refuses a reordered batch under the original head: 400 PROTO_BATCH_HEAD_MISMATCH', async () => {
    const fx = await fixture();
    const p2 = world.pay(fx.payer, fx.payee, 200);
    const reordered = rawBatch({
      payeeKid: fx.payee.kid,
      from: fx.payee.settled,
      entries: [paymentValue(p2), paymentValue(fx.payment)],
      head: fx.payee.head.head,
      signer: fx.payee.secretKey,
    });
    expectRefused(
      await world.settle(await seal(reordered.bytes)),
      400,
      'PROTO_BATCH_HEAD_MISMATCH',
    );
    await expectUntouched(fx);
  });
});

describe('signatures and sealing', () => {
  it('refuses an unsigned batch (64 zero bytes as signature): 400 PROTO_SIGNATURE_INVALID', async () => {
    const fx = await fixture();
    const unsigned = rawBatch({
      payeeKid: fx.payee.kid,
      from: fx.payee.settled,
      entries: [paymentValue(fx.payment)],
      signer: fx.payee.secretKey,
      signature: new Uint8Array(64),
    });
    expectRefused(await world.settle(await seal(unsigned.bytes)), 400, 'PROTO_SIGNATURE_INVALID');
    await expectUntouched(fx);
  });

  it("refuses a batch signed by another key than the payee's: 400 PROTO_SIGNATURE_INVALID", async () => {
    const fx = await fixture();
    const batch = signSettlementBatch(
      { payeeKid: fx.payee.kid, from: fx.payee.settled, payments: [fx.payment] },
      generateSecretKey(),
    );
    expectRefused(
      await world.settle(await seal(encodeSettlementBatch(batch))),
      400,
      'PROTO_SIGNATURE_INVALID',
    );
    await expectUntouched(fx);
  });

  it('refuses a plaintext (unsealed) batch posted raw or as JSON with a PROTO_ code (400)', async () => {
    const fx = await fixture();
    const batch = signSettlementBatch(
      { payeeKid: fx.payee.kid, from: fx.payee.settled, payments: [fx.payment] },
      fx.payee.secretKey,
    );
    const plain = encodeSettlementBatch(batch);
    expectRefused(await world.settle(plain), 400, /^PROTO_/);
    const json = await world.app.inject({
      method: 'POST',
      url: '/v1/settlements',
      payload: { sealed: toBase64Url(plain) },
    });
    expectRefused(json, 400, /^PROTO_/);
    await expectUntouched(fx);
  });

  it('refuses tampered sealed bytes (one ciphertext bit flipped): 400 PROTO_SEAL_OPEN_FAILED', async () => {
    const fx = await fixture();
    const [v, kemKid, sealed] = await wireParts(fx);
    for (const at of [0, 70, sealed.length - 1]) {
      const flipped = new Uint8Array(sealed);
      flipped[at]! ^= 0x01;
      expectRefused(
        await world.settle(encodeCbor([v, kemKid, flipped])),
        400,
        'PROTO_SEAL_OPEN_FAILED',
      );
    }
    expectRefused(
      await world.settle(encodeCbor([v, kemKid, sealed.subarray(0, 90)])),
      400,
      'PROTO_SEAL_OPEN_FAILED',
    );
    await expectUntouched(fx);
  });

  it('refuses an unknown bank KEM key id in the wire form: 400 PROTO_UNKNOWN_RECIPIENT_KEY', async () => {
    const fx = await fixture();
    const [v, , sealed] = await wireParts(fx);
    const unknown = randomBytes(8);
    const res = await world.settle(encodeCbor([v, unknown, sealed]));
    expectRefused(res, 400, 'PROTO_UNKNOWN_RECIPIENT_KEY');
    expect(res.json()).toMatchObject({ details: { kemKid: toHex(unknown) } });
    await expectUntouched(fx);
  });
});
