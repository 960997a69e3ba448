/**
 * Database faults (issue #10 item 1): no Postgres fault ends the bank process. A backend
 * terminated inside a transaction answers 503 BANK_UNAVAILABLE with Retry-After (the settlement
 * transaction, idempotent by batch key, is run again instead); Postgres going away makes /readyz
 * say so, and the instance recovers by itself when it is back; a failed idle connection is logged
 * in one short line. Real server throughout: backends are terminated by `pg_terminate_backend`,
 * only this file's own, found by the `application_name` its pools set; "Postgres down" is a TCP
 * proxy in front of it that resets and refuses connections. An unhandled 'error' event would end
 * the test process, which vitest reports as a failure.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createPgDatabase } from '../../src/db/pg.js';
import type { Database, Queryable, Row, Statement } from '../../src/db/queryable.js';
import { textOf } from '../../src/db/statements.js';
import { createMemoryStores } from '../../src/kv/memory.js';
import { buildTestApp, LogCapture, testConfig } from '../helpers/app.js';
import { TEST_DATABASE_URL } from '../helpers/env.js';
import { TcpProxy } from '../helpers/tcp.js';
import { useWorld } from '../helpers/world.js';
import { eventually } from '../redis/helpers.js';

const world = useWorld({ invariants: true });

let admin: Database;
beforeAll(() => {
  admin = createPgDatabase(TEST_DATABASE_URL, { max: 1, applicationName: 'offpay-test-admin' });
});
afterAll(async () => {
  await admin.close();
});

/** A name for this file's connections, and the schema's URL that sets it. */
function named(): { appName: string; url: string } {
  const appName = `offpay-test-${randomBytes(6).toString('hex')}`;
  const url = new URL(world.schema!.url);
  url.searchParams.set('application_name', appName);
  return { appName, url: url.toString() };
}

/**
 * Terminates the backends named `appName` (only `pid` when given), waiting until they are gone;
 * returns how many were terminated.
 */
async function terminate(appName: string, pid?: number): Promise<number> {
  const rows = await admin.query<{ ok: boolean }>(
    `SELECT pg_terminate_backend(pid, 5000) AS ok FROM pg_stat_activity
     WHERE application_name = $1 AND ($2::int IS NULL OR pid = $2)`,
    [appName, pid ?? null],
  );
  return rows.filter((r) => r.ok).length;
}

async function backendPid(tx: Queryable): Promise<number> {
  const [row] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return row!.pid;
}

describe('a backend terminated inside a transaction', () => {
  let app: FastifyInstance;
  let appName: string;
  let terminateNext = false;

  beforeAll(async () => {
    const n = named();
    appName = n.appName;
    app = await buildTestApp({ db: createPgDatabase(n.url, { max: 4 }), ready: false });
    // A route whose transaction loses its connection between two statements when asked to.
    app.post('/test/transaction', async () => {
      await app.db.transaction(async (tx) => {
        const pid = await backendPid(tx);
        if (terminateNext) expect(await terminate(appName, pid)).toBe(1);
        await tx.query('SELECT 1');
      });
      return { ok: true };
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await app.db.close();
  });

  it('answers 503 BANK_UNAVAILABLE with Retry-After; the process lives and the next request succeeds', async () => {
    terminateNext = true;
    const res = await app.inject({ method: 'POST', url: '/test/transaction' });
    terminateNext = false;
    expect(res.statusCode, res.body).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ code: 'BANK_UNAVAILABLE' });
    const next = await app.inject({ method: 'POST', url: '/test/transaction' });
    expect(next.statusCode, next.body).toBe(200);
    expect((await app.inject('/readyz')).json()).toMatchObject({ status: 'ready' });
  });
});

