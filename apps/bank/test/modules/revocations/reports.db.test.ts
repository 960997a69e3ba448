/**
 * Lost and stolen devices on Postgres (docs/threat-model.md "Liability"): the owner's list of
 * certificates, a report's marks and audit line, and a compromise revocation by the bank (the
 * operators' route calls the same `revoke`) ending recovery like the owner's report does (that a
 * fraud revocation alone does not is settlement/stolen-wallet.db.test.ts's first case). The first
 * report or compromise ends every session of the owner (docs/threat-model.md §4.1): regression
 * tests — before, the stolen phone's tab kept its token until it expired and could enroll a new
 * wallet on the victim's account.
 */
import { describe, expect, it } from 'vitest';
import { signInAgain, useWorld, type User } from '../../helpers/world.js';

const bank = useWorld({ invariants: true });

const report = (serial: number, user: User, reason = 'stolen') =>
  bank.post(`/v1/certificates/${serial}/report`, { reason }, user);

/** Another signed-in tab of `user` (another device's session), with its own token. */
async function anotherSession(user: User): Promise<User> {
  const other = { ...user };
  await signInAgain(bank, other);
  return other;
}

/** What an authed route answers `user` (GET /v1/certificates). */
async function authedAs(user: User) {
  const res = await bank.get('/v1/certificates', user);
  return { status: res.statusCode, code: res.json<{ code?: string }>().code };
}

const REVOKED = { status: 401, code: 'BANK_TOKEN_REVOKED' };
const OK = { status: 200, code: undefined };

async function sessionsEnded(userId: string) {
  return bank.db.query<{ actor: string; data: Record<string, string> }>(
    "SELECT actor, data FROM audit_log WHERE action = 'user.sessions_ended' AND data->>'user' = $1",
    [userId],
  );
}

async function marks(serial: number) {
  const [row] = await bank.db.query<{ recovery_ended_at: Date | null; reported_at: Date | null }>(
    'SELECT recovery_ended_at, reported_at FROM payer_certificates WHERE serial = $1',
    [serial],
  );
  return row!;
}

describe('GET /v1/certificates', () => {
  it("lists the owner's wallets and tills, newest first, with what was reported; nobody else's", async () => {
    const payer = await bank.payer(1_500n, 5_000n);
    const second = await bank.payerOf(payer.user, 500n);
    const till = await bank.payeeOf(payer.user, 'Own Stall');
    expect((await report(second.cert.serial, payer.user, 'lost')).statusCode).toBe(200);
    await signInAgain(bank, payer.user);
    const res = await bank.get('/v1/certificates', payer.user);
    expect(res.statusCode, res.body).toBe(200);
    const list = res.json<{ certificates: Record<string, unknown>[] }>().certificates;
    expect(list.map((c) => c.serial)).toEqual(
      [till.cert.serial, second.cert.serial, payer.cert.serial].map(String),
    );
    expect(list[0]).toMatchObject({
      kind: 'payee',
      status: 'active',
      limitMinor: null,
      displayName: expect.stringMatching(/^Own Stall/),
      reason: null,
      reportedAt: null,
      handedOverTo: null,
    });
    expect(list[1]).toMatchObject({
      kind: 'payer',
      status: 'revoked',
      currency: 'EUR',
      limitMinor: '500',
      reason: 'compromised',
      reportedAt: expect.any(String),
    });
    expect(list[2]).toMatchObject({ kind: 'payer', status: 'active', limitMinor: '1500' });
    const stranger = await bank.user();
    expect((await bank.get('/v1/certificates', stranger)).json()).toEqual({ certificates: [] });
    expect((await bank.get('/v1/certificates')).statusCode).toBe(401);
  });
});

