/** Payer sync and the merchant's CSV export over HTTP, on Postgres. */
import { describe, expect, it } from 'vitest';
import { useWorld, type User } from '../../helpers/world.js';

// The bank clock starts at a fixed instant; the in-memory stores follow it.
const bank = useWorld({ clock: new Date('2030-01-01T00:00:00.000Z'), invariants: true });

interface World {
  payer: User;
  payerSerial: number;
  payee: User;
  payeeSerial: number;
}

async function world(): Promise<World> {
  const payer = await bank.user('Payer');
  await bank.fund(payer, 2_000n);
  const enrolled = await bank.enrollPayer(payer, '1000');
  const shop = await bank.merchant('Shop');
  const payee = await bank.enrollPayee(shop);
  return {
    payer,
    payerSerial: Number(enrolled.json<{ serial: string }>().serial),
    payee: shop,
    payeeSerial: Number(payee.json<{ serial: string }>().serial),
  };
}

const at = (iso: string) => new Date(iso);

describe('GET /v1/payer/sync', () => {
  it('tells a payer what settled, newest first, and what remains of the reserve', async () => {
    const w = await world();
    const first = await bank.recordSettledPayment({
      ...w,
      counter: 1,
      amount: 120n,
      settledAt: at('2030-01-01T10:00:00Z'),
    });
    const second = await bank.recordSettledPayment({
      ...w,
      counter: 2,
      amount: 80n,
      settledAt: at('2030-01-01T11:00:00Z'),
    });
    const res = await bank.get('/v1/payer/sync', w.payer);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ bankTime: string; certificates: unknown[] }>();
    expect(body.bankTime).toBe(bank.clock.toISOString());
    expect(body.certificates).toEqual([
      {
        serial: String(w.payerSerial),
        status: 'active',
        currency: 'EUR',
        limitMinor: '1000',
        settledMinor: '200',
        reserveRemainingMinor: '800',
        expiresAt: new Date(bank.clock.getTime() + 7 * 86_400_000).toISOString(),
        closedAt: null,
        reserveReleasedAt: null,
        payments: [
          {
            paymentId: second,
            counter: 2,
            amountMinor: '80',
            settledAt: '2030-01-01T11:00:00.000Z',
            refundedMinor: '0',
          },
          {
            paymentId: first,
            counter: 1,
            amountMinor: '120',
            settledAt: '2030-01-01T10:00:00.000Z',
            refundedMinor: '0',
          },
        ],
        paymentsTruncated: false,
      },
    ]);
    // Nobody else sees them; the merchant has no payer certificates.
    expect((await bank.get('/v1/payer/sync', w.payee)).json()).toMatchObject({ certificates: [] });
    expect((await bank.get('/v1/payer/sync')).statusCode).toBe(401);
  });
});

describe('GET /v1/merchant/settlements.csv', () => {
  it('exports settled payments to my payee certificates as CSV, bounded by from/to', async () => {
    const w = await world();
    const a = await bank.recordSettledPayment({
      ...w,
      counter: 1,
      amount: 250n,
      settledAt: at('2030-01-02T09:00:00Z'),
    });
    const b = await bank.recordSettledPayment({
      ...w,
      counter: 2,
      amount: 75n,
      settledAt: at('2030-01-03T09:00:00Z'),
    });
    const res = await bank.get('/v1/merchant/settlements.csv', w.payee);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['x-offpay-truncated']).toBe('false');
    expect(res.body).toBe(
      'settled_at,payment_id,payer_serial,counter,amount_minor,currency,payee_serial,refunded_minor\r\n' +
        `2030-01-02T09:00:00.000Z,${a},${w.payerSerial},1,250,EUR,${w.payeeSerial},0\r\n` +
        `2030-01-03T09:00:00.000Z,${b},${w.payerSerial},2,75,EUR,${w.payeeSerial},0\r\n`,
    );
    const ranged = await bank.get(
      '/v1/merchant/settlements.csv?from=2030-01-03T00:00:00%2B01:00&to=2030-01-04T00:00:00Z',
      w.payee,
    );
    expect(ranged.body.trim().split('\r\n')).toHaveLength(2);
    expect(ranged.body).toContain(b);
    // The payer, or anyone else, gets only the header.
    expect((await bank.get('/v1/merchant/settlements.csv', w.payer)).body.split('\r\n')).toEqual([
      'settled_at,payment_id,payer_serial,counter,amount_minor,currency,payee_serial,refunded_minor',
      '',
    ]);
  });

  it('refuses bad bounds with 400', async () => {
    const shop = await bank.merchant('Shop');
    for (const query of [
      'from=yesterday',
      'from=2030-02-30T00:00:00Z',
      'from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z',
      'to=2030-01-01',
      'from=2030-01-01T00:00:00Z&from=2030-01-02T00:00:00Z',
      // A valid instant made arbitrarily long by its fraction of a second: bounded.
      `from=2030-01-01T00:00:00.${'0'.repeat(60)}Z`,
    ]) {
      const res = await bank.get(`/v1/merchant/settlements.csv?${query}`, shop);
      expect(res.statusCode, query).toBe(400);
      expect(res.json()).toMatchObject({ code: 'BANK_BAD_REQUEST' });
    }
    expect((await bank.get('/v1/merchant/settlements.csv')).statusCode).toBe(401);
  });

  it('is documented in the OpenAPI document with the other certificate routes', async () => {
    const doc = (await bank.get('/docs/json')).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/enrollment/challenge',
        '/v1/enrollment/payer',
        '/v1/enrollment/payee',
        '/v1/certificates/{serial}/close',
        '/v1/revocations',
        '/v1/payer/sync',
        '/v1/merchant/settlements.csv',
      ]),
    );
  });
});
