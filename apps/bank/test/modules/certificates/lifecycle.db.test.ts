/**
 * Close = revoke, the signed revocation list, and the reserve's return at expiresAt + grace,
 * on Postgres: what a payer, a receiver and the bank's books see.
 */
import { fromBase64Url } from '@offpay/crypto';
import { GRACE_SECONDS, verifyRevocationList } from '@offpay/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertLedgerInvariants } from '../../helpers/ledger.js';
import { Bank, type TestUser } from '../../helpers/certificates.js';

const bank = new Bank();
beforeAll(async () => {
  await bank.start();
});
afterEach(async () => {
  await assertLedgerInvariants(bank.db);
});
afterAll(async () => {
  await bank.stop();
});

interface ListBody {
  seq: number;
  issuedAt: string;
  serials: string[];
  signed: string;
}

async function revocations(): Promise<ListBody> {
  const res = await bank.get('/v1/revocations');
  expect(res.statusCode).toBe(200);
  const body = res.json<ListBody>();
  // What a receiver does: verify under the pinned bank key, then trust the serials.
  const list = verifyRevocationList(fromBase64Url(body.signed), await bank.pinnedKeys());
  expect(list.seq).toBe(body.seq);
  expect(list.serials.map(String)).toEqual(body.serials);
  return body;
}

async function payer(limit: bigint, funds = limit): Promise<{ user: TestUser; serial: number }> {
  const user = await bank.user();
  await bank.fund(user, funds);
  const res = await bank.enrollPayer(user, limit.toString());
  expect(res.statusCode, res.body).toBe(201);
  return { user, serial: Number(res.json<{ serial: string }>().serial) };
}

const close = (serial: number, user: TestUser) =>
  bank.post(`/v1/certificates/${serial}/close`, undefined, user);

describe('closing a certificate', () => {
  it('starts with the empty signed list 0', async () => {
    expect(await revocations()).toMatchObject({ seq: 0, serials: [] });
  });

  it("refuses to close another user's certificate, as if it did not exist", async () => {
    const { user, serial } = await payer(500n);
    const mallory = await bank.user();
    const res = await close(serial, mallory);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'BANK_CERTIFICATE_NOT_FOUND' });
    expect((await close(999_999, user)).statusCode).toBe(404);
    expect((await bank.post('/v1/certificates/0/close', undefined, user)).statusCode).toBe(400);
    expect((await bank.post('/v1/certificates/abc/close', undefined, user)).statusCode).toBe(400);
    expect((await revocations()).serials).not.toContain(String(serial));
  });

  it('revokes on close, lists the serial in a new signed list, and keeps the reserve', async () => {
    const { user, serial } = await payer(700n, 1_000n);
    const before = await revocations();
    const res = await close(serial, user);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      serial: String(serial),
      kind: 'payer',
      status: 'closed',
      reason: 'closed',
      closedAt: bank.clock.toISOString(),
    });
    const after = await revocations();
    expect(after.seq).toBe(before.seq + 1);
    expect(after.serials).toContain(String(serial));
    // Closing releases nothing: the payer's word about what it spent is never trusted.
    expect(await bank.balances(user)).toEqual({ customer: 300n, reserve: 700n });

    bank.advance(60);
    const again = await close(serial, user);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(res.json());
    expect((await revocations()).seq).toBe(after.seq);
  });

  it('closes a payee certificate without touching the payer list', async () => {
    const user = await bank.user('Shop');
    const enrolled = await bank.enrollPayee(user);
    const serial = Number(enrolled.json<{ serial: string }>().serial);
    const before = await revocations();
    const res = await close(serial, user);
    expect(res.json()).toMatchObject({ kind: 'payee', status: 'closed' });
    expect(await revocations()).toMatchObject({ seq: before.seq, serials: before.serials });
  });
});

