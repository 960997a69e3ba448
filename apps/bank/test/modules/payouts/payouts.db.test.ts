/**
 * Money out, over HTTP against real Postgres (docs/operations.md "An operator's day"): payout
 * accounts with checked IBANs; a request holds the money at once (never more than available,
 * idempotent by key, concurrent requests included); refused and failed payouts return it;
 * exported ones are in flight and leave to clearing once confirmed; no step happens twice; every
 * operator step is audited; the pain.001 file parses as XML and sums right. Reconciliation (held
 * payouts = the payout-hold balance) agrees after every test.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../../src/modules/reconcile/reconcile.service.js';
import { auth, useWorld, type TestOperator, type User } from '../../helpers/world.js';

const bank = useWorld({ invariants: true });

afterEach(async () => {
  expect((await reconcile(bank.db)).violations).toEqual([]);
});

const IBAN = 'FR14 2004 1010 0505 0001 3M02 606';
let keys = 0;
const newKey = () => `key-${Date.now().toString(36)}-${++keys}`;

async function payoutAccount(user: User, holderName = 'Bob Martin', iban = IBAN): Promise<string> {
  const res = await bank.post('/v1/payout-accounts', { iban, holderName }, user);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

function request(user: User, payoutAccountId: string, amountMinor: string, key = newKey()) {
  return bank.app.inject({
    method: 'POST',
    url: '/v1/payouts',
    headers: { ...auth(user), 'idempotency-key': key },
    payload: { payoutAccountId, amountMinor, currency: 'EUR' },
  });
}

function step(o: TestOperator, id: string, verb: string, reason = 'Checked against statement') {
  return bank.post(`/v1/operator/payouts/${id}/${verb}`, { reason }, o);
}

async function holdBalance(): Promise<bigint> {
  const [row] = await bank.db.query<{ balance: bigint }>(
    `SELECT b.balance FROM accounts a JOIN account_balances b ON b.account_id = a.id
     WHERE a.kind = 'payout_hold' AND a.currency = 'EUR'`,
  );
  return row?.balance ?? 0n;
}

/** A merchant with `minor` on their account and a registered payout account. */
async function funded(minor: bigint): Promise<{ user: User; payoutAccountId: string }> {
  const user = await bank.user('Bob');
  await bank.fund(user, minor);
  return { user, payoutAccountId: await payoutAccount(user) };
}

async function requested(user: User, accountId: string, amount: string): Promise<string> {
  const res = await request(user, accountId, amount);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

describe('payout accounts', () => {
  it('stores the IBAN in electronic format; the same IBAN again answers the first', async () => {
    const user = await bank.user();
    const first = await bank.post('/v1/payout-accounts', { iban: IBAN, holderName: 'Bob' }, user);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ iban: 'FR1420041010050500013M02606', holderName: 'Bob' });
    const again = await bank.post(
      '/v1/payout-accounts',
      { iban: 'fr1420041010050500013m02606', holderName: 'Bob' },
      user,
    );
    expect(again.json<{ id: string }>().id).toBe(first.json<{ id: string }>().id);
    const list = await bank.get('/v1/payout-accounts', user);
    expect(list.json<{ accounts: unknown[] }>().accounts).toHaveLength(1);
  });

  it.each([
    ['DE89370400440532013001', 'checksum'],
    ['XX89370400440532013000', 'country'],
    ['DE8937040044053201300', 'length'],
    ['DE89370400440532013O00', 'format'],
    ['DE89_370400440532013000', 'format'],
  ])('refuses %s with BANK_IBAN_INVALID (%s)', async (iban, reason) => {
    const user = await bank.user();
    const res = await bank.post('/v1/payout-accounts', { iban, holderName: 'Bob' }, user);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'BANK_IBAN_INVALID', details: { reason } });
  });

  it('bounds the holder name', async () => {
    const user = await bank.user();
    const long = await bank.post(
      '/v1/payout-accounts',
      { iban: IBAN, holderName: 'x'.repeat(71) },
      user,
    );
    expect(long.json()).toMatchObject({ code: 'BANK_BAD_REQUEST' });
    const control = await bank.post(
      '/v1/payout-accounts',
      { iban: IBAN, holderName: 'a\u0000b' },
      user,
    );
    expect(control.statusCode).toBe(400);
  });
});

