/**
 * Operator sign-in (docs/operations.md "Operators"): password and TOTP both required, a code used
 * once only, one answer for every wrong input, short sessions, logout, tokens that never cross
 * between customers and operators, the TOTP secret sealed at rest, and a per-address limit
 * across emails.
 */
import { describe, expect, it } from 'vitest';
import { timeStep } from '../../../src/modules/operators/operators.totp.js';
import { codeNow, createOperator, operatorLogin } from '../../helpers/operators.js';
import { auth, useWorld } from '../../helpers/world.js';

const bank = useWorld({
  config: {
    operators: { sessionSeconds: 900 },
    rateLimits: {
      windowSeconds: 60,
      login: 1_000,
      enrollment: 1_000,
      settlement: 1_000,
      register: 1_000,
      registerTotal: 1_000,
      operatorLogin: 1_000,
    },
  },
});

const refused = { code: 'BANK_OPERATOR_BAD_CREDENTIALS', details: {} };

describe('operator sign-in', () => {
  it('needs the password and the current TOTP code, and answers who signed in', async () => {
    const o = await createOperator(bank);
    const res = await operatorLogin(bank, o);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      operator: { id: o.actor.id, email: o.email, role: 'operator' },
    });
    const noCode = await bank.post('/v1/operator/auth/login', {
      email: o.email,
      password: o.password,
    });
    expect(noCode.statusCode).toBe(400);
  });

  it('answers an unknown email, a wrong password and a wrong code alike', async () => {
    const o = await createOperator(bank);
    bank.advance(60);
    const wrongCode = String((Number(codeNow(bank, o.totpSecret)) + 1) % 1_000_000).padStart(
      6,
      '0',
    );
    const answers = [
      await operatorLogin(bank, { ...o, email: 'nobody@example.com' }),
      await operatorLogin(bank, { ...o, password: 'not the password' }),
      await operatorLogin(bank, o, wrongCode),
      await operatorLogin(
        bank,
        o,
        codeNow({ clock: new Date(bank.clock.getTime() - 120_000) }, o.totpSecret),
      ),
    ];
    for (const res of answers) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject(refused);
    }
    expect(new Set(answers.map((r) => r.body)).size).toBe(1);
  });

  it('accepts a code once: the same code again is refused, the next step signs in', async () => {
    const o = await createOperator(bank);
    bank.advance(30);
    const code = codeNow(bank, o.totpSecret);
    expect((await operatorLogin(bank, o, code)).statusCode).toBe(200);
    const replay = await operatorLogin(bank, o, code);
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject(refused);
    // The previous step's code (still within the tolerance) is older than the used one: refused.
    const before = codeNow({ clock: new Date(bank.clock.getTime() - 30_000) }, o.totpSecret);
    expect((await operatorLogin(bank, o, before)).statusCode).toBe(401);
    bank.advance(30);
    expect((await operatorLogin(bank, o)).statusCode).toBe(200);
    const [row] = await bank.db.query<{ totp_last_step: bigint }>(
      'SELECT totp_last_step FROM operators WHERE id = $1',
      [o.actor.id],
    );
    expect(row?.totp_last_step).toBe(BigInt(timeStep(bank.clock.getTime())));
  });

  it('keeps the TOTP secret only sealed, and never in the audit log', async () => {
    const o = await createOperator(bank);
    const [row] = await bank.db.query<{ totp_secret_sealed: Uint8Array }>(
      'SELECT totp_secret_sealed FROM operators WHERE id = $1',
      [o.actor.id],
    );
    const sealed = Buffer.from(row!.totp_secret_sealed);
    expect(sealed.length).toBe(12 + 20 + 16);
    expect(sealed.includes(Buffer.from(o.totpSecret))).toBe(false);
    const audit = JSON.stringify(await bank.db.query('SELECT data FROM audit_log'));
    expect(audit).not.toContain(Buffer.from(o.totpSecret).toString('hex'));
    expect(audit).not.toContain(o.password);
  });
});

describe('operator sessions', () => {
  it('end after the configured 15 minutes', async () => {
    const o = await bank.operator();
    expect((await bank.get('/v1/operator/me', o)).statusCode).toBe(200);
    bank.advance(15 * 60 + 31); // past exp and the 30 s leeway
    const expired = await bank.get('/v1/operator/me', o);
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ code: 'BANK_TOKEN_EXPIRED' });
  });

  it('end at logout, which is audited', async () => {
    const o = await bank.operator('auditor');
    const out = await bank.post('/v1/operator/auth/logout', undefined, o);
    expect(out.statusCode).toBe(204);
    const after = await bank.get('/v1/operator/me', o);
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ code: 'BANK_TOKEN_REVOKED' });
    const rows = await bank.db.query<{ actor: string }>(
      "SELECT actor FROM audit_log WHERE action = 'operator.signed_out'",
    );
    expect(rows.map((r) => r.actor)).toContain(`operator:${o.actor.id}`);
  });

  it("never accept a customer's token, nor serve an operator's token on a customer route", async () => {
    const customer = await bank.user();
    const asCustomer = await bank.get('/v1/operator/me', customer);
    expect(asCustomer.statusCode).toBe(401);
    expect(asCustomer.json()).toMatchObject({ code: 'BANK_TOKEN_INVALID' });
    const o = await bank.operator();
    const asOperator = await bank.get('/v1/accounts/me', o);
    expect(asOperator.statusCode).toBe(401);
    expect(asOperator.json()).toMatchObject({ code: 'BANK_TOKEN_INVALID' });
    const none = await bank.app.inject({ url: '/v1/operator/me', headers: {} });
    expect(none.json()).toMatchObject({ code: 'BANK_AUTH_REQUIRED' });
    expect(auth(o).authorization).toMatch(/^Bearer /);
  });
});

describe('operator sign-in rate limit', () => {
  const limited = useWorld({
    config: {
      rateLimits: {
        windowSeconds: 60,
        login: 1_000,
        enrollment: 1_000,
        settlement: 1_000,
        register: 1_000,
        registerTotal: 1_000,
        operatorLogin: 3,
      },
    },
  });

  it('counts attempts per client address across emails', async () => {
    const o = await createOperator(limited);
    for (const email of ['a@example.com', 'b@example.com', 'c@example.com']) {
      expect((await operatorLogin(limited, { ...o, email })).statusCode).toBe(401);
    }
    // The fourth, even with the right email, password and code, waits for the window.
    const fourth = await operatorLogin(limited, o);
    expect(fourth.statusCode).toBe(429);
    expect(fourth.json()).toMatchObject({ code: 'BANK_RATE_LIMITED', details: { limit: 3 } });
  });
});
