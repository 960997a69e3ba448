/**
 * SQL of the console's figures (docs/operations.md "The console"): the daily summary's range
 * aggregates and the live activity panel's snapshot. Range counts on time columns use the
 * indexes of migrations/013_console.sql (payments.settled_at, revocations.created_at).
 */
import type { Queryable } from '../../db/queryable.js';
import type { Tally } from './console.domain.js';

/** A tally per currency. */
export type Tallies = Map<string, Tally>;

interface TallyRow {
  currency: string;
  n: bigint | number | string;
  total: string;
}

async function tallies(q: Queryable, sql: string, params: readonly unknown[]): Promise<Tallies> {
  const rows = await q.query<TallyRow>(sql, params);
  return new Map(rows.map((r) => [r.currency, { count: Number(r.n), value: BigInt(r.total) }]));
}

const TALLY = 'SELECT currency, count(*) AS n, coalesce(sum(amount), 0)::text AS total';

/** Payments settled in [from, to), per currency. */
export function settledBetween(q: Queryable, from: Date, to: Date): Promise<Tallies> {
  return tallies(
    q,
    `${TALLY} FROM payments WHERE status = 'settled' AND settled_at >= $1 AND settled_at < $2
     GROUP BY currency`,
    [from, to],
  );
}

/** The money tallies of a day: refunds, deposits, payouts paid and failed, per currency. */
export async function dayMoney(
  q: Queryable,
  from: Date,
  to: Date,
): Promise<{ refunds: Tallies; deposits: Tallies; paid: Tallies; failed: Tallies }> {
  const range = 'created_at >= $1 AND created_at < $2 GROUP BY currency';
  const payouts = (state: string) =>
    tallies(
      q,
      `${TALLY} FROM payouts WHERE state = $3 AND settled_at >= $1 AND settled_at < $2
       GROUP BY currency`,
      [from, to, state],
    );
  return {
    refunds: await tallies(q, `${TALLY} FROM refunds WHERE ${range}`, [from, to]),
    deposits: await tallies(q, `${TALLY} FROM deposits WHERE ${range}`, [from, to]),
    paid: await payouts('confirmed'),
    failed: await payouts('failed'),
  };
}

/** Reserve balances per currency from postings of transfers made before `at`. */
export async function reservesAt(q: Queryable, at: Date): Promise<Map<string, bigint>> {
  const rows = await q.query<{ currency: string; total: string }>(
    `SELECT a.currency, coalesce(sum(p.amount), 0)::text AS total
     FROM accounts a
     JOIN postings p ON p.account_id = a.id
     JOIN transfers t ON t.id = p.transfer_id
     WHERE a.kind = 'reserve' AND t.created_at < $1
     GROUP BY a.currency`,
    [at],
  );
  return new Map(rows.map((r) => [r.currency, BigInt(r.total)]));
}

/** Reserve balances per currency now (the balance rows, no postings read). */
export async function reservesNow(q: Queryable): Promise<Map<string, bigint>> {
  const rows = await q.query<{ currency: string; total: string }>(
    `SELECT a.currency, coalesce(sum(b.balance), 0)::text AS total
     FROM accounts a JOIN account_balances b ON b.account_id = a.id
     WHERE a.kind = 'reserve'
     GROUP BY a.currency`,
  );
  return new Map(rows.map((r) => [r.currency, BigInt(r.total)]));
}

/** The counts of a day: fraud proofs, revocations by reason, merchants verified. */
export async function dayCounts(
  q: Queryable,
  from: Date,
  to: Date,
): Promise<{ fraudProofs: number; revocations: Map<string, number>; newMerchants: number }> {
  const one = async (sql: string) =>
    Number((await q.query<{ n: bigint | string }>(sql, [from, to]))[0]?.n ?? 0);
  const reasons = await q.query<{ reason: string; n: bigint | string }>(
    `SELECT reason, count(*) AS n FROM revocations WHERE created_at >= $1 AND created_at < $2
     GROUP BY reason`,
    [from, to],
  );
  return {
    fraudProofs: await one(
      'SELECT count(*) AS n FROM fraud_proofs WHERE detected_at >= $1 AND detected_at < $2',
    ),
    revocations: new Map(reasons.map((r) => [r.reason, Number(r.n)])),
    newMerchants: await one(
      'SELECT count(*) AS n FROM merchants WHERE verified_at >= $1 AND verified_at < $2',
    ),
  };
}

/** Fraud proofs and revocations: those since `since`, and all. */
export async function riskCounts(
  q: Queryable,
  since: Date,
): Promise<{
  proofs: { recent: number; total: number };
  revocations: { recent: number; total: number };
}> {
  const rows = await q.query<{ pr: string; pt: string; rr: string; rt: string }>(
    `SELECT
       (SELECT count(*) FROM fraud_proofs WHERE detected_at >= $1)::text AS pr,
       (SELECT count(*) FROM fraud_proofs)::text AS pt,
       (SELECT count(*) FROM revocations WHERE created_at >= $1)::text AS rr,
       (SELECT count(*) FROM revocations)::text AS rt`,
    [since],
  );
  const r = rows[0] ?? { pr: '0', pt: '0', rr: '0', rt: '0' };
  return {
    proofs: { recent: Number(r.pr), total: Number(r.pt) },
    revocations: { recent: Number(r.rr), total: Number(r.rt) },
  };
}
