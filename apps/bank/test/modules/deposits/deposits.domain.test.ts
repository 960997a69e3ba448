/**
 * The pure rules of deposits: a statement file read into rows (quoted fields, BOM, CRLF, line
 * numbers), each row valid or refused naming the field at fault, the file refused whole when its
 * header, quoting or size is wrong; and a repeated deposit recognised only with the same facts.
 */
import { STATEMENT_COLUMNS, STATEMENT_MAX_ROWS } from '@offpay/api';
import { describe, expect, it } from 'vitest';
import { isBankError } from '../../../src/errors.js';
import {
  accountRef,
  parseStatement,
  sameDeposit,
} from '../../../src/modules/deposits/deposits.domain.js';

const HEADER = STATEMENT_COLUMNS.join(',');
const ID = '0b6f2c1e-3d4a-4f5b-8c6d-7e8f9a0b1c2d';

function fileRefusal(csv: string) {
  try {
    parseStatement(csv);
    return null;
  } catch (err) {
    if (!isBankError(err)) throw err;
    return { code: err.code, details: err.details };
  }
}

describe('parseStatement', () => {
  it('reads quoted fields, a BOM and CRLF, with file line numbers', () => {
    const rows = parseStatement(
      `\uFEFF${HEADER.toUpperCase()}\r\nR1,2030-01-02,${ID},100,EUR,"a, ""quoted"""\r\nR2,,Alice@Example.COM,5,EUR,\r\n`,
    );
    expect(rows).toEqual([
      {
        line: 2,
        reference: 'R1',
        request: {
          reference: 'R1',
          account: { kind: 'id', accountId: ID },
          amount: 100n,
          currency: 'EUR',
          valueDate: '2030-01-02',
          description: 'a, "quoted"',
        },
      },
      expect.objectContaining({
        line: 3,
        request: expect.objectContaining({
          account: { kind: 'email', email: 'alice@example.com' },
          valueDate: null,
        }),
      }),
    ]);
    // A quoted line break is one field (the row spans lines 2–3) but a control character in a
    // description: that row is refused; rows are numbered by the line they start on.
    const rows2 = parseStatement(`${HEADER}\r\nR1,,${ID},1,EUR,"two\r\nlines"\r\nR2,,${ID},1,EUR,`);
    expect(rows2).toEqual([
      expect.objectContaining({ line: 2, field: 'description' }),
      expect.objectContaining({ line: 4, reference: 'R2' }),
    ]);
  });

  it.each([
    [`R 1,,${ID},1,EUR,`, 'reference'],
    [`R1,2030-13-01,${ID},1,EUR,`, 'date'],
    ['R1,,not-an-account,1,EUR,', 'account'],
    [`R1,,${ID},0,EUR,`, 'amount_minor'],
    [`R1,,${ID},-5,EUR,`, 'amount_minor'],
    [`R1,,${ID},1.5,EUR,`, 'amount_minor'],
    [`R1,,${ID},9007199254740992,EUR,`, 'amount_minor'],
    [`R1,,${ID},1,eur,`, 'currency'],
    [`R1,,${ID},1,EUR,${'x'.repeat(141)}`, 'description'],
    [`R1,,${ID},1,EUR`, 'columns'],
    [`R1,,${ID},1,EUR,,extra`, 'columns'],
  ])('refuses the row %s at its %s', (row, field) => {
    expect(parseStatement(`${HEADER}\n${row}`)).toEqual([
      expect.objectContaining({ line: 2, field }),
    ]);
  });

  it('refuses a file without the documented header, without rows, or with too many', () => {
    expect(fileRefusal('a,b,c\n1,2,3')).toEqual({
      code: 'BANK_STATEMENT_INVALID',
      details: { line: 1, reason: 'header' },
    });
    expect(fileRefusal(HEADER)).toMatchObject({ details: { reason: 'empty' } });
    expect(fileRefusal('')).toMatchObject({ details: { reason: 'empty' } });
    expect(fileRefusal(`${HEADER}\n"R1,,x`)).toMatchObject({ details: { reason: 'csv' } });
    const rows = Array.from({ length: STATEMENT_MAX_ROWS }, (_, i) => `R${i},,${ID},1,EUR,`);
    expect(parseStatement([HEADER, ...rows].join('\n'))).toHaveLength(STATEMENT_MAX_ROWS);
    expect(fileRefusal([HEADER, ...rows, `X,,${ID},1,EUR,`].join('\n'))).toMatchObject({
      details: { reason: 'too_many_rows' },
    });
  });
});

describe('accountRef and sameDeposit', () => {
  it('reads account ids and emails, nothing else', () => {
    expect(accountRef(ID.toUpperCase())).toEqual({ kind: 'id', accountId: ID });
    expect(accountRef(' Bob@Shop.example ')).toEqual({ kind: 'email', email: 'bob@shop.example' });
    expect(accountRef('bob')).toBeNull();
    expect(accountRef('a@b@c')).toBeNull();
  });

  it('calls a deposit repeated only when account, amount and currency all match', () => {
    const stored = { accountId: ID, amount: 100n, currency: 'EUR' };
    expect(sameDeposit(stored, { ...stored })).toBe(true);
    expect(sameDeposit(stored, { ...stored, amount: 101n })).toBe(false);
    expect(sameDeposit(stored, { ...stored, currency: 'USD' })).toBe(false);
    expect(sameDeposit(stored, { ...stored, accountId: ID.replace('0b', '0c') })).toBe(false);
  });
});
