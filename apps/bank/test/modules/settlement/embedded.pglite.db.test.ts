/**
 * The embedded default settles exactly as Postgres does: enrollment, an honest batch, a replay and
 * a double spend caught by a fraud proof, on PGlite (real Postgres in WASM).
 */
import { describe, expect, it } from 'vitest';
import { assertLedgerInvariants } from '../../helpers/ledger.js';
import { useWorld } from '../../helpers/world.js';

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
