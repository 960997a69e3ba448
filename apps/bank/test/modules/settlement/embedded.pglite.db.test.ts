/**
 * The embedded default settles exactly as Postgres does: enrollment, an honest batch, a replay and
 * a double spend caught by a fraud proof, a lost wallet and a stolen till's ledger handover, on
 * PGlite (real Postgres in WASM).
 */
import { toBase64Url } from '@offpay/crypto';
import {
  encodeLedgerHandover,
  encodeSettlementBatch,
  sealSettlementBatch,
  signLedgerHandover,
  signSettlementBatch,
} from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { assertLedgerInvariants } from '../../helpers/ledger.js';
import { signInAgain, useWorld } from '../../helpers/world.js';

const world = useWorld({ embedded: true, startTimeoutMs: 120_000 });

describe('settlement on the embedded PGlite database', () => {
  it('settles once, replays the stored result, and catches a double spend', async () => {
    const payer = await world.payer(10_000n);
    const a = await world.payee('Stall A');
    const b = await world.payee('Stall B');
    const before = { ...payer.chain };
    world.pay(payer, a, 6000);
    payer.chain = before; // the cheat: the same counter again, to another receiver
    world.pay(payer, b, 6000);

    const first = await world.batch(a);
    expect((await world.settle(first.sealed)).json()).toMatchObject({
      results: [{ status: 'settled' }],
    });
    expect((await world.settle(first.sealed)).json()).toMatchObject({ replayed: true });
    const second = await world.settle((await world.batch(b)).sealed);
    expect(second.json()).toMatchObject({
      results: [{ status: 'rejected', code: 'PROTO_FRAUD_EQUIVOCATION' }],
    });

    expect(await world.balance(a.user.accountId)).toBe(6000n);
    expect(await world.balance(b.user.accountId)).toBe(0n);
    const list = await world.app.inject({ method: 'GET', url: '/v1/revocations' });
    expect(list.json<{ serials: string[] }>().serials).toContain(String(payer.cert.serial));
    await assertLedgerInvariants(world.db);
  });
});

describe('lost and stolen devices on the embedded PGlite database', () => {
  it('a reported wallet recovers nothing beyond the reserve; a stolen till hands its ledger over', async () => {
    const payer = await world.payer(1_000n, 51_000n);
    const till = await world.payee('Kiosk');
    const thief = await world.payee('Thief');
    const report = (serial: number, user: typeof payer.user) =>
      world.post(`/v1/certificates/${serial}/report`, { reason: 'stolen' }, user);
    expect((await report(payer.cert.serial, payer.user)).statusCode).toBe(200);
    const before = { ...payer.chain };
    world.pay(payer, thief, 1_000);
    payer.chain = before;
    world.pay(payer, thief, 1_000);
    expect((await world.settle((await world.batch(thief)).sealed)).json()).toMatchObject({
      results: [{ status: 'settled' }, { status: 'rejected', code: 'PROTO_FRAUD_EQUIVOCATION' }],
    });
    expect(await world.balance(payer.user.accountId)).toBe(50_000n);

    const alice = await world.payer(5_000n);
    const accepted = world.pay(alice, till, 700);
    expect((await report(till.cert.serial, till.user)).json()).toMatchObject({ signedOut: true });
    // The report ended the merchant's sessions (docs/threat-model.md §4.1): signed in again.
    expect((await world.get('/v1/certificates', till.user)).statusCode).toBe(401);
    await signInAgain(world, till.user);
    const successor = await world.anotherTill(till.user);
    const handover = signLedgerHandover(
      { fromPayeeKid: till.kid, toPayeeKid: successor.kid, from: till.settled },
      successor.secretKey,
    );
    const res = await world.post('/v1/payee/handovers', {
      handover: toBase64Url(encodeLedgerHandover(handover)),
    });
    expect(res.statusCode, res.body).toBe(200);
    const batch = signSettlementBatch(
      { payeeKid: till.kid, from: till.settled, payments: [accepted] },
      successor.secretKey,
    );
    const sealed = sealSettlementBatch(encodeSettlementBatch(batch), await world.bankKemKey());
    expect((await world.settle(sealed)).json()).toMatchObject({ results: [{ status: 'settled' }] });
    expect(await world.balance(till.user.accountId)).toBe(700n);
    await assertLedgerInvariants(world.db);
  });
});
