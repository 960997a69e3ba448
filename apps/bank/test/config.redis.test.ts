import { describe, expect, it } from 'vitest';
import { DEFAULT_EVENTS, DEFAULT_RATE_LIMITS, loadConfig } from '../src/config.js';

describe('loadConfig: rate limits, proxies and live events', () => {
  it('defaults to the documented limits, no trusted proxy and 15 s heartbeats', () => {
    const c = loadConfig({});
    expect(c.rateLimits).toEqual(DEFAULT_RATE_LIMITS);
    expect(c.rateLimits).toEqual({
      windowSeconds: 60,
      login: 10,
      enrollment: 20,
      settlement: 300,
      operatorLogin: 5,
      fraudProofs: 120,
    });
    expect(c.operators).toEqual({ sessionSeconds: 900 });
    expect(c.events).toEqual(DEFAULT_EVENTS);
    expect(c.trustProxy).toBe(false);
  });

  it('reads every limit, 0 turning one off, and the proxies to trust', () => {
    const c = loadConfig({
      RATE_LIMIT_WINDOW_SECONDS: '30',
      RATE_LIMIT_LOGIN: '5',
      RATE_LIMIT_ENROLLMENT: '7',
      RATE_LIMIT_SETTLEMENT: '0',
      RATE_LIMIT_OPERATOR_LOGIN: '2',
      RATE_LIMIT_FRAUD_PROOFS: '9',
      OPERATOR_SESSION_SECONDS: '300',
      TRUST_PROXY: '10.0.0.0/8,127.0.0.1',
      EVENTS_MAX_STREAMS_PER_USER: '3',
      EVENTS_HEARTBEAT_SECONDS: '20',
    });
    expect(c.rateLimits).toEqual({
      windowSeconds: 30,
      login: 5,
      enrollment: 7,
      settlement: 0,
      operatorLogin: 2,
      fraudProofs: 9,
    });
    expect(c.operators).toEqual({ sessionSeconds: 300 });
    expect(c.trustProxy).toBe('10.0.0.0/8,127.0.0.1');
    expect(c.events).toEqual({ maxStreamsPerUser: 3, heartbeatSeconds: 20 });
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
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