describe('revoke (for settlement)', () => {
  it('is idempotent, and a fraud after a close still marks the certificate revoked', async () => {
    const { serial } = await payer(100n);
    const { revocations: revocationsService } = bank.app.services;
    const first = await bank.db.transaction((tx) =>
      revocationsService.revoke(tx, { serial, reason: 'closed' }),
    );
    expect(first).toMatchObject({ status: 'closed', revokedNow: true, reason: 'closed' });
    expect(first.publishedSeq).toBe((await revocations()).seq);
    const second = await bank.db.transaction((tx) =>
      revocationsService.revoke(tx, { serial, reason: 'compromised' }),
    );
    expect(second).toMatchObject({
      status: 'revoked',
      revokedNow: false,
      reason: 'closed',
      publishedSeq: null,
    });
    expect(second.closedAt).toEqual(first.closedAt);
    await expect(
      bank.db.transaction((tx) => revocationsService.revoke(tx, { serial, reason: 'fraud' })),
    ).rejects.toThrow(TypeError);
    await expect(
      bank.db.transaction((tx) =>
        revocationsService.revoke(tx, { serial: 123_456_789, reason: 'compromised' }),
      ),
    ).rejects.toMatchObject({ code: 'BANK_CERTIFICATE_NOT_FOUND' });
  });

  it('publishes one list per revocation when many commit at once', async () => {
    const serials = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(async () => (await payer(10n)).serial),
    );
    const before = await revocations();
    const { revocations: revocationsService } = bank.app.services;
    const outcomes = await Promise.all(
      serials.map((serial) =>
        bank.db.transaction((tx) =>
          revocationsService.revoke(tx, { serial, reason: 'compromised' }),
        ),
      ),
    );
    const seqs = outcomes.map((o) => o.publishedSeq).sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(seqs).toEqual(serials.map((_, i) => before.seq + 1 + i));
    const latest = await revocations();
    for (const serial of serials) expect(latest.serials).toContain(String(serial));
  });
});

describe('reserve release at expiresAt + grace', () => {
  it('returns the unspent reserve exactly once, and only once the certificate cannot settle', async () => {
    const { user, serial } = await payer(1_000n, 1_500n);
    const shop = await bank.user('Shop');
    const payeeSerial = Number((await bank.enrollPayee(shop)).json<{ serial: string }>().serial);
    await bank.settle({
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
    const { user, serial } = await payer(400n, 1_000n);
    const shop = await bank.user('Shop');
    const payeeSerial = Number((await bank.enrollPayee(shop)).json<{ serial: string }>().serial);
    const settle = {
      payer: user,
      payerSerial: serial,
      payee: shop,
      payeeSerial,
      settledAt: bank.clock,
    };
    await bank.settle({ ...settle, counter: 1, amount: 400n });
    await bank.settle({ ...settle, counter: 2, amount: 50n, fromCustomer: true });
    const report = await bank.app.services.reserves.releaseExpired(
      new Date(bank.clock.getTime() + (7 * 86_400 + GRACE_SECONDS + 1) * 1000),
    );
    expect(report.released).toContainEqual({ serial, currency: 'EUR', amount: 0n });
    expect(await bank.balances(user)).toEqual({ customer: 550n, reserve: 0n });
  });

  it('drops certificates that can no longer settle from the next list', async () => {
    const { user, serial } = await payer(10n);
    expect((await close(serial, user)).statusCode).toBe(200);
    expect((await revocations()).serials).toContain(String(serial));
    bank.advance(7 * 86_400 + GRACE_SECONDS + 1);
    const other = await payer(10n);
    expect((await close(other.serial, other.user)).statusCode).toBe(200);
    const list = await revocations();
    expect(list.serials).toContain(String(other.serial));
    expect(list.serials).not.toContain(String(serial));
  });
});

describe('the release job', () => {
  it('runs by itself on the configured interval and stops when the bank closes', async () => {
    const job = new Bank();
    await job.start({
      certificates: { payerTtlSeconds: 3600, payeeTtlSeconds: 86_400, releaseIntervalSeconds: 1 },
    });
    try {
      const user = await job.user();
      await job.fund(user, 100n);
      expect((await job.enrollPayer(user, '60')).statusCode).toBe(201);
      job.advance(3600 + GRACE_SECONDS + 1);
      await expect
        .poll(() => job.balances(user), { timeout: 5_000, interval: 100 })
        .toEqual({
          customer: 100n,
          reserve: 0n,
        });
      await assertLedgerInvariants(job.db);
    } finally {
      await job.stop();
    }
  });
});
