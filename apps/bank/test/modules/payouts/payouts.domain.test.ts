/**
 * The pure rules of payouts: the IBAN check (valid ones in print and electronic format, refusals
 * with their reason), the state machine (each step applies to exactly one state), decimal amounts
 * from integer minor units without floats, and the pain.001 writer — well-formed, escaped, with
 * NbOfTxs and CtrlSum equal to the transfers it carries (property-tested).
 */
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { isBankError } from '../../../src/errors.js';
import {
  STEPS,
  checkStep,
  decimalAmount,
  normalizeIban,
  type PayoutState,
} from '../../../src/modules/payouts/payouts.domain.js';
import { pain001, xmlEscape } from '../../../src/modules/payouts/payouts.pain001.js';

function refusal(fn: () => unknown): { code: string; details: unknown } | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (!isBankError(err)) throw err;
    return { code: err.code, details: err.details };
  }
}

describe('normalizeIban', () => {
  it.each([
    ['DE89 3704 0044 0532 0130 00', 'DE89370400440532013000'],
    ['gb82 west 1234 5698 7654 32', 'GB82WEST12345698765432'],
    ['FR1420041010050500013M02606', 'FR1420041010050500013M02606'],
    ['NL91ABNA0417164300', 'NL91ABNA0417164300'],
  ])('accepts %s as %s', (input, electronic) => {
    expect(normalizeIban(input)).toBe(electronic);
  });

  it.each([
    ['DE89370400440532013001', 'checksum'],
    ['GB82WEST12345698765433', 'checksum'],
    ['QQ89370400440532013000', 'country'],
    ['DE893704004405320130', 'length'],
    ['DE89370400440532013O00', 'format'],
    ['DE89<37040044053201300', 'format'],
  ])('refuses %s (%s)', (input, reason) => {
    expect(refusal(() => normalizeIban(input))).toEqual({
      code: 'BANK_IBAN_INVALID',
      details: { reason },
    });
  });
});

describe('the state machine', () => {
  const states: PayoutState[] = [
    'requested',
    'approved',
    'refused',
    'in_flight',
    'confirmed',
    'failed',
  ];

  it('lets each step apply to its one state only, and names that state when refusing', () => {
    for (const [step, s] of Object.entries(STEPS)) {
      for (const state of states) {
        const r = refusal(() => checkStep('p1', state, step as keyof typeof STEPS));
        if (state === s.from) expect(r, `${step} on ${state}`).toBeNull();
        else
          expect(r, `${step} on ${state}`).toEqual({
            code: 'BANK_PAYOUT_STATE',
            details: { payoutId: 'p1', state, expected: [s.from] },
          });
      }
    }
  });

  it('returns money exactly on refuse and fail, pays it only on confirm', () => {
    expect(Object.entries(STEPS).map(([k, s]) => [k, s.money])).toEqual([
      ['approve', 'keep'],
      ['refuse', 'return'],
      ['export', 'keep'],
      ['confirm', 'pay'],
      ['fail', 'return'],
    ]);
  });
});

describe('decimalAmount', () => {
  it.each([
    [0n, 'EUR', '0.00'],
    [1n, 'EUR', '0.01'],
    [1234n, 'EUR', '12.34'],
    [9_007_199_254_740_991n, 'EUR', '90071992547409.91'],
    [1234n, 'JPY', '1234'],
    [1234n, 'KWD', '1.234'],
  ])('%s %s → %s', (minor, currency, text) => {
    expect(decimalAmount(minor, currency)).toBe(text);
  });

  it('round-trips every amount through its decimal text', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), (minor) => {
        expect(BigInt(decimalAmount(minor, 'EUR').replace('.', ''))).toBe(minor);
      }),
      { numRuns: 500 },
    );
  });
});

describe('pain001', () => {
  const debtor = { name: 'offpay bank', iban: 'DE89370400440532013000', bic: null };
  const batch = (transfers: Parameters<typeof pain001>[0]['transfers']) => ({
    messageId: 'OFFPAY0123456789abcdef0123456789a',
    createdAt: new Date('2030-01-02T03:04:05.678Z'),
    executionDate: '2030-01-02',
    currency: 'EUR',
    debtor,
    transfers,
  });
  const parser = new XMLParser({
    ignoreAttributes: false,
    parseTagValue: false,
    isArray: (n) => n === 'CdtTrfTxInf',
  });

  it('writes a well-formed document whose counts and control sums are its transfers', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            amount: fc.bigInt({ min: 1n, max: 2n ** 53n - 1n }),
            creditorName: fc.string({ minLength: 1, maxLength: 70 }).filter((s) => {
              try {
                xmlEscape(s);
                return s.trim().length > 0;
              } catch {
                return false;
              }
            }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        (items) => {
          const transfers = items.map((t, i) => ({
            ...t,
            endToEndId: `e2e${i}`,
            creditorIban: 'FR1420041010050500013M02606',
            remittance: `offpay payout ${i}`,
          }));
          const xml = pain001(batch(transfers));
          expect(XMLValidator.validate(xml)).toBe(true);
          const doc = parser.parse(xml).Document.CstmrCdtTrfInitn;
          const total = items.reduce((s, t) => s + t.amount, 0n);
          expect(doc.GrpHdr.NbOfTxs).toBe(String(items.length));
          expect(doc.GrpHdr.CtrlSum).toBe(decimalAmount(total, 'EUR'));
          expect(doc.PmtInf.CtrlSum).toBe(doc.GrpHdr.CtrlSum);
          const amounts = (
            doc.PmtInf.CdtTrfTxInf as { Amt: { InstdAmt: { '#text': string } } }[]
          ).map((t) => BigInt(t.Amt.InstdAmt['#text'].replace('.', '')));
          expect(amounts.reduce((s, a) => s + a, 0n)).toBe(total);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('escapes markup in names, and refuses characters XML cannot carry', () => {
    const xml = pain001(
      batch([
        {
          endToEndId: 'x',
          amount: 5n,
          creditorName: `</Nm><IBAN>EVIL</IBAN> & 'co'`,
          creditorIban: 'FR1420041010050500013M02606',
          remittance: 'r',
        },
      ]),
    );
    expect(xml).toContain('<Nm>&lt;/Nm&gt;&lt;IBAN&gt;EVIL&lt;/IBAN&gt; &amp; &apos;co&apos;</Nm>');
    expect(xml).not.toContain('<IBAN>EVIL');
    expect(() => xmlEscape('a\u0001b')).toThrow(RangeError);
    expect(() => xmlEscape('a\uD800b')).toThrow(RangeError);
    expect(() => pain001(batch([]))).toThrow(RangeError);
  });

  it('names the debtor agent by BIC when the bank has one, else NOTPROVIDED', () => {
    const t = [
      {
        endToEndId: 'x',
        amount: 1n,
        creditorName: 'A',
        creditorIban: 'NL91ABNA0417164300',
        remittance: 'r',
      },
    ];
    expect(pain001(batch(t))).toContain('<Othr><Id>NOTPROVIDED</Id></Othr>');
    expect(pain001({ ...batch(t), debtor: { ...debtor, bic: 'COBADEFFXXX' } })).toContain(
      '<BIC>COBADEFFXXX</BIC>',
    );
  });
});
