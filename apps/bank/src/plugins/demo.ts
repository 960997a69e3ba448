/**
 * Seeds the documented demo users when DEMO_SEED is on (the embedded default), files Bob's
 * merchant application (left pending), and — on the embedded default only, never with
 * DATABASE_URL — the demo operator, then says how to sign in.
 */
import fp from 'fastify-plugin';
import type { BankConfig } from '../config.js';
import { DEMO_OPERATOR, DEMO_USERS } from '../modules/demo/demo.domain.js';
import { fileDemoApplication, seedDemoOperator } from '../modules/demo/demo.operator.js';
import { seedDemoUsers } from '../modules/demo/demo.service.js';

export default fp<{ config: BankConfig }>(
  async (app, { config }) => {
    if (!config.demoSeed) return;
    const { db, services } = app;
    const created = await seedDemoUsers({
      db,
      auth: services.auth,
      accounts: services.accounts,
      audit: services.audit,
    });
    app.log.info(
      { created, users: DEMO_USERS.map((u) => u.email) },
      'demo users ready (demo passwords: see README)',
    );
    const people = { db, operators: services.operators, merchants: services.merchants };
    if (await fileDemoApplication(people))
      app.log.info("demo: Bob's merchant application filed, pending an operator's decision");
    // A public password and TOTP secret: never on a bank with a real database.
    if (config.databaseUrl !== undefined) return;
    await seedDemoOperator(people);
    app.log.info(
      { operator: DEMO_OPERATOR.email },
      `demo operator: sign in as ${DEMO_OPERATOR.email} (demo password: see README) with the ` +
        "code `pnpm totp:demo` prints; `pnpm demo:approve` approves Bob's Market " +
        '(docs/operations.md "Operators")',
    );
  },
  { name: 'offpay-demo', dependencies: ['offpay-services'] },
);
