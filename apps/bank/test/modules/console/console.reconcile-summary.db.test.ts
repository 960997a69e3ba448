/**
 * The console's reconciliation on demand and daily summary (issue #13 item 7, docs/operations.md
 * "The console"): the check finds a corruption injected into the books and says what and where;
 * auditors may run it (it only reads); the summary counts a day's deposits and settlements.
 */
import { describe, expect, it } from 'vitest';
import { auditOf, depositTo, opGet, opPost, settledPayment } from '../../helpers/console.js';
import { useWorld } from '../../helpers/world.js';

const world = useWorld();

interface Finding {
  code: string;
  detail: string;
  rowCount: number;
  rows: Record<string, unknown>[];
}

interface Tally {
  count: number;
  valueMinor: string;
}

interface Summary {
  date: string;
  currencies: {
    currency: string;
    settlements: Tally;
    deposits: Tally;
    refunds: Tally;
    reservesOutstandingMinor: string;
  }[];
  fraudProofs: number;
  revocations: { total: number; byReason: Record<string, number> };
  newMerchants: number;
}

describe('POST /v1/operator/reconcile', () => {
  it('answers ok on clean books, for an auditor too, and audits the run with its result', async () => {
    const auditor = await world.operator('auditor');
    await settledPayment(world, 700);
    const res = await opPost(world, auditor, '/v1/operator/reconcile');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ ok: boolean; findings: Finding[]; checked: Record<string, number> }>();
    expect(body).toMatchObject({ ok: true, findings: [], findingsTruncated: false });
    expect(body.checked.payments).toBeGreaterThanOrEqual(1);
    expect(await auditOf(world, auditor, 'operator.reconcile')).toMatchObject([
      { target: 'ledger', ok: true, codes: [] },
    ]);
  });

  it('finds a balance that no longer matches its postings, names the account, then clean again', async () => {
    const ops = await world.operator();
    const ann = await world.user('Ann');
    await depositTo(world, ops, ann.accountId, 900n);
    const drift = (by: number) =>
      world.db.query('UPDATE account_balances SET balance = balance + $2 WHERE account_id = $1', [
        ann.accountId,
        by,
      ]);
    await drift(7);
    try {
      const res = await opPost(world, ops, '/v1/operator/reconcile');
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ ok: boolean; findings: Finding[] }>();
      expect(body.ok).toBe(false);
      const found = body.findings.find((f) => f.code === 'LEDGER_BALANCE_DRIFT');
      expect(found).toBeDefined();
      expect(found!.rows).toContainEqual(
        expect.objectContaining({ accountId: ann.accountId, balance: '907', postings: '900' }),
      );
      expect(await auditOf(world, ops, 'operator.reconcile')).toMatchObject([
        { ok: false, codes: expect.arrayContaining(['LEDGER_BALANCE_DRIFT']) as unknown },
      ]);
    } finally {
      await drift(-7);
    }
    const clean = await opPost(world, ops, '/v1/operator/reconcile');
    expect(clean.json()).toMatchObject({ ok: true });
  });
});

describe('GET /v1/operator/summary and summary.csv', () => {
  const today = () => world.clock.toISOString().slice(0, 10);
  const summary = async (ops: Parameters<typeof opGet>[1]) => {
    const res = await opGet(world, ops, `/v1/operator/summary?date=${today()}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<Summary>();
    const eur = body.currencies.find((c) => c.currency === 'EUR');
    return { body, eur };
  };

  it('counts the day’s deposits and settlements, and the CSV says the same', async () => {
    const auditor = await world.operator('auditor');
    const ops = await world.operator();
    const before = await summary(auditor);
    const ann = await world.user('Ann');
    await depositTo(world, ops, ann.accountId, 1200n);
    await depositTo(world, ops, ann.accountId, 300n);
    await settledPayment(world, 450);
    const after = await summary(auditor);
    const delta = (pick: (s: NonNullable<Summary['currencies'][number]>) => Tally) => {
      const a = after.eur ? pick(after.eur) : { count: 0, valueMinor: '0' };
      const b = before.eur ? pick(before.eur) : { count: 0, valueMinor: '0' };
      return { count: a.count - b.count, value: BigInt(a.valueMinor) - BigInt(b.valueMinor) };
    };
    expect(delta((c) => c.deposits)).toEqual({ count: 2, value: 1500n });
    expect(delta((c) => c.settlements)).toEqual({ count: 1, value: 450n });
    expect(after.body.date).toBe(today());

    const csv = await opGet(world, auditor, `/v1/operator/summary.csv?date=${today()}`);
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.split('\r\n');
    expect(lines[0]).toBe('date,metric,currency,count,value_minor');
    const eur = after.eur!;
    expect(lines).toContain(
      `${today()},deposits,EUR,${eur.deposits.count},${eur.deposits.valueMinor}`,
    );
    expect(lines).toContain(
      `${today()},settlements,EUR,${eur.settlements.count},${eur.settlements.valueMinor}`,
    );
    expect((await auditOf(world, auditor, 'operator.read')).map((d) => d.target)).toEqual([
      'summary',
      'summary',
      'summary',
    ]);
  });

  it('refuses a date that is not a calendar day (400)', async () => {
    const ops = await world.operator();
    const res = await opGet(world, ops, '/v1/operator/summary?date=2026-02-30');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'BANK_BAD_REQUEST' });
  });
});
