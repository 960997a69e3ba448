/**
 * The demo's operator and Bob's pending application (embedded default only): seeded once, the
 * operator signs in with the public TOTP secret and approves Bob's Market over the API — what
 * `pnpm demo:approve`, the walk-through and the e2e journey do — and a bank with DATABASE_URL
 * never gets the demo operator.
 */
import { describe, expect, it } from 'vitest';
import {
  DEMO_APPLICATION,
  DEMO_OPERATOR,
  DEMO_USERS,
} from '../../../src/modules/demo/demo.domain.js';
import { totpCode, totpSecretFromBase32 } from '../../../src/modules/operators/operators.totp.js';
import { buildTestApp } from '../../helpers/app.js';
import { createMigratedDatabase } from '../../helpers/db.js';

async function demoBank(databaseUrl?: string) {
  const { db, schema } = await createMigratedDatabase();
  const app = await buildTestApp({ db, config: { demoSeed: true, databaseUrl } });
  return {
    app,
    db,
    close: async () => {
      await app.close();
      await schema.drop();
    },
  };
}

describe('demo operator and application', () => {
  it("files Bob's application pending; the demo operator signs in and approves it", async () => {
    const { app, db, close } = await demoBank();
    try {
      const again = await buildTestApp({ db, config: { demoSeed: true } }); // a second start
      await again.close();
      expect(await db.query('SELECT 1 FROM operators')).toHaveLength(1);
      const apps = await db.query<{ state: string; display_name: string }>(
        'SELECT state, display_name FROM merchant_applications',
      );
      expect(apps).toEqual([{ state: 'pending', display_name: DEMO_APPLICATION.displayName }]);
      const code = totpCode(totpSecretFromBase32(DEMO_OPERATOR.totpSecretBase32), Date.now());
      const { email, password } = DEMO_OPERATOR;
      const login = await app.inject({
        method: 'POST',
        url: '/v1/operator/auth/login',
        payload: { email, password, code },
      });
      expect(login.statusCode, login.body).toBe(200);
      const headers = {
        authorization: `Bearer ${login.json<{ accessToken: string }>().accessToken}`,
      };
      const queue = await app.inject({ url: '/v1/operator/merchant-applications', headers });
      const [bob] = queue.json<{ applications: { id: string; email: string }[] }>().applications;
      expect(bob?.email).toBe(DEMO_USERS.find((u) => u.role === 'merchant')?.email);
      const approved = await app.inject({
        method: 'POST',
        url: `/v1/operator/merchant-applications/${bob?.id}/approve`,
        headers,
        payload: { reason: 'Demo: checked' },
      });
      expect(approved.json()).toMatchObject({ state: 'approved' });
    } finally {
      await close();
    }
  });

  it('never seeds the demo operator on a bank with DATABASE_URL', async () => {
    const { db, close } = await demoBank('postgres://example.invalid/offpay');
    try {
      expect(await db.query('SELECT 1 FROM operators')).toEqual([]);
      expect(await db.query('SELECT 1 FROM merchant_applications')).toHaveLength(1);
    } finally {
      await close();
    }
  });
});
