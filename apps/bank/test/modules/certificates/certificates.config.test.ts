/** Certificate lifetimes and the release job from the environment. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';

describe('certificate configuration', () => {
  it('defaults to 7-day payer and 365-day payee certificates and a release run every minute', () => {
    expect(loadConfig({}).certificates).toEqual({
      payerTtlSeconds: 7 * 86_400,
      payeeTtlSeconds: 365 * 86_400,
      releaseIntervalSeconds: 60,
    });
  });

  it('takes overrides within bounds and refuses the rest, naming the variable', () => {
    const c = loadConfig({ PAYER_CERT_TTL_SECONDS: '3600', RELEASE_INTERVAL_SECONDS: '0' });
    expect(c.certificates).toMatchObject({ payerTtlSeconds: 3600, releaseIntervalSeconds: 0 });
    expect(() => loadConfig({ PAYER_CERT_TTL_SECONDS: '59' })).toThrow(/PAYER_CERT_TTL_SECONDS/);
    expect(() => loadConfig({ PAYEE_CERT_TTL_SECONDS: 'forever' })).toThrow(/PAYEE_CERT_TTL/);
    expect(() => loadConfig({ RELEASE_INTERVAL_SECONDS: '-1' })).toThrow(/RELEASE_INTERVAL/);
  });
});
