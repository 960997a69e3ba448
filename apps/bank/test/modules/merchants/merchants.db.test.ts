/**
 * Merchant verification over HTTP (docs/operations.md "Merchants"): apply, the queue, approve or
 * refuse with a reason (audited with who, what, when and why, in the same transaction), what the
 * applicant sees — and only verified merchants get payee certificates, under the approved name.
 * The regression of issue #12: an impostor's till certificate reading "Bob's Market" is no
 * longer possible.
 */
import { fromBase64Url } from '@offpay/crypto';
import { decodePayeeCertificate } from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { applyAsMerchant } from '../../helpers/merchants.js';
import { useWorld, type TestOperator, type User } from '../../helpers/world.js';

const bank = useWorld({ clock: new Date('2030-03-01T09:00:00.000Z') });

async function apply(user: User, displayName: string): Promise<string> {
  const res = await applyAsMerchant(bank, user, displayName, 'Martin Trading SARL');
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

function decide(o: TestOperator, id: string, verb: 'approve' | 'refuse', reason: string) {
  return bank.post(`/v1/operator/merchant-applications/${id}/${verb}`, { reason }, o);
}

async function auditOf(action: string, target: string) {
  return bank.db.query<{ actor: string; at: Date; data: Record<string, unknown> }>(
    `SELECT actor, at, data FROM audit_log WHERE action = $1 AND data->>'target' = $2`,
    [action, target],
  );
}

describe('applying', () => {
  it('files a pending application the applicant can read, one open at a time', async () => {
    const shop = await bank.user('Ann');
    const id = await apply(shop, "  Ann's   Bakery ");
    const status = await bank.get('/v1/merchant/application', shop);
    expect(status.json()).toMatchObject({
      application: { id, state: 'pending', displayName: "Ann's Bakery", reason: null },
      verified: null,
    });
    const again = await applyAsMerchant(bank, shop, 'Another Name');
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      code: 'BANK_APPLICATION_OPEN',
      details: { applicationId: id },
    });
  });

  it('refuses mixed scripts and names the protocol cannot carry', async () => {
    const shop = await bank.user('Eve');
    const mixed = await applyAsMerchant(bank, shop, 'P\u0430yPal Shop');
    expect(mixed.statusCode).toBe(422);
    expect(mixed.json()).toMatchObject({
      code: 'BANK_DISPLAY_NAME_MIXED_SCRIPT',
      details: { scripts: ['Cyrillic', 'Latin'] },
    });
    const long = await applyAsMerchant(bank, shop, '\u00E9'.repeat(40));
    expect(long.json()).toMatchObject({ code: 'BANK_DISPLAY_NAME_UNUSABLE' });
  });
});

describe('deciding, as an operator', () => {
  it('approves with a reason: verified, name reserved, audited with who, what, when and why', async () => {
    const ops = await bank.operator();
    const bob = await bank.user('Dee');
    const id = await apply(bob, "Dee's Deli");
    const queue = await bank.get('/v1/operator/merchant-applications', ops);
    expect(
      queue.json<{ applications: { id: string; email: string }[] }>().applications.map((a) => a.id),
    ).toContain(id);
    const res = await decide(ops, id, 'approve', 'Registry extract and ID checked');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      state: 'approved',
      reason: 'Registry extract and ID checked',
    });
    expect((await bank.get('/v1/merchant/application', bob)).json()).toMatchObject({
      application: { state: 'approved', reason: 'Registry extract and ID checked' },
      verified: { displayName: "Dee's Deli", verifiedAt: bank.clock.toISOString() },
    });
    const [entry] = await auditOf('merchant.approved', `merchant_application:${id}`);
    expect(entry).toMatchObject({
      actor: `operator:${ops.actor.id}`,
      at: bank.clock,
      data: {
        operatorId: ops.actor.id,
        operatorEmail: ops.email,
        operatorRole: 'operator',
        reason: 'Registry extract and ID checked',
        displayName: "Dee's Deli",
      },
    });
    const again = await decide(ops, id, 'refuse', 'changed my mind');
    expect(again.json()).toMatchObject({
      code: 'BANK_APPLICATION_DECIDED',
      details: { state: 'approved' },
    });
  });

  it('refuses with a reason the applicant reads, who may then apply again', async () => {
    const ops = await bank.operator();
    const shop = await bank.user('Mallory');
    const id = await apply(shop, 'Totally Legit Shop');
    const res = await decide(ops, id, 'refuse', 'Documents do not match the legal name');
    expect(res.json()).toMatchObject({ state: 'refused' });
    expect((await bank.get('/v1/merchant/application', shop)).json()).toMatchObject({
      application: { state: 'refused', reason: 'Documents do not match the legal name' },
      verified: null,
    });
    expect(await auditOf('merchant.refused', `merchant_application:${id}`)).toHaveLength(1);
    expect((await applyAsMerchant(bank, shop, 'Totally Legit Shop')).statusCode).toBe(201);
  });

  it('audits reads of the queue and of one application, by whom', async () => {
    const auditor = await bank.operator('auditor');
    const shop = await bank.user('Read Me');
    const id = await apply(shop, 'Read Me Store');
    expect(
      (await bank.get(`/v1/operator/merchant-applications/${id}`, auditor)).json(),
    ).toMatchObject({
      id,
      userId: shop.userId,
      state: 'pending',
    });
    const [read] = await auditOf('operator.read', `merchant_application:${id}`);
    expect(read?.actor).toBe(`operator:${auditor.actor.id}`);
    const before = await bank.db.query(
      "SELECT 1 FROM audit_log WHERE data->>'target' = 'merchant_applications'",
    );
    await bank.get('/v1/operator/merchant-applications?state=refused', auditor);
    const after = await bank.db.query(
      "SELECT 1 FROM audit_log WHERE data->>'target' = 'merchant_applications'",
    );
    expect(after.length).toBe(before.length + 1);
  });

  it('checks the name again at approval: of two confusable applications, the second is refused', async () => {
    const ops = await bank.operator();
    const first = await apply(await bank.user('First'), 'Corner Shop');
    const second = await apply(await bank.user('Second'), 'C0rner Shop'); // digit zero
    expect((await decide(ops, first, 'approve', 'checked')).statusCode).toBe(200);
    const res = await decide(ops, second, 'approve', 'checked');
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'BANK_DISPLAY_NAME_CONFUSABLE',
      details: { confusableWith: 'Corner Shop' },
    });
    expect(
      (
        await bank.db.query('SELECT 1 FROM merchant_applications WHERE id = $1 AND state = $2', [
          second,
          'pending',
        ])
      ).length,
    ).toBe(1);
  });
});

