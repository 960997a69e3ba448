/** The route table: one declaration per route, consistent with itself, and the helpers on it. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  BANK_ERRORS,
  bankDetails,
  errorBody,
  isBankCode,
  routePath,
  routes,
  type RouteSpec,
} from '../src/index.js';

const all: [string, RouteSpec][] = Object.entries(routes);

describe('routes', () => {
  it('declares each method and path once', () => {
    const keys = all.map(([, r]) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('has a params schema with exactly the parameters its path names', () => {
    for (const [name, route] of all) {
      const named = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]).sort();
      const shape = route.params instanceof z.ZodObject ? Object.keys(route.params.shape) : [];
      expect(shape.sort(), name).toEqual(named);
    }
  });

  it('answers 401 on every route that needs a login', () => {
    const withLogin = all.filter(([, r]) => r.auth);
    expect(withLogin.length).toBeGreaterThan(5);
    for (const [name, route] of withLogin) expect(route.errors, name).toContain(401);
  });

  it('declares error statuses that some bank code answers with', () => {
    const statuses = new Set(Object.values(BANK_ERRORS).map((s) => s.status));
    for (const [name, route] of all)
      for (const status of route.errors)
        expect(statuses.has(status), `${name} ${status}`).toBe(true);
  });
});

describe('routePath', () => {
  it('fills and encodes the parameters of a path', () => {
    expect(routePath(routes.closeCertificate, { serial: '12' })).toBe('/v1/certificates/12/close');
    expect(routePath(routes.settlementResult, { batchKey: 'a/b' })).toBe('/v1/settlements/a%2Fb');
    expect(routePath(routes.login)).toBe('/v1/auth/login');
  });

  it('refuses a missing parameter, even one an object inherits', () => {
    expect(() => routePath(routes.closeCertificate)).toThrow(RangeError);
    expect(() => routePath({ ...routes.closeCertificate, path: '/x/:constructor' }, {})).toThrow(
      RangeError,
    );
  });
});

describe('the registry helpers', () => {
  it('knows the bank codes and nothing else', () => {
    expect(isBankCode('BANK_RATE_LIMITED')).toBe(true);
    expect(isBankCode('PROTO_SCHEMA')).toBe(false);
    expect(isBankCode('toString')).toBe(false);
    expect(isBankCode(42)).toBe(false);
  });

  it('reads typed details of an error answer, and refuses details of the wrong shape', () => {
    const body = errorBody.parse({
      code: 'BANK_RATE_LIMITED',
      message: 'Too many requests',
      details: { limit: 10, retryAfterSeconds: 42 },
    });
    expect(bankDetails(body, 'BANK_RATE_LIMITED')).toEqual({ limit: 10, retryAfterSeconds: 42 });
    expect(bankDetails(body, 'BANK_BODY_TOO_LARGE')).toBeNull();
    const wrong = errorBody.parse({ ...body, details: { limit: 'ten' } });
    expect(bankDetails(wrong, 'BANK_RATE_LIMITED')).toBeNull();
  });
});
