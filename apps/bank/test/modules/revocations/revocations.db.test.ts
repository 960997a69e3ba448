/**
 * Close = revoke and the signed revocation list on Postgres: what a payer, a receiver and the
 * bank's books see. Every list is read as a receiver reads it: verified under the pinned keys.
 */
import { GRACE_SECONDS } from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { useWorld, type User } from '../../helpers/world.js';

// The bank clock starts at a fixed instant; the in-memory stores follow it.
const bank = useWorld({ clock: new Date('2030-01-01T00:00:00.000Z'), invariants: true });

const close = (serial: number, user: User) =>
  bank.post(`/v1/certificates/${serial}/close`, undefined, user);

describe('closing a certificate', () => {
  it('starts with the empty signed list 0', async () => {
    expect(await bank.revocationList()).toMatchObject({ seq: 0, serials: [] });
  });

  it("refuses to close another user's certificate, as if it did not exist", async () => {
    const {
      user,
      cert: { serial },
    } = await bank.payer(500n);
    const mallory = await bank.user();
    const res = await close(serial, mallory);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'BANK_CERTIFICATE_NOT_FOUND' });
    expect((await close(999_999, user)).statusCode).toBe(404);
    expect((await bank.post('/v1/certificates/0/close', undefined, user)).statusCode).toBe(400);
    expect((await bank.post('/v1/certificates/abc/close', undefined, user)).statusCode).toBe(400);
    expect((await bank.revocationList()).serials).not.toContain(String(serial));
  });

  it('revokes on close, lists the serial in a new signed list, and keeps the reserve', async () => {
    const {
      user,
      cert: { serial },
    } = await bank.payer(700n, 1_000n);
    const before = await bank.revocationList();
    const res = await close(serial, user);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      serial: String(serial),
      kind: 'payer',
      status: 'closed',
      reason: 'closed',
      closedAt: bank.clock.toISOString(),
    });
    const after = await bank.revocationList();
    expect(after.seq).toBe(before.seq + 1);
    expect(after.serials).toContain(String(serial));
    // Closing releases nothing: the payer's word about what it spent is never trusted.
    expect(await bank.balances(user)).toEqual({ customer: 300n, reserve: 700n });

    bank.advance(60);
    const again = await close(serial, user);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(res.json());
    expect((await bank.revocationList()).seq).toBe(after.seq);
  });

  it('closes a payee certificate without touching the payer list', async () => {
    const user = await bank.merchant('Shop');
    const enrolled = await bank.enrollPayee(user);
    const serial = Number(enrolled.json<{ serial: string }>().serial);
    const before = await bank.revocationList();
    const res = await close(serial, user);
    expect(res.json()).toMatchObject({ kind: 'payee', status: 'closed' });
    expect(await bank.revocationList()).toMatchObject({ seq: before.seq, serials: before.serials });
  });
});

describe('revoke (for settlement)', () => {
  it('is idempotent, and a fraud after a close still marks the certificate revoked', async () => {
    const {
      cert: { serial },
    } = await bank.payer(100n);
    const { revocations: revocationsService } = bank.app.services;
    const first = await bank.db.transaction((tx) =>
      revocationsService.revoke(tx, { serial, reason: 'closed' }),
    );
    expect(first).toMatchObject({ status: 'closed', revokedNow: true, reason: 'closed' });
    expect(first.publishedSeq).toBe((await bank.revocationList()).seq);
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
      [1, 2, 3, 4, 5, 6].map(async () => (await bank.payer(10n)).cert.serial),
    );
    const before = await bank.revocationList();
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
    const latest = await bank.revocationList();
    for (const serial of serials) expect(latest.serials).toContain(String(serial));
  });

  it('drops certificates that can no longer settle from the next list', async () => {
    const {
      user,
      cert: { serial },
    } = await bank.payer(10n);
    expect((await close(serial, user)).statusCode).toBe(200);
    expect((await bank.revocationList()).serials).toContain(String(serial));
    bank.advance(7 * 86_400 + GRACE_SECONDS + 1);
    const other = await bank.payer(10n);
    expect((await close(other.cert.serial, other.user)).statusCode).toBe(200);
    const list = await bank.revocationList();
    expect(list.serials).toContain(String(other.cert.serial));
    expect(list.serials).not.toContain(String(serial));
  });
});