describe('a payout request', () => {
  it('holds the money at once, idempotent by key; a reused key with another amount is refused', async () => {
    const { user, payoutAccountId } = await funded(10_000n);
    const before = await holdBalance();
    const key = newKey();
    const first = await request(user, payoutAccountId, '4000', key);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ state: 'requested', amountMinor: '4000' });
    expect(await bank.balance(user.accountId)).toBe(6_000n);
    expect(await holdBalance()).toBe(before + 4_000n);
    const again = await request(user, payoutAccountId, '4000', key);
    expect(again.json()).toEqual(first.json());
    expect(await bank.balance(user.accountId)).toBe(6_000n);
    const reused = await request(user, payoutAccountId, '4001', key);
    expect(reused.statusCode).toBe(409);
    expect(reused.json()).toMatchObject({
      code: 'BANK_IDEMPOTENCY_KEY_REUSED',
      details: { payoutId: first.json<{ id: string }>().id },
    });
  });

  it('never pays out more than available, even ten requests at once', async () => {
    const { user, payoutAccountId } = await funded(1_000n);
    const tooMuch = await request(user, payoutAccountId, '1001');
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json()).toMatchObject({ code: 'BANK_INSUFFICIENT_FUNDS' });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => request(user, payoutAccountId, '300')),
    );
    const codes = answers.map((a) => a.statusCode).sort();
    expect(codes.filter((c) => c === 201)).toHaveLength(3);
    expect(codes.filter((c) => c === 409)).toHaveLength(7);
    expect(await bank.balance(user.accountId)).toBe(100n);
    const mine = await bank.get('/v1/payouts', user);
    expect(mine.json<{ payouts: unknown[] }>().payouts).toHaveLength(3);
  });

  it('the same key sent ten times at once holds once', async () => {
    const { user, payoutAccountId } = await funded(1_000n);
    const key = newKey();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => request(user, payoutAccountId, '250', key)),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => a.json<{ id: string }>().id)).size).toBe(1);
    expect(await bank.balance(user.accountId)).toBe(750n);
  });

  it('refuses a payout account of someone else', async () => {
    const { payoutAccountId } = await funded(100n);
    const other = await bank.user();
    await bank.fund(other, 100n);
    const res = await request(other, payoutAccountId, '50');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'BANK_PAYOUT_ACCOUNT_NOT_FOUND' });
    expect(await bank.balance(other.accountId)).toBe(100n);
  });
});

