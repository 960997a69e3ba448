/**
 * Settlement through HTTP against real Postgres: honest batches, exactly-once replays, and the
 * ledger invariants after every test.
 */
import { toBase64Url, toHex } from '@offpay/crypto';
import {
  decodeSettlementResult,
  verifySettlementResult,
  bankKeySet,
  encodeFile,
} from '@offpay/protocol';
import { fromBase64Url, fromHex } from '@offpay/crypto';
import { settlementAnswer } from '@offpay/api';
import { describe, expect, it } from 'vitest';
import { useWorld } from '../../helpers/world.js';

const world = useWorld({ invariants: true });

interface ResultBody {
  batchKey: string;
  replayed: boolean;
  head: string;
  results: { index: number; paymentId: string; status: string; code: string }[];
  signed: string;
}

describe('POST /v1/settlements', () => {
  it('settles an honest batch: the payee is credited, the reserve debited, the result bank-signed', async () => {
    const payer = await world.payer(10_000n);
    const payee = await world.payee();
    const reserveBefore = await world.balance(await reserveAccount(payer.user.userId));
    world.pay(payer, payee, 1250);
    world.pay(payer, payee, 800);
    world.pay(payer, payee, 2000);
    const { sealed, batchKey } = await world.batch(payee);
    const res = await world.settle(sealed);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<ResultBody>();
    expect(body.results.map((r) => r.status)).toEqual(['settled', 'settled', 'settled']);
    expect(body.batchKey).toBe(toHex(batchKey));
    expect(body.head).toBe(toHex(payee.head.head));
    expect(await world.balance(payee.user.accountId)).toBe(4050n);
    expect(await world.balance(await reserveAccount(payer.user.userId))).toBe(
      reserveBefore - 4050n,
    );
    const keys = await world.app.inject({ method: 'GET', url: '/v1/keys' });
    const bankKeys = bankKeySet(
      keys.json<{ signKeys: { publicKey: string }[] }>().signKeys.map((k) => fromHex(k.publicKey)),
    );
    expect(() =>
      verifySettlementResult(decodeSettlementResult(fromBase64Url(body.signed)), bankKeys),
    ).not.toThrow();
    const again = await world.app.inject({
      method: 'GET',
      url: `/v1/settlements/${body.batchKey}`,
    });
    expect(again.json<ResultBody>().signed).toBe(body.signed);
    // Both answers are written as built, without the schema's parse: they are the contract
    // exactly, with nothing it would strip or refuse.
    for (const answer of [body, again.json<ResultBody>()])
      expect(settlementAnswer.parse(answer)).toEqual(answer);
  });

  it('answers a replayed batch with the stored result, under the same or no key, and moves nothing', async () => {
    const payer = await world.payer(5_000n);
    const payee = await world.payee();
    world.pay(payer, payee, 700);
    const { sealed, batchKey } = await world.batch(payee);
    const first = await world.settle(sealed, { 'idempotency-key': toHex(batchKey) });
    expect(first.statusCode, first.body).toBe(200);
    const balance = await world.balance(payee.user.accountId);
    const again = await world.settle(sealed);
    const keyed = await world.settle(sealed, { 'idempotency-key': toHex(batchKey).toUpperCase() });
    for (const r of [again, keyed]) {
      expect(r.statusCode).toBe(200);
      expect(r.json<ResultBody>()).toMatchObject({
        replayed: true,
        signed: first.json<ResultBody>().signed,
      });
    }
    expect(await world.balance(payee.user.accountId)).toBe(balance);
  });

  it('answers a replay with the stored result even after the payee was revoked, but settles nothing new for it', async () => {
    const payer = await world.payer(5_000n);
    const payee = await world.payee();
    world.pay(payer, payee, 400);
    const { sealed } = await world.batch(payee);
    const first = await world.settle(sealed);
    expect(first.statusCode, first.body).toBe(200);
    await world.db.transaction((tx) =>
      world.app.services.revocations.revoke(tx, {
        serial: payee.cert.serial,
        reason: 'compromised',
      }),
    );
    const again = await world.settle(sealed);
    expect(again.statusCode).toBe(200);
    expect(again.json<ResultBody>()).toMatchObject({
      replayed: true,
      signed: first.json<ResultBody>().signed,
    });
    world.settledAll(payee);
    world.pay(payer, payee, 100);
    const fresh = await world.settle((await world.batch(payee)).sealed);
    expect(fresh.statusCode).toBe(403);
    expect(fresh.json()).toMatchObject({ code: 'BANK_PAYEE_REVOKED' });
    expect(await world.balance(payee.user.accountId)).toBe(400n);
  });

  it('settles one batch drawing on more reserves than one transfer has legs (65 payers)', async () => {
    const payee = await world.payee();
    const payers = [];
    for (let i = 0; i < 65; i++) payers.push(await world.payer(1_000n));
    for (const payer of payers) world.pay(payer, payee, 10);
    const res = await world.settle((await world.batch(payee)).sealed);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<ResultBody>().results.every((r) => r.status === 'settled')).toBe(true);
    expect(await world.balance(payee.user.accountId)).toBe(650n);
  });

  it('refuses an Idempotency-Key that is not the batch key (422) or is garbled (400), moving nothing', async () => {
    const payer = await world.payer(5_000n);
    const payee = await world.payee();
    world.pay(payer, payee, 700);
    const { sealed } = await world.batch(payee);
    const other = await world.settle(sealed, { 'idempotency-key': 'ab'.repeat(32) });
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ code: 'BANK_IDEMPOTENCY_KEY_MISMATCH' });
    const garbled = await world.settle(sealed, { 'idempotency-key': 'not a key' });
    expect(garbled.statusCode).toBe(400);
    expect(garbled.json()).toMatchObject({ code: 'BANK_IDEMPOTENCY_KEY_INVALID' });
    expect(await world.balance(payee.user.accountId)).toBe(0n);
  });

  it('accepts the sealed batch as JSON {sealed} and as an offpay file, as the curl flow sends it', async () => {
    const payer = await world.payer(5_000n);
    const payee = await world.payee();
    world.pay(payer, payee, 100);
    const { sealed } = await world.batch(payee);
    const json = await world.app.inject({
      method: 'POST',
      url: '/v1/settlements',
      payload: { sealed: toBase64Url(sealed) },
    });
    expect(json.statusCode, json.body).toBe(200);
    const file = JSON.parse(encodeFile('settlement-batch', sealed, { entries: 1 })) as object;
    const viaFile = await world.app.inject({
      method: 'POST',
      url: '/v1/settlements',
      payload: file,
    });
    expect(viaFile.statusCode, viaFile.body).toBe(200);
    expect(viaFile.json<ResultBody>().replayed).toBe(true);
  });

  it('refuses an offpay file whose readable fields an offpay file may not carry, moving nothing', async () => {
    const payer = await world.payer(5_000n);
    const payee = await world.payee();
    world.pay(payer, payee, 100);
    const { sealed } = await world.batch(payee);
    const file = JSON.parse(encodeFile('settlement-batch', sealed)) as Record<string, unknown>;
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`note${i}`, 'x']));
    for (const extra of [{ note: true }, { note: 'x'.repeat(1025) }, many]) {
      const res = await world.app.inject({
        method: 'POST',
        url: '/v1/settlements',
        payload: { ...file, ...extra },
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ code: 'PROTO_FILE_INVALID' });
    }
    expect(await world.balance(payee.user.accountId)).toBe(0n);
  });

  it('refuses an offpay file of another type with PROTO_FILE_WRONG_TYPE, naming both types', async () => {
    const payer = await world.payer(5_000n);
    const payee = await world.payee();
    world.pay(payer, payee, 100);
    const { sealed } = await world.batch(payee);
    const file = JSON.parse(encodeFile('payment', sealed)) as object;
    const res = await world.app.inject({ method: 'POST', url: '/v1/settlements', payload: file });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'PROTO_FILE_WRONG_TYPE',
      details: { expected: 'settlement-batch', actual: 'payment' },
    });
    expect(await world.balance(payee.user.accountId)).toBe(0n);
  });

  it('documents the three request forms and the byte limit in the OpenAPI', async () => {
    const doc = (await world.app.inject('/docs/json')).json<{
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: object }> } }>
      >;
    }>();
    const content = doc.paths['/v1/settlements']?.['post']?.requestBody?.content ?? {};
    expect(Object.keys(content)).toEqual([
      'application/cbor',
      'application/octet-stream',
      'application/json',
    ]);
    expect(content['application/cbor']?.schema).toMatchObject({
      format: 'binary',
      maxLength: 1_399_296,
    });
    const json = JSON.stringify(content['application/json']?.schema);
    expect(json).toContain('"sealed"');
    expect(json).toContain('"settlement-batch"');
    expect(json).toContain('1399296');
  });

  it('settles a second batch that continues from the settled head, and refuses one that does not', async () => {
    const payer = await world.payer(5_000n);
    const payee = await world.payee();
    world.pay(payer, payee, 100);
    const first = await world.batch(payee);
    expect((await world.settle(first.sealed)).statusCode).toBe(200);
    world.settledAll(payee);
    world.pay(payer, payee, 200);
    const second = await world.batch(payee);
    expect((await world.settle(second.sealed)).statusCode).toBe(200);
    // A batch rebuilt from the genesis again does not continue from the head the bank holds.
    world.pay(payer, payee, 300);
    const stale = { ...payee, settled: { nextIndex: 1, head: payee.ledger[0]!.entryHash } };
    const res = await world.settle((await world.batch(stale)).sealed);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'BANK_BATCH_NOT_CONTINUOUS',
      details: { expectedFromIndex: 2 },
    });
    expect(await world.balance(payee.user.accountId)).toBe(300n);
  });
});

async function reserveAccount(userId: string): Promise<string> {
  const [row] = await world.db.query<{ id: string }>(
    "SELECT id FROM accounts WHERE user_id = $1 AND kind = 'reserve'",
    [userId],
  );
  return row!.id;
}
