/**
 * The console's accounts (issue #13 item 7, docs/operations.md "The console"): accounts with
 * their balances and history, statements whose opening balance plus postings is the closing
 * balance, and refunds — read by operators and auditors, each read in the audit log, against
 * real Postgres.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { auditOf, depositTo, opGet, settledPayment } from '../../helpers/console.js';
import { auth, useWorld } from '../../helpers/world.js';

const world = useWorld({ invariants: true });

interface AccountView {
  accountId: string;
  holder: string;
  kind: string;
  email: string | null;
  balanceMinor: string;
  reservedMinor: string;
  payoutsInFlightMinor: string;
}

interface PostingView {
  kind: string;
  amountMinor: string;
  reference: string;
  counterparties: { kind: string; email: string | null; amountMinor: string }[];
}

async function account(operator: Parameters<typeof opGet>[1], id: string) {
  const res = await opGet(world, operator, `/v1/operator/accounts/${id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ account: AccountView; postings: PostingView[]; nextBefore: string | null }>();
}

/** Rows of a CSV whose cells hold no commas or quotes (the statements of these tests). */
function rows(csv: string): string[][] {
  return csv
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => l.split(','));
}

describe('GET /v1/operator/accounts and /accounts/:id', () => {
  it('shows balances that match the postings after a deposit and a settlement', async () => {
    const ops = await world.operator();
    const { payer, payee } = await settledPayment(world, 1500, 4000n);
    await depositTo(world, ops, payee.user.accountId, 2500n);

    const merchant = await account(ops, payee.user.accountId);
    expect(merchant.account).toMatchObject({
      holder: 'merchant',
      kind: 'customer',
      balanceMinor: '4000',
      reservedMinor: '0',
      payoutsInFlightMinor: '0',
    });
    expect(merchant.postings.map((p) => [p.kind, p.amountMinor])).toEqual([
      ['deposit', '2500'],
      ['settlement', '1500'],
    ]);
    expect(merchant.postings[0]?.counterparties).toMatchObject([
      { kind: 'clearing', email: null, amountMinor: '-2500' },
    ]);
    expect(merchant.postings[1]?.counterparties).toMatchObject([
      { kind: 'reserve', amountMinor: '-1500' },
    ]);
    const sum = merchant.postings.reduce((s, p) => s + BigInt(p.amountMinor), 0n);
    expect(sum.toString()).toBe(merchant.account.balanceMinor);

    // The payer: funded 4000, all reserved for its certificate, 1500 of it paid out.
    const customer = await account(ops, payer.user.accountId);
    expect(customer.account).toMatchObject({
      holder: 'customer',
      balanceMinor: '0',
      reservedMinor: '2500',
    });
    expect(customer.account.email).toMatch(/@example\.com$/);
  });

  it('finds accounts by email, pages by account id, and lists the bank’s own accounts', async () => {
    const ops = await world.operator('auditor');
    const ann = await world.user('Ann Findme');
    const res = await opGet(world, ops, `/v1/operator/accounts?query=findme&limit=5`);
    expect(res.statusCode, res.body).toBe(200);
    const found = res.json<{ accounts: AccountView[] }>().accounts;
    expect(found.map((a) => a.accountId)).toEqual([ann.accountId]);

    const system = await opGet(world, ops, '/v1/operator/accounts?holder=system&limit=100');
    const kinds = system.json<{ accounts: AccountView[] }>().accounts.map((a) => a.kind);
    expect(kinds).toContain('clearing');
    expect(kinds).not.toContain('customer');

    const first = await opGet(world, ops, '/v1/operator/accounts?limit=2');
    const page = first.json<{ accounts: AccountView[]; nextAfter: string }>();
    expect(page.accounts).toHaveLength(2);
    const next = await opGet(world, ops, `/v1/operator/accounts?limit=2&after=${page.nextAfter}`);
    const ids = next.json<{ accounts: AccountView[] }>().accounts.map((a) => a.accountId);
    expect(ids.every((id) => id > page.nextAfter)).toBe(true);
  });

  it('audits every read with the operator, and answers 404 for an unknown account (audited too)', async () => {
    const auditor = await world.operator('auditor');
    const ann = await world.user('Ann');
    await opGet(world, auditor, '/v1/operator/accounts');
    await account(auditor, ann.accountId);
    const missing = randomUUID();
    const res = await opGet(world, auditor, `/v1/operator/accounts/${missing}`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'BANK_ACCOUNT_NOT_FOUND' });
    const reads = await auditOf(world, auditor, 'operator.read');
    expect(reads.map((d) => d.target)).toEqual([
      'accounts',
      `account:${ann.accountId}`,
      `account:${missing}`,
    ]);
    expect(reads[0]).toMatchObject({ operatorId: auditor.actor.id, operatorRole: 'auditor' });
  });

  it('is refused to customers and to callers without a token', async () => {
    const ann = await world.user('Ann');
    expect((await world.get('/v1/operator/accounts', ann)).statusCode).toBe(401);
    expect((await world.get('/v1/operator/accounts')).statusCode).toBe(401);
  });
});

