/**
 * Whole-batch attacks on the wire (issue 4 "Attacks"; docs/protocol.md §1, §3, §9): malformed,
 * non-canonical and unknown-version CBOR, negative and overflowing amounts, size limits, the HTTP
 * envelope, and mutated bytes. Each is refused with its exact status and code, never a 5xx;
 * nothing moves; the payee's settled head does not advance. Other batch attacks:
 * attacks-batch.db.test.ts.
 */
import { concatBytes, fromHex, randomBytes, sign, toBase64Url } from '@offpay/crypto';
import {
  certificateValue,
  encodeCbor,
  encodeSettlementBatch,
  LIMITS,
  payerGenesis,
  paymentValue,
  sealSettlementBatch,
  SIGN_LABEL,
  signedBytes,
  signSettlementBatch,
  type CborValue,
} from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import {
  attackWorld,
  expectRefused,
  expectUntouched as untouched,
  fixture as makeFixture,
  handBatch,
  seal as sealTo,
  wireParts as parts,
  type Fixture,
} from './attack-kit.js';
import { SEALED_BATCH_MAX_BYTES, SETTLEMENT_BODY_LIMIT } from '@offpay/api';
import { rawBatch } from '../../helpers/world.js';

const world = attackWorld();
const fixture = () => makeFixture(world);
const expectUntouched = (fx: Fixture) => untouched(world, fx);
const seal = (batchBytes: Uint8Array) => sealTo(world, batchBytes);
const wireParts = (fx: Fixture) => parts(world, fx);

describe('encoding', () => {
  it('refuses malformed CBOR: 400 PROTO_CBOR_*', async () => {
    const fx = await fixture();
    const { sealed } = await world.batch(fx.payee, [fx.payment]);
    const garbage = randomBytes(64);
    garbage[0] = 0x1c; // a reserved additional-information value: never well-formed
    for (const bytes of [
      garbage,
      sealed.subarray(0, sealed.length - 1),
      concatBytes(sealed, Uint8Array.of(0)),
      Uint8Array.of(0xff),
      new Uint8Array(0),
    ]) {
      expectRefused(await world.settle(bytes), 400, /^PROTO_CBOR_/);
    }
    await expectUntouched(fx);
  });

  it('refuses non-canonical CBOR (the version as a non-shortest integer): 400 PROTO_CBOR_NONCANONICAL', async () => {
    const fx = await fixture();
    const { sealed } = await world.batch(fx.payee, [fx.payment]);
    expect(sealed[1]).toBe(0x01);
    const longForm = concatBytes(Uint8Array.of(sealed[0]!, 0x18, 0x01), sealed.subarray(2));
    expectRefused(await world.settle(longForm), 400, 'PROTO_CBOR_NONCANONICAL');
    await expectUntouched(fx);
  });

  it('refuses an unknown version (wire form version 2): 400 PROTO_VERSION_UNSUPPORTED', async () => {
    const fx = await fixture();
    const [, kemKid, sealed] = await wireParts(fx);
    expectRefused(
      await world.settle(encodeCbor([2, kemKid, sealed])),
      400,
      'PROTO_VERSION_UNSUPPORTED',
    );
    await expectUntouched(fx);
  });
});

