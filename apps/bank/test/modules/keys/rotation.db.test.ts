/**
 * Bank key rotation (DESIGN.md §3 "Bank keys", docs/protocol.md §12): the new keys are announced
 * under the old signing key, certificates issued before still verify, and a batch sealed to the
 * retired KEM key still settles.
 */
import { fromHex, toHex } from '@offpay/crypto';
import {
  bankKeySet,
  decodeKeyAnnouncement,
  decodeSettlementResult,
  followKeyAnnouncements,
  verifyKeyAnnouncement,
  verifySettlementResult,
} from '@offpay/protocol';
import { fromBase64Url } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import { protocolAnnouncer } from '../../../src/modules/keys/keys.signer.js';
import { assertLedgerInvariants } from '../../helpers/ledger.js';
import { useWorld } from '../../helpers/world.js';

const world = useWorld();

interface KeyView {
  kid: string;
  publicKey: string;
  retiredAt: string | null;
  announcement: string | null;
}

async function keys(): Promise<{ signKeys: KeyView[]; kemKeys: KeyView[] }> {
  return (await world.app.inject({ method: 'GET', url: '/v1/keys' })).json();
}

describe('bank key rotation', () => {
  it('announces new keys under the old one and keeps old certificates and sealed batches working', async () => {
    const pinned = bankKeySet((await keys()).signKeys.map((k) => fromHex(k.publicKey)));
    const payer = await world.payer(10_000n);
    const payee = await world.payee();
    world.pay(payer, payee, 500);
    const sealedToOldKem = await world.batch(payee);

    const { keyring } = world.app.services;
    await keyring.rotate(
      'sign',
      protocolAnnouncer(keyring, () => world.clock),
    );
    await keyring.rotate(
      'kem',
      protocolAnnouncer(keyring, () => world.clock),
    );

    const after = await keys();
    const newSign = after.signKeys.find((k) => k.retiredAt === null)!;
    const newKem = after.kemKeys.find((k) => k.retiredAt === null)!;
    const announced = verifyKeyAnnouncement(fromHex(newSign.announcement!), pinned);
    expect(toHex(announced.signKey)).toBe(newSign.publicKey);
    const kemAnnounced = verifyKeyAnnouncement(
      fromHex(newKem.announcement!),
      bankKeySet([announced.signKey]),
    );
    expect(toHex(kemAnnounced.kemKey)).toBe(newKem.publicKey);

    const res = await world.settle(sealedToOldKem.sealed);
    expect(res.statusCode, res.body).toBe(200);
    const result = decodeSettlementResult(fromBase64Url(res.json<{ signed: string }>().signed));
    expect(result.results.map((r) => r.status)).toEqual(['settled']);
    expect(() => verifySettlementResult(result, bankKeySet([announced.signKey]))).not.toThrow();
    await assertLedgerInvariants(world.db);
  });

  it('issues new certificates under the new signing key, and old and new payments settle together', async () => {
    const current = (await keys()).signKeys.find((k) => k.retiredAt === null)!;
    const payer = await world.payer(10_000n);
    expect(toHex(payer.cert.issuerKid)).toBe(current.kid);
    const payee = await world.payee();
    world.pay(payer, payee, 300);
    const res = await world.settle((await world.batch(payee)).sealed);
    expect(res.json()).toMatchObject({ results: [{ status: 'settled' }] });
  });
});

