/**
 * Lost and stolen devices on Postgres (docs/threat-model.md "Liability"): the owner's list of
 * certificates, a report's marks and audit line, and a compromise revocation by the bank (the
 * operators' route calls the same `revoke`) ending recovery like the owner's report does (that a
 * fraud revocation alone does not is settlement/stolen-wallet.db.test.ts's first case).
 */
import { describe, expect, it } from 'vitest';
import { useWorld, type User } from '../../helpers/world.js';

const bank = useWorld({ invariants: true });

const report = (serial: number, user: User, reason = 'stolen') =>
  bank.post(`/v1/certificates/${serial}/report`, { reason }, user);

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
    const at = await marks(payer.cert.serial);
    expect(at.reported_at).toBeInstanceOf(Date);
    expect(at.recovery_ended_at).toEqual(at.reported_at);
    expect(await bank.revokedSerials()).toContain(payer.cert.serial);
    bank.advance(60);
    const again = await report(payer.cert.serial, payer.user, 'lost');
    expect(again.json()).toEqual(first.json());
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

    const b = await bank.payer(1_000n);
    const closed = await bank.post(`/v1/certificates/${b.cert.serial}/close`, undefined, b.user);
    expect(closed.statusCode).toBe(200);
    expect(await marks(b.cert.serial)).toMatchObject({
      recovery_ended_at: expect.any(Date),
      reported_at: null,
    });
  });
});