describe('reporting a device lost or stolen', () => {
  it('marks the report and the end of recovery once, lists the serial, and audits the report once', async () => {
    const payer = await bank.payer(1_000n, 3_000n);
    const first = await report(payer.cert.serial, payer.user);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ signedOut: true });
    await signInAgain(bank, payer.user);
    const at = await marks(payer.cert.serial);
    expect(at.reported_at).toBeInstanceOf(Date);
    expect(at.recovery_ended_at).toEqual(at.reported_at);
    expect(await bank.revokedSerials()).toContain(payer.cert.serial);
    bank.advance(60);
    const again = await report(payer.cert.serial, payer.user, 'lost');
    // The same answer, but this report ended no session: the new one still holds.
    expect(again.json()).toEqual({ ...first.json<object>(), signedOut: false });
    expect(await authedAs(payer.user)).toEqual(OK);
    expect(await sessionsEnded(payer.user.userId)).toHaveLength(1);
    expect(await marks(payer.cert.serial)).toEqual(at);
    const audited = await bank.db.query<{ actor: string; data: { reason: string } }>(
      "SELECT actor, data FROM audit_log WHERE action = 'certificate.reported' AND data->>'serial' = $1",
      [String(payer.cert.serial)],
    );
    expect(audited).toEqual([
      { actor: `user:${payer.user.userId}`, data: expect.objectContaining({ reason: 'stolen' }) },
    ]);
  });

  it('a compromise revocation by the bank ends recovery and marks a report; a close ends recovery only', async () => {
    const a = await bank.payer(1_000n);
    await bank.db.transaction((tx) =>
      bank.app.services.revocations.revoke(tx, { serial: a.cert.serial, reason: 'compromised' }),
    );
    expect((await marks(a.cert.serial)).recovery_ended_at).toBeInstanceOf(Date);
    expect((await marks(a.cert.serial)).reported_at).toBeInstanceOf(Date);
    // It ends the owner's sessions as the owner's report does.
    expect(await authedAs(a.user)).toEqual(REVOKED);
    expect(await sessionsEnded(a.user.userId)).toEqual([
      {
        actor: 'bank',
        data: { user: a.user.userId, serial: String(a.cert.serial), kind: 'payer' },
      },
    ]);

    const b = await bank.payer(1_000n);
    const closed = await bank.post(`/v1/certificates/${b.cert.serial}/close`, undefined, b.user);
    expect(closed.statusCode).toBe(200);
    expect(await marks(b.cert.serial)).toMatchObject({
      recovery_ended_at: expect.any(Date),
      reported_at: null,
    });
    // A close is no theft: the owner stays signed in.
    expect(await authedAs(b.user)).toEqual(OK);
    expect(await sessionsEnded(b.user.userId)).toEqual([]);
  });
});

describe('a report ends every session of the owner (docs/threat-model.md §4.1)', () => {
  it("refuses the stolen phone's token and the reporter's, enrolls nothing with them, and lets a new login in", async () => {
    const owner = await bank.payer(1_000n, 5_000n);
    const stolen = await bank.payerOf(owner.user, 500n);
    // The thief's tab on the stolen phone: signed in, with a challenge fetched for a new wallet.
    const thief = await anotherSession(owner.user);
    const enrollment = await bank.payerRequest(thief, '2000');
    expect(await authedAs(thief)).toEqual(OK);
    expect(await authedAs(owner.user)).toEqual(OK);

    const res = await report(stolen.cert.serial, owner.user);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'revoked', signedOut: true });
    // No fresh token in the answer: a thief reporting the owner's other phone gains no session.
    expect(Object.keys(res.json<object>()).sort()).toEqual(
      ['closedAt', 'kind', 'reason', 'reportedAt', 'serial', 'signedOut', 'status'].sort(),
    );
    expect(await authedAs(thief)).toEqual(REVOKED);
    expect(await authedAs(owner.user)).toEqual(REVOKED);
    const enrolled = await bank.post('/v1/enrollment/payer', enrollment, thief);
    expect({ status: enrolled.statusCode, code: enrolled.json<{ code: string }>().code }).toEqual(
      REVOKED,
    );
    expect((await bank.balances(owner.user)).reserve).toBe(1_500n);
    expect(await sessionsEnded(owner.user.userId)).toEqual([
      {
        actor: 'bank',
        data: { user: owner.user.userId, serial: String(stolen.cert.serial), kind: 'payer' },
      },
    ]);

    // The owner signs in again and carries on: a new wallet enrolls.
    await signInAgain(bank, owner.user);
    expect(await authedAs(owner.user)).toEqual(OK);
    const fresh = await bank.enrollPayer(owner.user, '500');
    expect(fresh.statusCode, fresh.body).toBe(201);
  });

  it("a till's report (lost) ends them too, read from Postgres when the cache has no version", async () => {
    const merchant = await bank.payee('Stolen Stall');
    const thief = await anotherSession(merchant.user);
    const res = await report(merchant.cert.serial, merchant.user, 'lost');
    expect(res.json()).toMatchObject({ kind: 'payee', signedOut: true });
    expect(await authedAs(thief)).toEqual(REVOKED);
    // Redis is never the only copy: with the cached version gone, Postgres still refuses it.
    await bank.app.kv.cache.delete(`token-version:${merchant.user.userId}`);
    expect(await authedAs(merchant.user)).toEqual(REVOKED);
    await signInAgain(bank, merchant.user);
    expect(await authedAs(merchant.user)).toEqual(OK);
  });

  it('a report and a "log out everywhere" at once both commit (one lock order, no deadlock)', async () => {
    const owner = await bank.payer(1_000n, 5_000n);
    const devices = [await bank.payerOf(owner.user, 100n), await bank.payeeOf(owner.user)];
    const { auth, revocations } = bank.app.services;
    for (const device of devices) {
      const [, outcome] = await Promise.all([
        auth.logout(owner.user.userId),
        revocations.report(owner.user.userId, device.cert.serial, 'stolen'),
      ]);
      expect(outcome).toMatchObject({ status: 'revoked', signedOut: true });
    }
    expect(await sessionsEnded(owner.user.userId)).toHaveLength(2);
    expect(await authedAs(owner.user)).toEqual(REVOKED);
  });
});
