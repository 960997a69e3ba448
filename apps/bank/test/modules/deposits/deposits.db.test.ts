/**
 * Money in, over HTTP against real Postgres (docs/operations.md "An operator's day"): an operator
 * credits a customer from clearing once per external reference — sent again it answers the first
 * deposit, sent concurrently it still applies once, with other facts it is a conflict — and every
 * step is in the audit log with who and why. Reconciliation agrees after every test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../../src/modules/reconcile/reconcile.service.js';
import { useWorld, type TestOperator, type User } from '../../helpers/world.js';

const bank = useWorld({ invariants: true });

afterEach(async () => {
  expect((await reconcile(bank.db)).violations).toEqual([]);
});

let seq = 0;
const ref = () => `DEP-${Date.now().toString(36)}-${++seq}`;

function deposit(o: TestOperator | User, body: Record<string, unknown>) {
  return bank.post('/v1/operator/deposits', { reason: 'Statement of the day', ...body }, o);
}

async function clearingBalance(currency = 'EUR'): Promise<bigint> {
  const [row] = await bank.db.query<{ balance: bigint }>(
    `SELECT b.balance FROM accounts a JOIN account_balances b ON b.account_id = a.id
     WHERE a.kind = 'clearing' AND a.currency = $1`,
    [currency],
  );
  return row?.balance ?? 0n;
}

async function auditCount(action: string, target: string): Promise<number> {
  const rows = await bank.db.query(
    `SELECT 1 FROM audit_log WHERE action = $1 AND data->>'target' = $2`,
    [action, target],
  );
  return rows.length;
}

describe('a deposit', () => {
  it('credits the customer from clearing, by account id or email, audited with who and why', async () => {
    const ops = await bank.operator();
    const alice: User = await bank.user('Alice');
    const before = await clearingBalance();
    const byId = await deposit(ops, {
      reference: ref(),
      account: alice.accountId,
      amountMinor: '12500',
      currency: 'EUR',
      valueDate: '2030-01-02',
      description: 'Top-up',
    });
    expect(byId.statusCode, byId.body).toBe(200);
    const first = byId.json<{ outcome: string; deposit: { id: string } }>();
    expect(first.outcome).toBe('applied');
    const [email] = await bank.db.query<{ email: string }>(
      'SELECT email FROM users WHERE id = $1',
      [alice.userId],
    );
    const byEmail = await deposit(ops, {
      reference: ref(),
      account: email?.email.toUpperCase(),
      amountMinor: '500',
      currency: 'EUR',
    });
    expect(byEmail.statusCode, byEmail.body).toBe(200);
    expect(await bank.balance(alice.accountId)).toBe(13_000n);
    expect(await clearingBalance()).toBe(before - 13_000n);
    const [entry] = await bank.db.query<{ actor: string; data: Record<string, unknown> }>(
      `SELECT actor, data FROM audit_log WHERE action = 'deposit.applied' AND data->>'target' = $1`,
      [`deposit:${first.deposit.id}`],
    );
    expect(entry).toMatchObject({
      actor: `operator:${ops.actor.id}`,
      data: { reason: 'Statement of the day', amountMinor: '12500', operatorEmail: ops.email },
    });
    // The customer sees it in their history as a deposit.
    const history = await bank.get('/v1/accounts/me/history', alice);
    expect(history.statusCode, history.body).toBe(200);
    expect(history.json<{ items: { kind: string }[] }>().items.map((i) => i.kind)).toContain(
      'deposit',
    );
  });

  it('sent again answers the first deposit and moves nothing; other facts are a conflict', async () => {
    const ops = await bank.operator();
    const bob = await bank.user('Bob');
    const body = { reference: ref(), account: bob.accountId, amountMinor: '700', currency: 'EUR' };
    const first = (await deposit(ops, body)).json<{ deposit: { id: string } }>();
    const again = await deposit(ops, body);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ outcome: 'already_applied', deposit: first.deposit });
    expect(await bank.balance(bob.accountId)).toBe(700n);
    const other = await deposit(ops, { ...body, amountMinor: '701' });
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({
      code: 'BANK_DEPOSIT_CONFLICT',
      details: { reference: body.reference, depositId: first.deposit.id },
    });
    expect(await bank.balance(bob.accountId)).toBe(700n);
    expect(await auditCount('deposit.already_applied', `deposit:${first.deposit.id}`)).toBe(1);
  });

  it('posted twenty times at once is applied exactly once', async () => {
    const ops = await bank.operator();
    const carol = await bank.user('Carol');
    const body = {
      reference: ref(),
      account: carol.accountId,
      amountMinor: '999',
      currency: 'EUR',
    };
    const answers = await Promise.all(Array.from({ length: 20 }, () => deposit(ops, body)));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(20).fill(200));
    const outcomes = answers.map((a) => a.json<{ outcome: string }>().outcome);
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(await bank.balance(carol.accountId)).toBe(999n);
    const transfers = await bank.db.query(
      `SELECT 1 FROM transfers WHERE kind = 'deposit' AND reference = $1`,
      [body.reference],
    );
    expect(transfers).toHaveLength(1);
  });

  it('refuses unknown accounts, other currencies and system accounts, moving nothing', async () => {
    const ops = await bank.operator();
    const dan = await bank.user('Dan');
    const before = await clearingBalance();
    const unknown = await deposit(ops, {
      reference: ref(),
      account: 'nobody@example.com',
      amountMinor: '1',
      currency: 'EUR',
    });
    expect(unknown.json()).toMatchObject({ code: 'BANK_ACCOUNT_NOT_FOUND' });
    const usd = await deposit(ops, {
      reference: ref(),
      account: dan.accountId,
      amountMinor: '1',
      currency: 'USD',
    });
    expect(usd.json()).toMatchObject({
      code: 'BANK_CURRENCY_MISMATCH',
      details: { currencies: ['EUR', 'USD'] },
    });
    const [issuance] = await bank.db.query<{ id: string }>(
      `SELECT id FROM accounts WHERE user_id IS NULL LIMIT 1`,
    );
    const system = await deposit(ops, {
      reference: ref(),
      account: issuance?.id,
      amountMinor: '1',
      currency: 'EUR',
    });
    expect(system.statusCode).toBe(404);
    const bad = await deposit(ops, {
      reference: 'has space',
      account: 'not an account',
      amountMinor: '1.5',
      currency: 'EUR',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'BANK_BAD_REQUEST' });
    expect(await clearingBalance()).toBe(before);
  });
});

describe('who may deposit', () => {
  it('an auditor may list but not deposit; a customer may do neither', async () => {
    const auditor = await bank.operator('auditor');
    const eve = await bank.user('Eve');
    const body = { reference: ref(), account: eve.accountId, amountMinor: '5', currency: 'EUR' };
    const byAuditor = await deposit(auditor, body);
    expect(byAuditor.statusCode).toBe(403);
    expect(byAuditor.json()).toMatchObject({ code: 'BANK_ROLE_FORBIDDEN' });
    const byCustomer = await deposit(eve, body);
    expect(byCustomer.statusCode).toBe(401);
    expect(await bank.balance(eve.accountId)).toBe(0n);
    const list = await bank.get('/v1/operator/deposits?limit=5', auditor);
    expect(list.statusCode, list.body).toBe(200);
    expect((await bank.get('/v1/operator/deposits', eve)).statusCode).toBe(401);
    const reads = await bank.db.query(
      `SELECT 1 FROM audit_log WHERE action = 'operator.read' AND data->>'target' = 'deposits'
       AND data->>'operatorId' = $1`,
      [auditor.actor.id],
    );
    expect(reads).toHaveLength(1);
  });
});
