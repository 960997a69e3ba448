/**
 * Every APP_ code is documented in docs/errors.md, and no stale APP_ row remains. (The BANK_ rows
 * are checked against the bank's registry in packages/api; the apps' words for them are typed
 * over the registry's codes.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APP_ERRORS } from '../src/errors.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const rows = (prefix: string) =>
  new Set(
    [...doc.matchAll(new RegExp(`^\\|\\s*\`(${prefix}_[A-Z0-9_]+)\`\\s*\\|`, 'gm'))].map(
      (m) => m[1]!,
    ),
  );
const documented = rows('APP');

describe('docs/errors.md', () => {
  it.each(Object.keys(APP_ERRORS))('documents app code %s', (code) => {
    expect(documented.has(code)).toBe(true);
  });

  it('documents no APP_ code that does not exist', () => {
    expect([...documented].filter((c) => !(c in APP_ERRORS))).toEqual([]);
  });
});
