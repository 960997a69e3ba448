/** The bank's coded errors: status from the registry of @offpay/api, matched by code. */
import { BANK_ERRORS } from '@offpay/api';
import { describe, expect, it } from 'vitest';
import { BankApiError, bankFail, isBankError } from '../src/errors.js';

describe('BankApiError', () => {
  it('takes its status and typed details from the registry', () => {
    const e = new BankApiError('BANK_RATE_LIMITED', 'slow down', {
      limit: 3,
      retryAfterSeconds: 9,
    });
    expect(e.status).toBe(BANK_ERRORS.BANK_RATE_LIMITED.status);
    expect(e.status).toBe(429);
    expect(e.details).toEqual({ limit: 3, retryAfterSeconds: 9 });
    expect(new BankApiError('BANK_TOKEN_EXPIRED', 'expired').details).toEqual({});
    expect(() => bankFail('BANK_EMAIL_TAKEN', 'taken')).toThrow(
      expect.objectContaining({ code: 'BANK_EMAIL_TAKEN', status: 409 }),
    );
  });

  it('is matched by code, not by class', () => {
    const e = new BankApiError('BANK_TOKEN_EXPIRED', 'expired');
    expect(isBankError(e, 'BANK_TOKEN_EXPIRED')).toBe(true);
    expect(isBankError(e, 'BANK_TOKEN_INVALID')).toBe(false);
    expect(
      isBankError(
        { code: 'BANK_TOKEN_EXPIRED', message: 'copy from another module' },
        'BANK_TOKEN_EXPIRED',
      ),
    ).toBe(true);
    expect(isBankError({ code: 'PROTO_SCHEMA' })).toBe(false);
    expect(isBankError({ code: 'BANK_NOT_A_CODE' })).toBe(false);
    expect(isBankError({ code: 'hasOwnProperty' })).toBe(false);
    expect(isBankError(null)).toBe(false);
  });
});
