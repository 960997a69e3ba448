/**
 * Display names at every bank entry point that takes one (issue #10 item 8, docs/protocol.md §3):
 * the protocol's `isDisplayText` decides — Cc, Cf, Cs, Co, Zl and Zp refused, unassigned code
 * points allowed, at most 64 UTF-8 bytes — for an account's name at registration and a merchant's
 * name when applying, before any white space is collapsed.
 */
import { toBase64Url, randomBytes } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import { useWorld } from '../../helpers/world.js';

const world = useWorld();

const FORBIDDEN: [string, string][] = [
  ['a tab (Cc)', 'Bob\tMarket'],
  ['NEL (Cc)', 'Bob\u0085Market'],
  ['a right-to-left override (Cf)', 'Bob\u202EtekraM'],
  ['a zero-width joiner (Cf)', 'Bob\u200DMarket'],
  ['private use (Co)', 'Bob\uE000Market'],
  ['a line separator (Zl)', 'Bob\u2028Market'],
  ['a paragraph separator (Zp)', 'Bob\u2029Market'],
  ['65 bytes', 'é'.repeat(32) + 'x'],
];

const register = (displayName: string) =>
  world.post('/v1/auth/register', {
    email: `dn-${toBase64Url(randomBytes(6)).toLowerCase()}@example.com`,
    password: 'correct horse battery',
    displayName,
  });

describe('POST /v1/auth/register', () => {
  it.each(FORBIDDEN)('refuses a name with %s: 400', async (_, name) => {
    const res = await register(name);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'BANK_BAD_REQUEST',
      details: { issues: [{ path: 'body/displayName' }] },
    });
  });

  it('accepts an unassigned code point (Cn) and 64 bytes of accented letters', async () => {
    for (const name of ['Bob \u0378 Market', 'é'.repeat(32)]) {
      const res = await register(name);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ displayName: name });
    }
  });
});

describe('POST /v1/merchant/application', () => {
  it.each(FORBIDDEN)('refuses a name with %s: 422 BANK_DISPLAY_NAME_UNUSABLE', async (_, name) => {
    const user = await world.user();
    const res = await world.post(
      '/v1/merchant/application',
      { legalName: 'Bob Market Ltd', displayName: name, contact: 'bob@example.com' },
      user,
    );
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'BANK_DISPLAY_NAME_UNUSABLE',
      details: { limitBytes: 64 },
    });
  });
});
