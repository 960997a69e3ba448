/**
 * Statement import against real Postgres (docs/operations.md "An operator's day"): every valid row
 * applied, each row's outcome reported with a code, a row applied whole or not at all, the file
 * audited once; a file that cannot be read as a whole (header, size, quoting) applies nothing.
 */
import { STATEMENT_COLUMNS, STATEMENT_MAX_ROWS } from '@offpay/api';
import { afterEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../../src/modules/reconcile/reconcile.service.js';
import { useWorld, type TestOperator, type User } from '../../helpers/world.js';

const bank = useWorld({ invariants: true });

afterEach(async () => {
  expect((await reconcile(bank.db)).violations).toEqual([]);
});

const HEADER = STATEMENT_COLUMNS.join(',');

interface ImportAnswer {
  importId: string;
  counts: { total: number; applied: number; alreadyApplied: number; refused: number };
  rows: { line: number; reference: string | null; outcome: string; code: string | null }[];
}

function importCsv(o: TestOperator | User, csv: string, reason = 'Statement of 2 January') {
  return bank.post('/v1/operator/deposit-imports', { csv, reason }, o);
}

async function emailOf(user: User): Promise<string> {
  const [row] = await bank.db.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [
    user.userId,
  ]);
  return row!.email;
}

let n = 0;
const ref = (tag: string) => `${tag}-${Date.now().toString(36)}-${++n}`;