describe('payee certificates: verified merchants only', () => {
  it('refuses an account the bank has not verified, saying where it stands', async () => {
    const ops = await bank.operator();
    const shop = await bank.user('Unverified');
    const none = await bank.enrollPayee(shop);
    expect(none.statusCode).toBe(403);
    expect(none.json()).toMatchObject({
      code: 'BANK_MERCHANT_NOT_VERIFIED',
      details: { state: 'none' },
    });
    const id = await apply(shop, 'Unverified Goods');
    expect((await bank.enrollPayee(shop)).json()).toMatchObject({ details: { state: 'pending' } });
    await decide(ops, id, 'refuse', 'no documents');
    expect((await bank.enrollPayee(shop)).json()).toMatchObject({ details: { state: 'refused' } });
  });

  it('certifies the approved name, not the name typed at registration', async () => {
    const shop = await bank.merchant('Green Grocer');
    const res = await bank.enrollPayee(shop);
    expect(res.statusCode, res.body).toBe(201);
    const cert = decodePayeeCertificate(
      fromBase64Url(res.json<{ certificate: string }>().certificate),
    );
    expect(cert.displayName).toBe('Green Grocer');
  });

  it('gives an impostor no till certificate reading "Bob\'s Market" or a look-alike (issue #12)', async () => {
    const ops = await bank.operator();
    const bob = await bank.user("Bob's Market");
    await decide(ops, await apply(bob, "Bob's Market"), 'approve', 'Registry extract checked');
    expect((await bank.enrollPayee(bob)).statusCode).toBe(201);
    // The impostor registers with the name as the account's display name, as the reproduced
    // attack did, and tries every way to a till certificate reading it.
    const impostor = await bank.user("Bob's Market");
    expect((await bank.enrollPayee(impostor)).json()).toMatchObject({
      code: 'BANK_MERCHANT_NOT_VERIFIED',
    });
    const attempts: [string, string][] = [
      ["Bob's Market", 'BANK_DISPLAY_NAME_TAKEN'],
      ["BOB'S MARKET", 'BANK_DISPLAY_NAME_TAKEN'],
      ["\uFF22\uFF2F\uFF22'S MARKET", 'BANK_DISPLAY_NAME_TAKEN'], // fullwidth
      ['Bob\u2019s Market', 'BANK_DISPLAY_NAME_CONFUSABLE'],
      ["Bob's \u041Carket", 'BANK_DISPLAY_NAME_CONFUSABLE'], // Cyrillic М
      ["B\u043Eb's Market", 'BANK_DISPLAY_NAME_CONFUSABLE'], // Cyrillic о
      ["B0b's Market", 'BANK_DISPLAY_NAME_CONFUSABLE'],
    ];
    for (const [name, code] of attempts) {
      const res = await applyAsMerchant(bank, impostor, name);
      expect(res.json(), name).toMatchObject({ code });
    }
    expect((await bank.enrollPayee(impostor)).statusCode).toBe(403);
    const certified = await bank.db.query<{ account_id: string }>(
      "SELECT account_id FROM payee_certificates WHERE display_name = 'Bob''s Market'",
    );
    expect(certified.map((c) => c.account_id)).toEqual([bob.accountId]);
  });
});
