import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/queryable.js';
import { DEMO_USERS } from '../../../src/modules/demo/demo.domain.js';
import { seedDemoUsers } from '../../../src/modules/demo/demo.service.js';
import { buildTestApp } from '../../helpers/app.js';
import { createMigratedDatabase, type TestSchema } from '../../helpers/db.js';
import { assertLedgerInvariants } from '../../helpers/ledger.js';

let db: Database;
let schema: TestSchema;
beforeAll(async () => {
  ({ db, schema } = await createMigratedDatabase());
});
afterAll(async () => {
  await schema.drop();
});

describe('demo seed', () => {
  it('creates the documented users once, funds alice once, even when seeding runs concurrently', async () => {
    const app = await buildTestApp({ db });
    const deps = {
      db,
      auth: app.services.auth,
      accounts: app.services.accounts,
      audit: app.services.audit,
    };
    const created = await Promise.all([seedDemoUsers(deps), seedDemoUsers(deps)]);
    expect(created.flat().sort()).toEqual(DEMO_USERS.map((u) => u.email).sort());
    expect(await seedDemoUsers(deps)).toEqual([]);
    const balances = await db.query<{ email: string; balance: bigint }>(
      `SELECT u.email, b.balance FROM users u JOIN accounts a ON a.user_id = u.id JOIN account_balances b ON b.account_id = a.id ORDER BY u.email`,
    );
    expect(balances).toEqual(
      DEMO_USERS.map((u) => ({ email: u.email, balance: u.openingMinor })).sort((a, b) =>
        a.email.localeCompare(b.email),
      ),
    );
    const bob = DEMO_USERS.find((u) => u.role === 'merchant');
    const login = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: bob?.email, password: bob?.password },
    });
    expect(login.statusCode).toBe(200);
    await app.close();
    await assertLedgerInvariants(db);
  });
});