describe('announcement order (docs/protocol.md §12)', () => {
  const validFroms = async () =>
    [...(await keys()).signKeys, ...(await keys()).kemKeys]
      .filter((k) => k.announcement)
      .map((k) => decodeKeyAnnouncement(fromHex(k.announcement!)).validFrom)
      .sort((a, b) => a - b);

  it('makes validFrom strictly increasing, even for three rotations within one second', async () => {
    const { keyring } = world.app.services;
    const frozen = new Date(world.clock);
    for (const kind of ['sign', 'kem', 'sign'] as const) {
      await keyring.rotate(
        kind,
        protocolAnnouncer(keyring, () => frozen),
      );
    }
    const all = await validFroms();
    for (let i = 1; i < all.length; i++) expect(all[i]).toBeGreaterThan(all[i - 1]!);
    // A client can follow them: no two share a validFrom.
    expect(new Set(all).size).toBe(all.length);
  });

  it('refuses to rotate with a clock behind the latest announcement, naming both times, changing nothing', async () => {
    const { keyring } = world.app.services;
    const before = await keys();
    const latest = (await validFroms()).at(-1)!;
    const past = new Date((latest - 3600) * 1000);
    await expect(
      keyring.rotate(
        'sign',
        protocolAnnouncer(keyring, () => past),
      ),
    ).rejects.toThrow(/bank clock \(.+\) is before the latest key announcement, made at /);
    expect(await keys()).toEqual(before);
  });
});

describe('POST /v1/operator/keys/rotate', () => {
  it('rotates both keys for an operator, announced in a chain from the pinned key and audited with the reason', async () => {
    const pinned = bankKeySet((await keys()).signKeys.map((k) => fromHex(k.publicKey)));
    const ops = await world.operator();
    const res = await world.post(
      '/v1/operator/keys/rotate',
      { kind: 'both', reason: 'Scheduled yearly rotation' },
      ops,
    );
    expect(res.statusCode, res.body).toBe(200);
    const after = await keys();
    const body = res.json<{ signKey: KeyView; kemKey: KeyView }>();
    expect(body.signKey.kid).toBe(after.signKeys.find((k) => k.retiredAt === null)!.kid);
    expect(body.kemKey.kid).toBe(after.kemKeys.find((k) => k.retiredAt === null)!.kid);
    const announcements = [...after.signKeys, ...after.kemKeys].flatMap((k) =>
      k.announcement ? [fromHex(k.announcement)] : [],
    );
    const walk = followKeyAnnouncements(pinned, announcements);
    expect(toHex(walk.accepted.at(-1)!.signKey)).toBe(body.signKey.publicKey);
    expect(toHex(walk.accepted.at(-1)!.kemKey)).toBe(body.kemKey.publicKey);
    const audited = await world.db.query<{ data: Record<string, unknown> }>(
      "SELECT data FROM audit_log WHERE action = 'bank_key.rotate' ORDER BY id",
    );
    expect(audited.map((a) => [a.data['kind'], a.data['reason'], a.data['target']])).toEqual([
      ['sign', 'Scheduled yearly rotation', `bank_key:${body.signKey.kid}`],
      ['kem', 'Scheduled yearly rotation', `bank_key:${body.kemKey.kid}`],
    ]);
  });

  it('answers 409 BANK_CLOCK_BEHIND and rotates nothing when the bank clock went back', async () => {
    const ops = await world.operator();
    const body = { kind: 'sign', reason: 'Scheduled yearly rotation' };
    expect((await world.post('/v1/operator/keys/rotate', body, ops)).statusCode).toBe(200);
    const before = await keys();
    const now = world.clock;
    world.clock = new Date(now.getTime() - 5_000);
    try {
      const res = await world.post('/v1/operator/keys/rotate', body, ops);
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json()).toMatchObject({ code: 'BANK_CLOCK_BEHIND' });
      expect(await keys()).toEqual(before);
    } finally {
      world.clock = now;
    }
  });

  it('is refused without an operator session, and to an auditor, and rotates nothing', async () => {
    const before = await keys();
    const body = { kind: 'sign', reason: 'Scheduled yearly rotation' };
    const anonymous = await world.app.inject({
      method: 'POST',
      url: '/v1/operator/keys/rotate',
      payload: body,
    });
    expect(anonymous.statusCode).toBe(401);
    const customer = await world.post('/v1/operator/keys/rotate', body, await world.user());
    expect([401, 403]).toContain(customer.statusCode);
    const auditor = await world.post(
      '/v1/operator/keys/rotate',
      body,
      await world.operator('auditor'),
    );
    expect(auditor.statusCode).toBe(403);
    expect(await keys()).toEqual(before);
  });
});
