/**
 * Self-dealing (issue #10 item 3): one user is both the payer and the payee — its own phone pays
 * its own till. Honest payments settle from the reserve; a double spend to itself beyond the
 * reserve settles too, recovery from itself moving nothing (it used to fail every retry with 500
 * BANK_TRANSFER_INVALID, the netted transfer being empty, so the till could never settle again and
 * the fraud proof was lost). In every case the proof is stored and the till settles afterwards.
 */
import { describe, expect, it } from 'vitest';
import { craftPayment, useWorld, type PayeeDevice, type PayerDevice } from '../../helpers/world.js';

const world = useWorld({ invariants: true });

interface ResultBody {
  results: { status: string; code: string }[];
}

/** A user with `funds`, a phone reserving `limit` and a till of its own. */
async function selfDealer(
  limit: bigint,
  funds: bigint,
): Promise<{ phone: PayerDevice; till: PayeeDevice }> {
  const phone = await world.payer(limit, funds);
  return { phone, till: await world.payeeOf(phone.user, 'Own Shop') };
}

/** The phone's two first payments of `amount` each to its own till (an equivocation). */
function doubleSpend(phone: PayerDevice, till: PayeeDevice, amount: number): void {
  for (let i = 0; i < 2; i++) {
    world.append(till, craftPayment(phone, { amount, payeeKid: till.kid, createdAt: world.now }));
  }
}

async function settleAll(till: PayeeDevice): Promise<ResultBody['results']> {
  const res = await world.settle((await world.batch(till)).sealed);
  expect(res.statusCode, res.body).toBe(200);
  world.settledAll(till);
  return res.json<ResultBody>().results;
}

async function proofs(phone: PayerDevice): Promise<string[]> {
  const rows = await world.db.query<{ kind: string }>(
    'SELECT kind FROM fraud_proofs WHERE serial = $1',
    [phone.cert.serial],
  );
  return rows.map((r) => r.kind);
}

/** The till settles an honest payment from a new phone of someone else afterwards. */
async function expectTillGoesOn(till: PayeeDevice): Promise<void> {
  const other = await world.payer(5_000n);
  world.pay(other, till, 700);
  expect(await settleAll(till)).toMatchObject([{ status: 'settled', code: '' }]);
}

describe('a payer paying its own till', () => {
  it('within the reserve: settles from the reserve into its own account', async () => {
    const { phone, till } = await selfDealer(1_000n, 3_000n);
    world.pay(phone, till, 300);
    world.pay(phone, till, 200);
    expect((await settleAll(till)).map((r) => r.status)).toEqual(['settled', 'settled']);
    expect(await world.balances(phone.user)).toEqual({ customer: 2_500n, reserve: 500n });
    await expectTillGoesOn(till);
  });

  it('a double spend within the reserve: both settle from the reserve, the proof is stored', async () => {
    const { phone, till } = await selfDealer(1_000n, 3_000n);
    doubleSpend(phone, till, 400);
    expect((await settleAll(till)).map((r) => r.status)).toEqual(['settled', 'settled']);
    expect(await proofs(phone)).toEqual(['equivocation']);
    expect(await world.balances(phone.user)).toEqual({ customer: 2_800n, reserve: 200n });
    await expectTillGoesOn(till);
  });

  it('a double spend beyond the reserve: settles, recovery from itself moves nothing, the proof is stored', async () => {
    const { phone, till } = await selfDealer(1_000n, 3_000n);
    doubleSpend(phone, till, 800);
    expect(await settleAll(till)).toMatchObject([
      { status: 'settled', code: '' },
      { status: 'settled', code: '' },
    ]);
    expect(await proofs(phone)).toEqual(['equivocation']);
    expect(await world.revokedSerials()).toContain(phone.cert.serial);
    // The whole reserve came back to its owner; the 600 beyond it stayed where it was.
    expect(await world.balances(phone.user)).toEqual({ customer: 3_000n, reserve: 0n });
    const [cert] = await world.db.query<{ settled: bigint }>(
      'SELECT settled_minor AS settled FROM payer_certificates WHERE serial = $1',
      [phone.cert.serial],
    );
    expect(cert!.settled).toBe(1_600n);
    await expectTillGoesOn(till);
  });

  it('a double spend beyond the reserve and the balance: the second is rejected as fraud, the proof is stored', async () => {
    const { phone, till } = await selfDealer(1_000n, 1_100n);
    doubleSpend(phone, till, 1_000);
    expect(await settleAll(till)).toMatchObject([
      { status: 'settled', code: '' },
      { status: 'rejected', code: 'PROTO_FRAUD_EQUIVOCATION' },
    ]);
    expect(await proofs(phone)).toEqual(['equivocation']);
    expect(await world.balances(phone.user)).toEqual({ customer: 1_100n, reserve: 0n });
    await expectTillGoesOn(till);
  });
});
