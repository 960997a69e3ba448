/** The merchant's CSV export, without a database. */
import { describe, expect, it } from 'vitest';
import { csvCell, settlementsCsv } from '../../../src/modules/reports/reports.csv.js';

describe('CSV export', () => {
  it('quotes delimiters and defuses cells a spreadsheet would run as formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    for (const start of ['+', '-', '@', '\t', '\r'])
      expect(csvCell(`${start}1`).includes(`'${start}1`)).toBe(true);
    expect(csvCell('-5')).toBe("'-5");
  });

  it('writes a header and one CRLF line per payment', () => {
    const csv = settlementsCsv([
      {
        settledAt: new Date('2030-01-01T00:00:00Z'),
        paymentId: 'ab'.repeat(32),
        payerSerial: 7,
        counter: 1,
        amount: 2n ** 53n - 1n,
        currency: 'EUR',
        payeeSerial: 8,
        refunded: 120n,
      },
    ]);
    expect(csv).toBe(
      'settled_at,payment_id,payer_serial,counter,amount_minor,currency,payee_serial,refunded_minor\r\n' +
        `2030-01-01T00:00:00.000Z,${'ab'.repeat(32)},7,1,9007199254740991,EUR,8,120\r\n`,
    );
  });
});