describe('importing a statement', () => {
  it('applies the valid rows, reports each, refuses the bad ones, and audits the import', async () => {
    const ops = await bank.operator();
    const alice = await bank.user('Alice');
    const bob = await bank.user('Bob');
    const [r1, r2, r3] = [ref('A'), ref('B'), ref('C')];
    const csv = [
      `\uFEFF${HEADER}`,
      `${r1},2030-01-02,${alice.accountId},1500,EUR,"Top-up, thanks"`,
      `${r2},2030-01-02,${(await emailOf(bob)).toUpperCase()},250,EUR,`,
      `${r1},2030-01-02,${alice.accountId},1500,EUR,"Top-up, thanks"`,
      `${r3},2030-01-02,${alice.accountId},12.50,EUR,decimal amount`,
      `${ref('D')},2030-01-02,nobody@example.com,100,EUR,`,
      `${ref('E')},2030-01-02,${alice.accountId},100,USD,other currency`,
      `${r1},2030-01-02,${bob.accountId},1500,EUR,same reference other account`,
      `${ref('F')},02/01/2030,${alice.accountId},100,EUR,`,
      `${ref('G')},2030-01-02,${alice.accountId},100`,
      `,2030-01-02,${alice.accountId},100,EUR,`,
      '',
    ].join('\r\n');
    const res = await importCsv(ops, csv);
    expect(res.statusCode, res.body).toBe(200);
    const answer = res.json<ImportAnswer>();
    expect(answer.counts).toEqual({ total: 10, applied: 2, alreadyApplied: 1, refused: 7 });
    expect(answer.rows.map((r) => [r.line, r.outcome, r.code])).toEqual([
      [2, 'applied', null],
      [3, 'applied', null],
      [4, 'already_applied', null],
      [5, 'refused', 'BANK_STATEMENT_ROW_INVALID'],
      [6, 'refused', 'BANK_ACCOUNT_NOT_FOUND'],
      [7, 'refused', 'BANK_CURRENCY_MISMATCH'],
      [8, 'refused', 'BANK_DEPOSIT_CONFLICT'],
      [9, 'refused', 'BANK_STATEMENT_ROW_INVALID'],
      [10, 'refused', 'BANK_STATEMENT_ROW_INVALID'],
      [11, 'refused', 'BANK_STATEMENT_ROW_INVALID'],
    ]);
    expect(await bank.balance(alice.accountId)).toBe(1500n);
    expect(await bank.balance(bob.accountId)).toBe(250n);
    const [entry] = await bank.db.query<{ actor: string; data: Record<string, unknown> }>(
      `SELECT actor, data FROM audit_log WHERE action = 'deposit.imported' AND data->>'target' = $1`,
      [`deposit_import:${answer.importId}`],
    );
    expect(entry).toMatchObject({
      actor: `operator:${ops.actor.id}`,
      data: { reason: 'Statement of 2 January', applied: 2, refused: 7, alreadyApplied: 1 },
    });
    const [record] = await bank.db.query<{ rows_total: number; rows_applied: number }>(
      'SELECT rows_total, rows_applied FROM deposit_imports WHERE id = $1',
      [answer.importId],
    );
    expect(record).toEqual({ rows_total: 10, rows_applied: 2 });

    // The same file again: nothing applied twice, each row reported as already applied.
    const again = (await importCsv(ops, csv)).json<ImportAnswer>();
    expect(again.counts).toEqual({ total: 10, applied: 0, alreadyApplied: 3, refused: 7 });
    expect(await bank.balance(alice.accountId)).toBe(1500n);
  });

  it('the same statement imported twice at once credits each row once', async () => {
    const ops = await bank.operator();
    const carol = await bank.user('Carol');
    const rows = Array.from(
      { length: 20 },
      (_, i) => `${ref(`P${i}`)},,${carol.accountId},10,EUR,`,
    );
    const csv = [HEADER, ...rows].join('\n');
    const [a, b] = await Promise.all([importCsv(ops, csv), importCsv(ops, csv)]);
    const counts = [a, b].map((r) => r.json<ImportAnswer>().counts);
    expect(counts.map((c) => c.applied).sort((x, y) => x - y)).toEqual([0, 20]);
    expect(await bank.balance(carol.accountId)).toBe(200n);
  });

  it.each([
    ['a wrong header', 'ref,date,account,amount,currency,description\r\nA,,x@y.z,1,EUR,', 'header'],
    ['no rows', `${HEADER}\r\n`, 'empty'],
    ['a file of blank lines', '\r\n\r\n', 'empty'],
    ['an unclosed quote', `${HEADER}\r\nA,,"x@y.z,1,EUR,`, 'csv'],
    [
      'too many rows',
      [
        HEADER,
        ...Array.from({ length: STATEMENT_MAX_ROWS + 1 }, (_, i) => `R${i},,a@b.c,1,EUR,`),
      ].join('\n'),
      'too_many_rows',
    ],
  ])('refuses %s whole, applying nothing', async (_what, csv, reason) => {
    const ops = await bank.operator();
    const before = await bank.db.query('SELECT 1 FROM deposits');
    const res = await importCsv(ops, csv);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ code: 'BANK_STATEMENT_INVALID', details: { reason } });
    expect(await bank.db.query('SELECT 1 FROM deposits')).toHaveLength(before.length);
  });

  it('refuses a file over the size limit before reading it', async () => {
    const ops = await bank.operator();
    const huge = `${HEADER}\r\n${'x'.repeat(600 * 1024)}`;
    const res = await importCsv(ops, huge);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'BANK_BAD_REQUEST' });
    const tooLarge = await bank.app.inject({
      method: 'POST',
      url: '/v1/operator/deposit-imports',
      headers: { authorization: `Bearer ${ops.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ csv: 'x'.repeat(3 * 1024 * 1024), reason: 'big' }),
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toMatchObject({ code: 'BANK_BODY_TOO_LARGE' });
  });

  it('is for operators only: an auditor and a customer are refused', async () => {
    const auditor = await bank.operator('auditor');
    const dan = await bank.user('Dan');
    const csv = `${HEADER}\r\n${ref('Q')},,${dan.accountId},10,EUR,`;
    expect((await importCsv(auditor, csv)).json()).toMatchObject({ code: 'BANK_ROLE_FORBIDDEN' });
    expect((await importCsv(dan, csv)).statusCode).toBe(401);
    expect(await bank.balance(dan.accountId)).toBe(0n);
  });
});