describe('GET /v1/operator/accounts/:id/statement.csv', () => {
  it('has an opening balance, each posting, and a closing balance equal to opening + postings', async () => {
    const ops = await world.operator();
    const ann = await world.user('Ann');
    await depositTo(world, ops, ann.accountId, 1000n);
    // Transfers are stamped by Postgres when their transaction starts: the range starts after
    // the first deposit committed and before the next one began.
    const [mark] = await world.db.query<{ at: Date }>('SELECT clock_timestamp() AS at');
    await depositTo(world, ops, ann.accountId, 700n);
    await world.fund(ann, 300n);
    const from = mark!.at.toISOString();
    const res = await opGet(
      world,
      ops,
      `/v1/operator/accounts/${ann.accountId}/statement.csv?from=${encodeURIComponent(from)}`,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['x-offpay-truncated']).toBe('false');
    const [header, ...lines] = rows(res.body);
    expect(header?.[0]).toBe('line');
    const opening = lines[0]!;
    const closing = lines[lines.length - 1]!;
    const postings = lines.slice(1, -1);
    expect(opening[0]).toBe('opening');
    expect(opening[8]).toBe('1000');
    expect(postings.map((p) => [p[0], p[4], p[7], p[8]])).toEqual([
      ['posting', 'deposit', '700', '1700'],
      ['posting', 'funding', '300', '2000'],
    ]);
    expect(closing[0]).toBe('closing');
    const sum = postings.reduce((s, p) => s + BigInt(p[7]!), BigInt(opening[8]!));
    expect(closing[8]).toBe(sum.toString());
    expect(closing[8]).toBe((await world.balance(ann.accountId)).toString());
    const [entry] = await auditOf(world, ops, 'operator.read').then((r) => r.slice(-1));
    expect(entry).toMatchObject({ target: `account:${ann.accountId}`, statement: true, from });
  });

  it('defuses a formula-like reference (CSV injection)', async () => {
    const ops = await world.operator();
    const ann = await world.user('Ann');
    const { accounts } = world.app.services;
    await world.db.transaction(async (tx) => {
      const issuance = await accounts.systemAccount(tx, 'issuance', 'EUR');
      await accounts.transfer(tx, {
        kind: 'funding',
        reference: `=HYPERLINK("x")-${randomUUID()}`,
        legs: [
          { accountId: issuance, amount: -5n },
          { accountId: ann.accountId, amount: 5n },
        ],
      });
    });
    const res = await opGet(world, ops, `/v1/operator/accounts/${ann.accountId}/statement.csv`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain(`"'=HYPERLINK(""x"")-`);
    expect(res.body).not.toMatch(/,=HYPERLINK/);
  });
});

describe('GET /v1/operator/refunds', () => {
  it('lists refunds newest first with the merchant, the payer and the certificates', async () => {
    const auditor = await world.operator('auditor');
    const { payer, payee, paymentId } = await settledPayment(world, 1000);
    for (const amountMinor of ['100', '200']) {
      const res = await world.app.inject({
        method: 'POST',
        url: `/v1/payments/${paymentId}/refunds`,
        headers: { ...auth(payee.user), 'idempotency-key': randomUUID() },
        payload: { amountMinor, reason: 'Returned' },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const res = await opGet(world, auditor, '/v1/operator/refunds?limit=1');
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json<{ refunds: Record<string, unknown>[]; nextBefore: string }>();
    expect(page.refunds).toMatchObject([
      {
        paymentId,
        amountMinor: '200',
        payerSerial: String(payer.cert.serial),
        payeeSerial: String(payee.cert.serial),
        merchantUserId: payee.user.userId,
      },
    ]);
    const next = await opGet(
      world,
      auditor,
      `/v1/operator/refunds?limit=1&before=${page.nextBefore}`,
    );
    expect(next.json<{ refunds: unknown[] }>().refunds).toMatchObject([{ amountMinor: '100' }]);
    expect((await auditOf(world, auditor, 'operator.read')).map((d) => d.target)).toEqual([
      'refunds',
      'refunds',
    ]);
  });
});