describe('an operator', () => {
  it('refuses: the money comes back, once; audited with who and why', async () => {
    const ops = await bank.operator();
    const { user, payoutAccountId } = await funded(500n);
    const id = await requested(user, payoutAccountId, '500');
    expect(await bank.balance(user.accountId)).toBe(0n);
    const refused = await step(ops, id, 'refuse', 'Holder name does not match');
    expect(refused.statusCode, refused.body).toBe(200);
    expect(refused.json()).toMatchObject({
      state: 'refused',
      reason: 'Holder name does not match',
    });
    expect(await bank.balance(user.accountId)).toBe(500n);
    const twice = await step(ops, id, 'refuse');
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({
      code: 'BANK_PAYOUT_STATE',
      details: { state: 'refused', expected: ['requested'] },
    });
    expect(await bank.balance(user.accountId)).toBe(500n);
    const [entry] = await bank.db.query<{ actor: string; data: Record<string, unknown> }>(
      `SELECT actor, data FROM audit_log WHERE action = 'payout.refused' AND data->>'target' = $1`,
      [`payout:${id}`],
    );
    expect(entry).toMatchObject({
      actor: `operator:${ops.actor.id}`,
      data: { reason: 'Holder name does not match', operatorEmail: ops.email },
    });
  });

  it('approves, exports a pain.001 that parses and sums right, then confirms or fails each', async () => {
    const ops = await bank.operator();
    // Leave no approved EUR payout of another test behind in this batch.
    const { user: alice, payoutAccountId: a } = await funded(10_000n);
    const bob = await bank.user('Bob & <Sons> "Ltd"');
    await bank.fund(bob, 10_000n);
    const b = await payoutAccount(bob, 'Bob & <Sons> "Ltd"', 'DE89 3704 0044 0532 0130 00');
    const ids = [
      await requested(alice, a, '1234'),
      await requested(alice, a, '1'),
      await requested(bob, b, '9999'),
    ];
    for (const id of ids) expect((await step(ops, id, 'approve')).statusCode).toBe(200);
    // Confirming before export is refused: only in-flight payouts are confirmed.
    expect((await step(ops, ids[0] as string, 'confirm')).json()).toMatchObject({
      code: 'BANK_PAYOUT_STATE',
    });
    const exported = await bank.post(
      '/v1/operator/payout-batches',
      { currency: 'EUR', reason: 'Daily payout run' },
      ops,
    );
    expect(exported.statusCode, exported.body).toBe(201);
    const batch = exported.json<{
      id: string;
      payouts: number;
      totalMinor: string;
      path: string;
    }>();
    expect(batch.payouts).toBe(3);
    expect(batch.totalMinor).toBe(String(1234 + 1 + 9999));
    const file = await bank.get(batch.path, ops);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toContain('application/xml');
    expect(XMLValidator.validate(file.body)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(file.body);
    const init = doc.Document.CstmrCdtTrfInitn;
    expect(doc.Document['@_xmlns']).toBe('urn:iso:std:iso:20022:tech:xsd:pain.001.001.03');
    expect(init.GrpHdr.NbOfTxs).toBe('3');
    expect(init.GrpHdr.CtrlSum).toBe('112.34');
    const txs = init.PmtInf.CdtTrfTxInf as {
      Amt: { InstdAmt: { '#text': string; '@_Ccy': string } };
      Cdtr: { Nm: string };
      CdtrAcct: { Id: { IBAN: string } };
    }[];
    expect(txs.map((t) => t.Amt.InstdAmt['#text']).sort()).toEqual(['0.01', '12.34', '99.99']);
    expect(txs.every((t) => t.Amt.InstdAmt['@_Ccy'] === 'EUR')).toBe(true);
    // Escaped in the file, read back as written.
    expect(file.body).toContain('<Nm>Bob &amp; &lt;Sons&gt; &quot;Ltd&quot;</Nm>');
    const toBob = txs.find((t) => t.Amt.InstdAmt['#text'] === '99.99');
    expect(toBob?.Cdtr.Nm).toBe('Bob & <Sons> "Ltd"');
    expect(toBob?.CdtrAcct.Id.IBAN).toBe('DE89370400440532013000');
    // In flight: the money is still held; nothing in flight can be exported again.
    const again = await bank.post(
      '/v1/operator/payout-batches',
      { currency: 'EUR', reason: 'Again' },
      ops,
    );
    expect(again.json()).toMatchObject({ code: 'BANK_PAYOUT_BATCH_EMPTY' });
    expect(await bank.balance(alice.accountId)).toBe(10_000n - 1235n);

    expect((await step(ops, ids[0] as string, 'confirm')).json()).toMatchObject({
      state: 'confirmed',
    });
    expect((await step(ops, ids[2] as string, 'fail', 'Account closed')).json()).toMatchObject({
      state: 'failed',
    });
    expect(await bank.balance(bob.accountId)).toBe(10_000n);
    // No double confirm, no fail after confirm, no confirm after fail.
    for (const [id, verb] of [
      [ids[0], 'confirm'],
      [ids[0], 'fail'],
      [ids[2], 'confirm'],
    ] as const) {
      expect((await step(ops, id as string, verb)).json()).toMatchObject({
        code: 'BANK_PAYOUT_STATE',
      });
    }
    expect((await step(ops, ids[1] as string, 'confirm')).statusCode).toBe(200);
    expect(await bank.balance(alice.accountId)).toBe(10_000n - 1235n);
    const paid = await bank.db.query(
      `SELECT 1 FROM transfers WHERE kind = 'payout_paid' AND reference = ANY($1::text[])`,
      [ids],
    );
    expect(paid).toHaveLength(2);
    for (const action of [
      'payout.approved',
      'payout.in_flight',
      'payout.confirmed',
      'payout.failed',
    ]) {
      const rows = await bank.db.query(`SELECT 1 FROM audit_log WHERE action = $1 AND actor = $2`, [
        action === 'payout.in_flight' ? 'payout.exported' : action,
        `operator:${ops.actor.id}`,
      ]);
      expect(rows.length, action).toBeGreaterThan(0);
    }
  });

  it('cannot confirm twice even when both confirmations race', async () => {
    const ops = await bank.operator();
    const { user, payoutAccountId } = await funded(800n);
    const id = await requested(user, payoutAccountId, '800');
    await step(ops, id, 'approve');
    await bank.post('/v1/operator/payout-batches', { currency: 'EUR', reason: 'Run' }, ops);
    const answers = await Promise.all([
      step(ops, id, 'confirm'),
      step(ops, id, 'confirm'),
      step(ops, id, 'fail'),
    ]);
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode === 409)).toHaveLength(2);
  });

  it('the database refuses a transition the state machine lacks, whatever the code does', async () => {
    const { user, payoutAccountId } = await funded(100n);
    const id = await requested(user, payoutAccountId, '100');
    await expect(
      bank.db.query(`UPDATE payouts SET state = 'confirmed' WHERE id = $1`, [id]),
    ).rejects.toThrow(/cannot go from requested to confirmed/);
    await expect(
      bank.db.query(`UPDATE payouts SET amount = 1 WHERE id = $1`, [id]),
    ).rejects.toThrow(/cannot go from requested to requested/);
  });
});

describe('roles', () => {
  it('an auditor reads the queue and batch files but takes no step; a customer neither', async () => {
    const auditor = await bank.operator('auditor');
    const { user, payoutAccountId } = await funded(100n);
    const id = await requested(user, payoutAccountId, '100');
    expect((await bank.get('/v1/operator/payouts', auditor)).statusCode).toBe(200);
    const approve = await step(auditor, id, 'approve');
    expect(approve.statusCode).toBe(403);
    expect(approve.json()).toMatchObject({ code: 'BANK_ROLE_FORBIDDEN' });
    const byCustomer = await bank.post(
      `/v1/operator/payouts/${id}/approve`,
      { reason: 'I approve myself' },
      user,
    );
    expect(byCustomer.statusCode).toBe(401);
    const [row] = await bank.db.query<{ state: string }>(
      'SELECT state FROM payouts WHERE id = $1',
      [id],
    );
    expect(row?.state).toBe('requested');
  });
});
