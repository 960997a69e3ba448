/**
 * Authorisation by role on every operator route, generated from the contract (`@offpay/api`
 * routes that declare `operator`): an auditor is refused every changing route; every changing
 * route needs a reason; no operator route takes a customer's token or none.
 */
import { randomUUID } from 'node:crypto';
import { routePath, routes, type RouteSpec } from '@offpay/api';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { applyAsMerchant } from '../../helpers/merchants.js';
import { oneRowStatement, payoutIn } from '../../helpers/money.js';
import type { TestOperator } from '../../helpers/operators.js';
import { useWorld } from '../../helpers/world.js';

const bank = useWorld();

const operatorRoutes = Object.entries(routes as Record<string, RouteSpec>).filter(
  ([, r]) => r.operator !== undefined,
);
const changing = operatorRoutes.filter(([, r]) => r.operator?.kind === 'change');

/** A made-up value of parameter `name`: a UUID, or a large row id or serial where it takes one. */
function madeUp(route: RouteSpec, name: string): string {
  const schema = route.params instanceof z.ZodObject ? route.params.shape[name] : undefined;
  const id = randomUUID();
  return schema instanceof z.ZodType && !schema.safeParse(id).success ? '9007199254740991' : id;
}

/** The route's path with a made-up id for each parameter. */
function pathOf(route: RouteSpec): string {
  const names = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] as string);
  return routePath(route, Object.fromEntries(names.map((n) => [n, madeUp(route, n)])));
}

function call(route: RouteSpec, token: string | undefined, body?: object) {
  return bank.app.inject({
    method: route.method,
    url: pathOf(route),
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    ...(route.method === 'POST' ? { payload: body ?? { reason: 'role test' } } : {}),
  });
}

describe('operator routes, from the contract', () => {
  it('exist, and the changing ones are declared for the operator role only', () => {
    expect(operatorRoutes.length).toBeGreaterThanOrEqual(7);
    expect(changing.length).toBeGreaterThanOrEqual(2);
    for (const [name, r] of changing) expect(r.operator?.roles, name).toEqual(['operator']);
    for (const [name, r] of changing) expect(r.method, name).toBe('POST');
  });

  it.each(changing)('%s refuses an auditor with 403 BANK_ROLE_FORBIDDEN', async (_name, route) => {
    const auditor = await bank.operator('auditor');
    const res = await call(route, auditor.token);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      code: 'BANK_ROLE_FORBIDDEN',
      details: { role: 'auditor', allowed: ['operator'] },
    });
  });

  it.each(changing)(
    '%s lets an operator past the role check, and needs a reason',
    async (_n, route) => {
      const operator = await bank.operator();
      const res = await call(route, operator.token);
      expect(res.statusCode).not.toBe(403);
      const noReason = await call(route, operator.token, {});
      expect(noReason.statusCode).toBe(400);
      expect(noReason.body).toContain('reason');
    },
  );

  it.each(operatorRoutes)('%s takes no customer token and no missing one', async (_n, route) => {
    const customer = await bank.user();
    expect((await call(route, customer.token)).json()).toMatchObject({
      code: 'BANK_TOKEN_INVALID',
    });
    expect((await call(route, undefined)).json()).toMatchObject({ code: 'BANK_AUTH_REQUIRED' });
  });

  // A stream never ends by itself, so inject would wait for ever: the console's activity stream
  // is opened by an auditor in test/modules/console/console.activity.db.test.ts.
  it.each(
    operatorRoutes.filter(
      ([, r]) => r.operator?.roles.includes('auditor') && r.contentType !== 'text/event-stream',
    ),
  )('%s serves an auditor', async (_n, route) => {
    const auditor = await bank.operator('auditor');
    const res = await call(route, auditor.token);
    expect([200, 204, 404]).toContain(res.statusCode);
  });

  it('are documented in the OpenAPI document with the roles they allow', async () => {
    const doc = (await bank.get('/docs/json')).json<{
      paths: Record<string, Record<string, { description?: string }>>;
    }>();
    for (const [name, route] of operatorRoutes) {
      const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
      const op = doc.paths[path]?.[route.method.toLowerCase()];
      expect(op?.description, name).toContain(`roles: ${route.operator?.roles.join(', ')}`);
    }
  });

  it.each(changing)('%s is audited with who, what, when and why', async (name, route) => {
    const operator = await bank.operator();
    const reason = `because of ${route.path}`;
    const { id, body, action, target } = await situation(name, operator);
    const res = await bank.app.inject({
      method: route.method,
      url: routePath(route, { id, serial: id }),
      headers: { authorization: `Bearer ${operator.token}` },
      payload: { ...body, reason },
    });
    expect(res.statusCode, res.body).toBe(route.status);
    const rows = await bank.db.query<{ actor: string; at: Date; action: string; data: object }>(
      "SELECT actor, at, action, data FROM audit_log WHERE data->>'reason' = $1",
      [reason],
    );
    expect(rows).toEqual([
      {
        actor: `operator:${operator.actor.id}`,
        at: bank.clock,
        action: expect.stringMatching(action),
        data: expect.objectContaining({
          operatorId: operator.actor.id,
          operatorEmail: operator.email,
          target: expect.stringMatching(target),
          reason,
        }),
      },
    ]);
  });
});

