import { describe, expect, it } from 'vitest';
import { DEFAULT_EVENTS, DEFAULT_RATE_LIMITS, loadConfig } from '../src/config.js';

describe('loadConfig: rate limits, proxies and live events', () => {
  it('defaults to the documented limits, no trusted proxy and 15 s heartbeats', () => {
    const c = loadConfig({});
    expect(c.rateLimits).toEqual(DEFAULT_RATE_LIMITS);
    expect(c.rateLimits).toEqual({
      windowSeconds: 60,
      login: 10,
      loginAddress: 30,
      register: 5,
      registerTotal: 120,
      enrollment: 20,
      settlement: 300,
      operatorLogin: 5,
      fraudProofs: 120,
      fraudReports: 30,
      certificateReports: 10,
    });
    expect(c.operators).toEqual({ sessionSeconds: 900 });
    expect(c.events).toEqual(DEFAULT_EVENTS);
    expect(c.trustProxy).toBe(false);
  });

  it('reads every limit, 0 turning one off, and the proxies to trust', () => {
    const c = loadConfig({
      RATE_LIMIT_WINDOW_SECONDS: '30',
      RATE_LIMIT_LOGIN: '5',
      RATE_LIMIT_LOGIN_ADDRESS: '11',
      RATE_LIMIT_REGISTER: '3',
      RATE_LIMIT_REGISTER_TOTAL: '40',
      RATE_LIMIT_FRAUD_REPORTS: '4',
      RATE_LIMIT_ENROLLMENT: '7',
      RATE_LIMIT_SETTLEMENT: '0',
      RATE_LIMIT_OPERATOR_LOGIN: '2',
      RATE_LIMIT_FRAUD_PROOFS: '9',
      RATE_LIMIT_CERTIFICATE_REPORTS: '6',
      OPERATOR_SESSION_SECONDS: '300',
      TRUST_PROXY: '10.0.0.0/8,127.0.0.1',
      EVENTS_MAX_STREAMS_PER_USER: '3',
      EVENTS_HEARTBEAT_SECONDS: '20',
    });
    expect(c.rateLimits).toEqual({
      windowSeconds: 30,
      login: 5,
      loginAddress: 11,
      register: 3,
      registerTotal: 40,
      enrollment: 7,
      settlement: 0,
      operatorLogin: 2,
      fraudProofs: 9,
      fraudReports: 4,
      certificateReports: 6,
    });
    expect(c.operators).toEqual({ sessionSeconds: 300 });
    expect(c.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(c.events).toEqual({ maxStreamsPerUser: 3, heartbeatSeconds: 20 });
  });

  it('takes TRUST_PROXY as a hop count or addresses, and refuses "believe everyone"', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: ' 10.1.2.3 , ::1 ' }).trustProxy).toEqual(['10.1.2.3', '::1']);
    // Regression (issue #12): TRUST_PROXY=true believed any client's X-Forwarded-For.
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(
      /TRUST_PROXY: "true" would believe any client's X-Forwarded-For/,
    );
    for (const bad of ['0', '11', 'yes', '10.0.0.0/33', 'example.com', '10.0.0.1,']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
    }
  });

  it('refuses a negative limit or an empty window, naming the variable', () => {
    expect(() => loadConfig({ RATE_LIMIT_LOGIN: '-1' })).toThrow(/RATE_LIMIT_LOGIN/);
    // Operator sessions stay short: at most an hour.
    expect(() => loadConfig({ OPERATOR_SESSION_SECONDS: '7200' })).toThrow(
      /OPERATOR_SESSION_SECONDS/,
    );
    expect(() => loadConfig({ RATE_LIMIT_WINDOW_SECONDS: '0' })).toThrow(
      /RATE_LIMIT_WINDOW_SECONDS/,
    );
  });
});
