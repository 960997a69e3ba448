import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { BANK_ERRORS, BankError, isBankError } from '../src/errors.js';

describe('BANK_ error registry', () => {
  it('uses domain-prefixed SCREAMING_SNAKE codes with real HTTP statuses and words for people', () => {
    for (const [code, spec] of Object.entries(BANK_ERRORS)) {
      expect(code).toMatch(/^BANK_[A-Z0-9_]+$/);
      expect([400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503]).toContain(spec.status);
      expect(spec.meaning.length).toBeGreaterThan(10);
      expect(spec.advice.length).toBeGreaterThan(5);
    }
  });

  it('documents every code, with its status, in docs/errors.md — and nothing else', async () => {
    const doc = await readFile(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    // Rows of the codes table: | `CODE` | status | meaning | advice | (column widths may vary).
    const rows = new Map<string, number>();
    for (const line of doc.split('\n')) {
      const cells = line.split('|').map((c) => c.trim());
      const code = /^`(BANK_[A-Z0-9_]+)`$/.exec(cells[1] ?? '')?.[1];
      if (code && /^\d{3}$/.test(cells[2] ?? '')) rows.set(code, Number(cells[2]));
    }
    for (const [code, spec] of Object.entries(BANK_ERRORS))
      expect(rows.get(code), code).toBe(spec.status);
    expect([...rows.keys()].sort()).toEqual(Object.keys(BANK_ERRORS).sort());
  });

  it('matches errors by code, not by class', () => {
    const e = new BankError('BANK_TOKEN_EXPIRED', 'expired');
    expect(e.status).toBe(401);
    expect(isBankError(e, 'BANK_TOKEN_EXPIRED')).toBe(true);
    expect(
      isBankError(
        { code: 'BANK_TOKEN_EXPIRED', message: 'copy from another module' },
        'BANK_TOKEN_EXPIRED',
      ),
    ).toBe(true);
    expect(isBankError({ code: 'PROTO_SCHEMA' })).toBe(false);
    expect(isBankError({ code: 'BANK_NOT_A_CODE' })).toBe(false);
    expect(isBankError(null)).toBe(false);
  });
});