/** The database, with a settlement transaction that loses its backend once, before recording. */
function losingOnce(db: Database): Database & { lost: number } {
  let armed = true;
  const faulty: Database & { lost: number } = {
    ...db,
    lost: 0,
    kind: db.kind,
    query: <R extends object = Row>(text: Statement, params?: readonly unknown[]) =>
      db.query<R>(text, params),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          exec: (sql) => tx.exec(sql),
          async query<R extends object = Row>(text: Statement, params?: readonly unknown[]) {
            if (armed && textOf(text).includes('INSERT INTO settlements')) {
              armed = false;
              faulty.lost += await terminate(appNameOf(db), await backendPid(tx));
            }
            return tx.query<R>(text, params);
          },
        }),
      ),
  };
  return faulty;
}

const appNames = new WeakMap<Database, string>();
const appNameOf = (db: Database) => appNames.get(db)!;

describe('a backend terminated inside a settlement transaction', () => {
  it('runs the transaction again: settled once, 200, the retry counted', async () => {
    const n = named();
    const db = createPgDatabase(n.url, { max: 4 });
    appNames.set(db, n.appName);
    const faulty = losingOnce(db);
    const instance = await buildTestApp({ db: faulty, now: () => world.clock });
    try {
      const payer = await world.payer(10_000n);
      const payee = await world.payee();
      world.pay(payer, payee, 1500);
      const { sealed, batchKey } = await world.batch(payee);
      const res = await world.settle(sealed, {}, instance);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ replayed: false, results: [{ status: 'settled' }] });
      expect(faulty.lost).toBe(1);
      const { values } = await instance.metrics.settlementRetries.get();
      expect(values).toMatchObject([{ labels: { reason: 'connection' }, value: 1 }]);
      const rows = await world.db.query('SELECT 1 FROM settlements WHERE batch_key = $1', [
        batchKey,
      ]);
      expect(rows).toHaveLength(1);
      expect(await world.balance(payee.user.accountId)).toBe(1500n);
    } finally {
      await instance.close();
      await db.close();
    }
  });
});

describe('Postgres unreachable, then back', () => {
  it('answers 503 with Retry-After and /readyz says so; recovers by itself', async () => {
    const target = new URL(TEST_DATABASE_URL);
    const proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    const db = createPgDatabase(proxy.url(world.schema!.url), { max: 4 });
    const app = await buildTestApp({ db });
    const login = () =>
      app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: 'nobody@example.com', password: 'not the password' },
      });
    try {
      expect((await app.inject('/readyz')).json()).toMatchObject({ status: 'ready' });
      expect((await login()).statusCode).toBe(401);

      await proxy.cut();
      const ready = await app.inject('/readyz');
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ status: 'unavailable', database: 'down' });
      const refused = await login();
      expect(refused.statusCode, refused.body).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.json()).toMatchObject({ code: 'BANK_UNAVAILABLE' });

      await proxy.restore();
      await eventually(
        async () => (await app.inject('/readyz')).statusCode === 200,
        'the instance is ready again',
      );
      expect((await login()).statusCode).toBe(401);
    } finally {
      await app.close();
      await db.close();
      await proxy.close();
    }
  });
});

describe('an idle pooled connection that fails', () => {
  it('is logged at warn in one short line: code and message, no pg client internals', async () => {
    const n = named();
    const logs = new LogCapture();
    // The bank's own pool (DATABASE_URL), as in production: the db plugin wires its idle errors.
    const app = await buildApp(testConfig({ databaseUrl: n.url, logLevel: 'warn' }), {
      stores: createMemoryStores(),
      logDestination: logs,
    });
    try {
      await app.ready();
      expect((await app.inject('/readyz')).statusCode).toBe(200);
      expect(await terminate(n.appName)).toBeGreaterThan(0);
      await eventually(
        async () => Promise.resolve(logs.text().includes('idle Postgres connection failed')),
        'the idle connection failure is logged',
      );
      const line = logs.lines.find((l) => l.includes('idle Postgres connection failed'))!;
      expect(line.length).toBeLessThan(400);
      const fields = JSON.parse(line) as Record<string, unknown>;
      expect(fields).toMatchObject({ level: 40, code: '57P01' });
      expect(fields.message).toMatch(/terminating connection/);
      expect(Object.keys(fields).sort()).toEqual(
        ['code', 'level', 'message', 'msg', 'service', 'time'].sort(),
      );
    } finally {
      await app.close();
    }
  });
});