describe('amounts', () => {
  /** A payment tbs with raw CBOR bytes in place of the amount and spent, signed by the payer. */
  function rawAmountPayment(fx: Fixture, amountCbor: Uint8Array) {
    const serial = fx.payer.cert.serial;
    const SENTINEL = Uint8Array.of(0x1a, 0x7e, 0xad, 0xbe, 0xef); // the uint 0x7eadbeef
    const template = encodeCbor([
      1,
      serial,
      1,
      payerGenesis(serial),
      0x7eadbeef,
      0x7eadbeef,
      fx.payee.kid,
      randomBytes(16),
      world.now,
    ]);
    const parts: Uint8Array[] = [];
    let last = 0;
    for (let i = 0; i + SENTINEL.length <= template.length; i++) {
      if (SENTINEL.every((b, j) => template[i + j] === b)) {
        parts.push(template.subarray(last, i), amountCbor);
        last = i + SENTINEL.length;
      }
    }
    parts.push(template.subarray(last));
    expect(parts).toHaveLength(5);
    const tbs = concatBytes(...parts);
    const signature = sign(signedBytes(SIGN_LABEL.payment, tbs), fx.payer.secretKey);
    return [tbs, signature, certificateValue(fx.payer.cert)];
  }

  it('refuses a negative amount (a signed tbs holding -5): 400 PROTO_SCHEMA', async () => {
    const fx = await fixture();
    const batch = handBatch(fx, [rawAmountPayment(fx, encodeCbor(-5))]);
    expectRefused(await world.settle(await seal(batch.bytes)), 400, 'PROTO_SCHEMA');
    await expectUntouched(fx);
  });

  it('refuses an overflowing amount (2^53 as 0x1b0020000000000000): 400 PROTO_CBOR_FORBIDDEN', async () => {
    const fx = await fixture();
    const overflow = Uint8Array.of(0x1b, 0x00, 0x20, 0, 0, 0, 0, 0, 0);
    const batch = handBatch(fx, [rawAmountPayment(fx, overflow)]);
    expectRefused(await world.settle(await seal(batch.bytes)), 400, 'PROTO_CBOR_FORBIDDEN');
    await expectUntouched(fx);
  });
});

describe('size limits', () => {
  it(`refuses a body over SETTLEMENT_BODY_LIMIT (${SETTLEMENT_BODY_LIMIT} bytes): 413 naming the limit`, async () => {
    const fx = await fixture();
    const raw = await world.settle(new Uint8Array(SETTLEMENT_BODY_LIMIT + 1));
    const json = await world.app.inject({
      method: 'POST',
      url: '/v1/settlements',
      payload: { sealed: 'A'.repeat(SETTLEMENT_BODY_LIMIT + 1) },
    });
    for (const res of [raw, json]) {
      expectRefused(res, 413, 'BANK_BODY_TOO_LARGE');
      const body = res.json<{ message: string; details: { limitBytes: number } }>();
      expect(body.message).toContain(String(SETTLEMENT_BODY_LIMIT));
      expect(body.details.limitBytes).toBe(SETTLEMENT_BODY_LIMIT);
    }
    await expectUntouched(fx);
  });

  it('refuses sealed bytes over the sealed-batch bound but within the body limit: 413 PROTO_TOO_LARGE', async () => {
    const fx = await fixture();
    const [v, kemKid] = await wireParts(fx);
    const huge = encodeCbor([v, kemKid, new Uint8Array(SEALED_BATCH_MAX_BYTES)]);
    expect(huge.length).toBeLessThan(SETTLEMENT_BODY_LIMIT);
    expectRefused(await world.settle(huge), 413, 'PROTO_TOO_LARGE');
    await expectUntouched(fx);
  });

  it(`refuses a batch of more than LIMITS.batchEntries (${LIMITS.batchEntries}) entries: 413 PROTO_BATCH_TOO_MANY_ENTRIES`, async () => {
    const fx = await fixture();
    const entries = Array.from({ length: LIMITS.batchEntries + 1 }, () => paymentValue(fx.payment));
    const res = await world.settle(await seal(handBatch(fx, entries).bytes));
    expectRefused(res, 413, 'PROTO_BATCH_TOO_MANY_ENTRIES');
    expect(res.json()).toMatchObject({
      details: { limit: LIMITS.batchEntries, actual: LIMITS.batchEntries + 1 },
    });
    await expectUntouched(fx);
  });
});