/** What a changing route acts on, so that it succeeds: its id, its body, and its audit entry. */
async function situation(
  name: string,
  operator: TestOperator,
): Promise<{ id: string; body: object; action: RegExp; target: RegExp }> {
  const payoutStep = (state: 'requested' | 'in_flight') => async () => {
    const p = await payoutIn(bank, operator, state);
    return { id: p.id, body: {}, action: /^payout\./, target: new RegExp(`^payout:${p.id}$`) };
  };
  const setups: Record<
    string,
    () => Promise<{ id: string; body: object; action: RegExp; target: RegExp }>
  > = {
    createDeposit: async () => {
      const user = await bank.user('Depositor');
      const body = {
        reference: `R-${randomUUID()}`,
        account: user.accountId,
        amountMinor: '5',
        currency: 'EUR',
      };
      return { id: '', body, action: /^deposit\.applied$/, target: /^deposit:\d+$/ };
    },
    importStatement: async () => {
      const csv = oneRowStatement(await bank.user('Importer'));
      return {
        id: '',
        body: { csv },
        action: /^deposit\.imported$/,
        target: /^deposit_import:\d+$/,
      };
    },
    approvePayout: payoutStep('requested'),
    refusePayout: payoutStep('requested'),
    confirmPayout: payoutStep('in_flight'),
    failPayout: payoutStep('in_flight'),
    exportPayoutBatch: async () => {
      await payoutIn(bank, operator, 'approved');
      return {
        id: '',
        body: { currency: 'EUR' },
        action: /^payout\.exported$/,
        target: /^payout_batch:/,
      };
    },
  };
  setups.revokeCertificate = async () => {
    const payer = await bank.payer(100n);
    const id = String(payer.cert.serial);
    return {
      id,
      body: { revocationReason: 'compromised' },
      action: /^certificate\.revoke$/,
      target: new RegExp(`^certificate:${id}$`),
    };
  };
  setups.rotateKeys = () =>
    Promise.resolve({
      id: '',
      body: { kind: 'kem' },
      action: /^bank_key\.rotate$/,
      target: /^bank_key:[0-9a-f]+$/,
    });
  const setup = setups[name];
  if (setup) return setup();
  const shop = await bank.user('Audited');
  const applied = await applyAsMerchant(bank, shop, `Audited Shop ${randomUUID().slice(0, 8)}`);
  const id = applied.json<{ id: string }>().id;
  return {
    id,
    body: {},
    action: /^merchant\./,
    target: new RegExp(`^merchant_application:${id}$`),
  };
}
