/**
 * Fraud proofs cannot be farmed (issue #12 item 6), each a regression test: a cheat equivocating
 * to a till of their own stored one proof row and one alert line per entry (999 for a cent); a
 * known proof reported again wrote an audit row under the bank-wide audit lock each time; reports
 * had no limit at all. Now one proof per certificate is stored, a proof of a proven certificate
 * writes nothing, and POST /v1/fraud-proofs is limited per client address.
 */
import { toBase64Url } from '@offpay/crypto';
import { encodeFraudProof, makeFraudProof } from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { buildTestApp, LogCapture } from '../../helpers/app.js';
import { craftPayment, useWorld } from '../../helpers/world.js';

const logs = new LogCapture();
const world = useWorld({ logs });

const count = async (sql: string, params: unknown[] = []) =>
  Number((await world.db.query<{ n: bigint }>(sql, params))[0]?.n ?? 0n);
const proofsOf = (serial: number) =>
  count('SELECT count(*) AS n FROM fraud_proofs WHERE serial = $1', [serial]);
const alertsOf = (serial: number) =>
  logs.lines.filter((l) => l.includes('"alert":"fraud-proof"') && l.includes(`"serial":${serial}`))
    .length;

const report = (proof: string, remoteAddress = '127.0.0.1', app = world.app) =>
  app.inject({ method: 'POST', url: '/v1/fraud-proofs', remoteAddress, payload: { proof } });

describe('one stored proof per certificate', () => {
  it('twenty self-made equivocations in one batch store one proof and raise one alert', async () => {
    const payer = await world.payer(10_000n);
    const till = await world.payee('Own Till');
    const honest = world.pay(payer, till, 1);
    expect(await world.settleEntries(till, [honest])).toMatchObject([{ status: 'settled' }]);
    // Twenty more counter-1 payments of one cent each, every one conflicting with the first.
    const cheats = Array.from({ length: 20 }, (_, i) =>
      craftPayment(payer, {
        payeeKid: till.kid,
        createdAt: world.now + i + 1,
        amount: 1,
      }),
    );
    const results = await world.settleEntries(till, cheats);
    expect(results).toHaveLength(20);
    expect(await proofsOf(payer.cert.serial)).toBe(1);
    expect(alertsOf(payer.cert.serial)).toBe(1);
    // The certificate is revoked and listed all the same.
    expect(await world.revokedSerials()).toContain(payer.cert.serial);
  });

  it('a known proof, or another proof of a proven certificate, reported again writes nothing', async () => {
    const payer = await world.payer(10_000n);
    const a = await world.payee('Shop A');
    const b = await world.payee('Shop B');
    const start = { ...payer.chain };
    const first = world.pay(payer, a, 100);
    payer.chain = { ...start };
    const second = world.pay(payer, b, 200);
    payer.chain = { ...start };
    const third = world.pay(payer, b, 300);
    const proof = toBase64Url(encodeFraudProof(makeFraudProof(first, second)));
    const other = toBase64Url(encodeFraudProof(makeFraudProof(first, third)));

    expect((await report(proof)).statusCode).toBe(200);
    const audit = await count('SELECT count(*) AS n FROM audit_log');
    for (const again of [proof, proof, other]) {
      const res = await report(again);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ serial: String(payer.cert.serial), revoked: true });
    }
    expect(await count('SELECT count(*) AS n FROM audit_log')).toBe(audit);
    expect(await proofsOf(payer.cert.serial)).toBe(1);
  });
});

describe('POST /v1/fraud-proofs is limited per client address', () => {
  it('refuses the report past the limit with 429, before reading the proof', async () => {
    const app = await buildTestApp({
      db: world.db,
      config: {
        rateLimits: {
          windowSeconds: 60,
          login: 100,
          enrollment: 100,
          settlement: 100,
          fraudReports: 2,
        },
      },
    });
    try {
      const junk = toBase64Url(new Uint8Array(40));
      expect((await report(junk, '192.0.2.77', app)).statusCode).toBe(400);
      expect((await report(junk, '192.0.2.77', app)).statusCode).toBe(400);
      const limited = await report(junk, '192.0.2.77', app);
      expect(limited.statusCode, limited.body).toBe(429);
      expect(limited.json()).toMatchObject({ code: 'BANK_RATE_LIMITED', details: { limit: 2 } });
      // Another address still reports.
      expect((await report(junk, '192.0.2.78', app)).statusCode).toBe(400);
    } finally {
      await app.close();
    }
  });
});
