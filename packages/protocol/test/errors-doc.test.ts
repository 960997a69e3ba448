/** Every error code in the code base is documented in docs/errors.md (STYLE.md "Errors"). */
import { readFileSync } from 'node:fs';
import { CRYPTO_ERROR_CODES } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import { PROTO_ERRORS } from '../src/index.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set(
  [...doc.matchAll(/^\|\s*`([A-Z]+_[A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]),
);

describe('docs/errors.md', () => {
  it.each(Object.keys(PROTO_ERRORS))('documents protocol code %s', (code) => {
    expect(documented.has(code)).toBe(true);
  });

  it.each([...CRYPTO_ERROR_CODES])('documents crypto code %s', (code) => {
    expect(documented.has(code)).toBe(true);
  });

  it('documents no code that does not exist (prefixes CRYPTO_ and PROTO_)', () => {
    const known = new Set<string>([...Object.keys(PROTO_ERRORS), ...CRYPTO_ERROR_CODES]);
    const stale = [...documented].filter((c) => /^(CRYPTO|PROTO)_/.test(c!) && !known.has(c!));
    expect(stale).toEqual([]);
  });
});
