/** Seeds the documented demo users when DEMO_SEED is on (the embedded default). */
import fp from 'fastify-plugin';
import type { BankConfig } from '../config.js';
import { DEMO_USERS } from '../modules/demo/demo.domain.js';
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
  },
  { name: 'offpay-demo', dependencies: ['offpay-services'] },
);
