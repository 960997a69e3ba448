import { describe, expect, it } from 'vitest';
import { toErrorResponse } from '../../src/http/error-response.js';
import { BankApiError } from '../../src/errors.js';

const ctx = { bodyLimitBytes: 65_536, requestId: 'req-1' };

describe('toErrorResponse', () => {
  it('keeps coded bank errors as they are', () => {
    const r = toErrorResponse(new BankApiError('BANK_TOKEN_EXPIRED', 'The token has expired'), ctx);
    expect(r).toEqual({
      status: 401,
      body: { code: 'BANK_TOKEN_EXPIRED', message: 'The token has expired', details: {} },
    });
  });

  it('maps fastify client errors by code, never echoing their text', () => {
    const tooLarge = Object.assign(new Error('x'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    expect(toErrorResponse(tooLarge, ctx).body).toMatchObject({
      code: 'BANK_BODY_TOO_LARGE',
      details: { limitBytes: 65_536 },
    });
    const syntax = Object.assign(
      new SyntaxError('Unexpected token } in JSON at position 7: secret'),
      { statusCode: 400 },
    );
    const mapped = toErrorResponse(syntax, ctx);
    expect(mapped.status).toBe(400);
    expect(JSON.stringify(mapped.body)).not.toContain('secret');
  });

  it('answers 503 BANK_UNAVAILABLE when the database cannot be reached', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), {
      code: 'ECONNREFUSED',
    });
    const shutdown = Object.assign(
      new Error('terminating connection due to administrator command'),
      { code: '57P01' },
    );
    for (const err of [refused, shutdown]) {
      const r = toErrorResponse(err, ctx);
      expect(r.status).toBe(503);
      expect(r.body.code).toBe('BANK_UNAVAILABLE');
      expect(r.body.message).not.toContain('10.0.0.5');
    }
  });

  it('answers 503 for every lost or refused connection and every lost race, never 500', () => {
    const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    const faults = [
      coded('57P01', 'terminating connection due to administrator command'),
      coded('57P02', 'terminating connection due to crash of another server process'),
      coded('57P03', 'the database system is starting up'),
      coded('08006', 'connection failure'),
      coded('08001'),
      coded('53300', 'sorry, too many clients already'),
      coded('ECONNRESET', 'read ECONNRESET'),
      coded('ECONNREFUSED'),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
      coded('40P01', 'deadlock detected'),
      coded('40001', 'could not serialize access due to concurrent update'),
      coded('0A000', 'cached plan must not change result type'),
    ];
    for (const err of faults) {
      const r = toErrorResponse(err, ctx);
      expect([r.status, r.body.code], err.message).toEqual([503, 'BANK_UNAVAILABLE']);
      expect(r.body.message).not.toContain(err.message);
    }
  });

  it('hides everything else behind BANK_INTERNAL', () => {
    const r = toErrorResponse(
      Object.assign(new Error('duplicate key violates users_email_key'), { code: '23505' }),
      ctx,
    );
    expect(r).toEqual({
      status: 500,
      body: { code: 'BANK_INTERNAL', message: 'Internal error', details: { requestId: 'req-1' } },
    });
    expect(toErrorResponse('a string', ctx).status).toBe(500);
    expect(toErrorResponse(null, ctx).status).toBe(500);
  });
});
