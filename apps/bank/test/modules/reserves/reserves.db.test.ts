/**
 * The reserve returns by itself at expiresAt + grace, exactly once, on Postgres: what the payer's
 * accounts and its wallet's sync show, and the job that runs it on the bank's clock.
 */
import { GRACE_SECONDS } from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { assertLedgerInvariants } from '../../helpers/ledger.js';
import { useWorld, World } from '../../helpers/world.js';

const start = new Date('2030-01-01T00:00:00.000Z');
// The bank clock starts at a fixed instant; the in-memory stores follow it.
const bank = useWorld({ clock: start, invariants: true });

describe('reserve release at expiresAt + grace', () => {
  it('returns the unspent reserve exactly once, and only once the certificate cannot settle', async () => {
    const {
      user,
      cert: { serial },
    } = await bank.payer(1_000n, 1_500n);
    const shop = await bank.merchant('Shop');
    const payeeSerial = Number((await bank.enrollPayee(shop)).json<{ serial: string }>().serial);
    await bank.recordSettledPayment({
      payer: user,
      payerSerial: serial,
      payee: shop,
      payeeSerial,
      counter: 1,
      amount: 300n,
      settledAt: bank.clock,
    });
    expect(await bank.balances(user)).toEqual({ customer: 500n, reserve: 700n });
    const { reserves } = bank.app.services;
    const expiry = bank.clock.getTime() + 7 * 86_400_000;
    const at = (seconds: number) => new Date(expiry + seconds * 1000);

    // Settlement still accepts at expiresAt + grace (and within that second): nothing returns.
    for (const t of [at(GRACE_SECONDS - 1), at(GRACE_SECONDS), at(GRACE_SECONDS + 0.999)]) {
      const report = await reserves.releaseExpired(t);
      expect(report.released.filter((r) => r.serial === serial)).toEqual([]);
    }
    expect(await bank.balances(user)).toEqual({ customer: 500n, reserve: 700n });

    const report = await reserves.releaseExpired(at(GRACE_SECONDS + 1));
    expect(report.released).toContainEqual({ serial, currency: 'EUR', amount: 700n });
    expect(report.failed).toEqual([]);
    expect(await bank.balances(user)).toEqual({ customer: 1_200n, reserve: 0n });

    const twice = await reserves.releaseExpired(at(GRACE_SECONDS + 100));
    expect(twice.released.filter((r) => r.serial === serial)).toEqual([]);
    expect(await bank.balances(user)).toEqual({ customer: 1_200n, reserve: 0n });
    const sync = (await bank.get('/v1/payer/sync', user)).json<{
      certificates: { serial: string; reserveRemainingMinor: string; reserveReleasedAt: string }[];
    }>();
    expect(sync.certificates[0]).toMatchObject({
      serial: String(serial),
      reserveRemainingMinor: '0',
      reserveReleasedAt: at(GRACE_SECONDS + 1).toISOString(),
    });
  });

  it('releases nothing when recovery took the payer past its limit, and still marks it done', async () => {
    const {
      user,
      cert: { serial },
    } = await bank.payer(400n, 1_000n);
    const shop = await bank.merchant('Shop');
    const payeeSerial = Number((await bank.enrollPayee(shop)).json<{ serial: string }>().serial);
    const settle = {
      payer: user,
      payerSerial: serial,
      payee: shop,
      payeeSerial,
      settledAt: bank.clock,
    };
    await bank.recordSettledPayment({ ...settle, counter: 1, amount: 400n });
    await bank.recordSettledPayment({ ...settle, counter: 2, amount: 50n, fromCustomer: true });
    const report = await bank.app.services.reserves.releaseExpired(
      new Date(bank.clock.getTime() + (7 * 86_400 + GRACE_SECONDS + 1) * 1000),
    );
    expect(report.released).toContainEqual({ serial, currency: 'EUR', amount: 0n });
    expect(await bank.balances(user)).toEqual({ customer: 550n, reserve: 0n });
  });
});

describe('the release job', () => {
  it('runs by itself on the configured interval and stops when the bank closes', async () => {
    const job = await World.create({
      clock: start,
      config: {
        certificates: { payerTtlSeconds: 3600, payeeTtlSeconds: 86_400, releaseIntervalSeconds: 1 },
      },
    });
    try {
      const user = await job.user();
      await job.fund(user, 100n);
      expect((await job.enrollPayer(user, '60')).statusCode).toBe(201);
      job.advance(3600 + GRACE_SECONDS + 1);
      await expect
        .poll(() => job.balances(user), { timeout: 5_000, interval: 100 })
        .toEqual({ customer: 100n, reserve: 0n });
      await assertLedgerInvariants(job.db);
    } finally {
      await job.stop();
    }
  });
});