describe('mutated bytes', () => {
  it('never answers 5xx to a batch with a byte flipped anywhere inside it (sealed again to the bank)', async () => {
    const fx = await fixture();
    const batch = signSettlementBatch(
      { payeeKid: fx.payee.kid, from: fx.payee.settled, payments: [fx.payment] },
      fx.payee.secretKey,
    );
    const plain = encodeSettlementBatch(batch);
    const kem = await world.bankKemKey();
    for (let at = 0; at < plain.length; at += 5) {
      const mutated = new Uint8Array(plain);
      mutated[at]! ^= [0x01, 0x80, 0xff][at % 3]!;
      const res = await world.settle(sealSettlementBatch(mutated, kem));
      expect(res.statusCode, `byte ${at}: ${res.body}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `byte ${at}: ${res.body}`).toBeLessThan(500);
      expect(res.json<{ code: string }>().code).toMatch(/^(PROTO|BANK)_[A-Z_]+$/);
    }
    await expectUntouched(fx);
  });

  it('rejects every payment or certificate with a byte flipped (re-signed by the payee), never 5xx', async () => {
    const fx = await fixture();
    const other = await world.payee('Fuzz Shop');
    const q = world.pay(fx.payer, other, 700);
    const cert = fx.payer.cert;
    const variants: CborValue[] = [];
    for (let at = 0; at < q.tbs.length; at += 3) {
      const tbs = new Uint8Array(q.tbs);
      tbs[at]! ^= 0x01;
      variants.push([tbs, q.signature, certificateValue(cert)]);
    }
    for (let at = 0; at < cert.tbs.length; at += 4) {
      const certTbs = new Uint8Array(cert.tbs);
      certTbs[at]! ^= 0x01;
      variants.push([q.tbs, q.signature, [certTbs, cert.signature]]);
    }
    for (const at of [0, 31, 32, 63]) {
      const signature = new Uint8Array(q.signature);
      signature[at]! ^= 0x01;
      variants.push([q.tbs, signature, certificateValue(cert)]);
    }
    for (const entry of variants) {
      const batch = rawBatch({
        payeeKid: other.kid,
        from: other.settled,
        entries: [entry],
        signer: other.secretKey,
      });
      const res = await world.settle(await seal(batch.bytes));
      if (res.statusCode === 200) {
        const body = res.json<{ results: { status: string; code: string }[]; head: string }>();
        expect(body.results, res.body).toMatchObject([{ status: 'rejected' }]);
        expect(body.results[0]!.code).toMatch(/^(PROTO|BANK)_[A-Z_]+$/);
        other.settled = { nextIndex: other.settled.nextIndex + 1, head: fromHex(body.head) };
      } else {
        expectRefused(res, 400, /^PROTO_/);
      }
    }
    expect(await world.balance(other.user.accountId)).toBe(0n);
    await expectUntouched(fx);
  });
});

describe('the HTTP envelope', () => {
  it('refuses a garbled JSON body: 400 BANK_BAD_REQUEST', async () => {
    const fx = await fixture();
    for (const payload of ['{"sealed": ', '{"sealed": "not base64url!"}', '[]', '']) {
      const res = await world.app.inject({
        method: 'POST',
        url: '/v1/settlements',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expectRefused(res, 400, 'BANK_BAD_REQUEST');
    }
    await expectUntouched(fx);
  });

  it('refuses a malformed offpay file with the PROTO_FILE_* codes (docs/protocol.md §9.6)', async () => {
    const fx = await fixture();
    for (const payload of [
      '{"offpay": 1}',
      '{"offpay": 2, "type": "settlement-batch", "data": "AA"}',
      '{"offpay": 1, "type": "settlement-batch", "data": "A"}',
      '{"offpay": 1, "type": "settlement-batch", "data": "AB"}',
      '{"offpay": 1, "type": "nonsense", "data": "AA"}',
    ]) {
      const res = await world.app.inject({
        method: 'POST',
        url: '/v1/settlements',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expectRefused(res, 400, 'PROTO_FILE_INVALID');
    }
    await expectUntouched(fx);
  });

  it('refuses every unlisted media type, text/plain included: 415 naming the accepted, CBOR first', async () => {
    const fx = await fixture();
    const { sealed } = await world.batch(fx.payee, [fx.payment]);
    for (const [type, payload] of [
      ['application/xml', Buffer.from(sealed)],
      ['text/plain', toBase64Url(sealed)],
      ['text/plain; charset=utf-8', toBase64Url(sealed)],
      ['multipart/form-data; boundary=x', '--x--'],
      ['application/x-www-form-urlencoded', `sealed=${toBase64Url(sealed)}`],
      ['image/png', Buffer.from(sealed)],
    ] as const) {
      const res = await world.app.inject({
        method: 'POST',
        url: '/v1/settlements',
        headers: { 'content-type': type },
        payload,
      });
      expectRefused(res, 415, 'BANK_UNSUPPORTED_MEDIA_TYPE');
      expect(res.json()).toMatchObject({
        message: expect.stringMatching(
          /application\/cbor.*application\/octet-stream.*application\/json/,
        ),
        details: { accepted: ['application/cbor', 'application/octet-stream', 'application/json'] },
      });
    }
    await expectUntouched(fx);
  });
});
