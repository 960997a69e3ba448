/**
 * Every schema of the contract is bounded (STYLE.md "Protocol and money": bound every size before
 * allocating): no string without a maximum length, no array without a maximum count, no number
 * without finite bounds — checked on the schema tree, and by refusing examples with one value
 * made over-long or out of range.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { BANK_ERRORS, errorBody, routes, type RouteName, type RouteSpec } from '../src/index.js';
import { EXAMPLES } from './examples.js';
import { unbounded } from './walk.js';

const PARTS = ['params', 'query', 'headers', 'body', 'response', 'event'] as const;

/** The schemas of a route with their example values (a stream's whole text is not parsed). */
function parts(name: RouteName): { part: string; schema: z.ZodType; value: unknown }[] {
  const route: RouteSpec = routes[name];
  const example = EXAMPLES[name];
  return PARTS.flatMap((part) => {
    const schema = route[part];
    if (!schema) return [];
    if (part === 'response' && route.contentType === 'text/event-stream') return [];
    return [{ part, schema, value: example[part] }];
  });
}

type Leaf = { path: (string | number)[]; value: unknown };

/** Every string, number and array in `value`, with its path. */
function leaves(value: unknown, path: (string | number)[] = []): Leaf[] {
  if (Array.isArray(value))
    return [{ path, value }, ...value.flatMap((v, i) => leaves(v, [...path, i]))];
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  return typeof value === 'string' || typeof value === 'number' ? [{ path, value }] : [];
}

function replaced(value: unknown, path: (string | number)[], leaf: unknown): unknown {
  if (path.length === 0) return leaf;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let at = copy;
  for (const step of path.slice(0, -1)) at = at[step] as Record<string | number, unknown>;
  at[path[path.length - 1]!] = leaf;
  return copy;
}

/**
 * Values no bounded leaf of this kind accepts: strings longer than any field's bound (2 Mi
 * characters; a whole answer that is one string, the CSV export, 16 Mi), numbers past any range,
 * arrays longer than any list's bound.
 */
function outOfBounds(value: unknown, whole = false): unknown[] {
  if (typeof value === 'string') return ['7'.repeat(whole ? 1 << 24 : 1 << 21)];
  if (typeof value === 'number') return [Number.MAX_VALUE, -Number.MAX_VALUE];
  const list = value as unknown[];
  return [Array.from({ length: 200_001 }, () => list[0] ?? '')];
}

describe.each(Object.keys(routes) as RouteName[])('route %s', (name) => {
  it('has an example of every part, and each parses', () => {
    for (const { part, schema, value } of parts(name)) {
      const parsed = schema.safeParse(value);
      expect(parsed.error?.issues ?? [], `${name}.${part}`).toEqual([]);
    }
  });

  it('bounds every string, array and number of its schemas', () => {
    const problems = parts(name).flatMap(({ part, schema }) => unbounded(schema, part));
    expect(problems).toEqual([]);
  });

  it('refuses each value of its example made over-long or out of range', () => {
    for (const { part, schema, value } of parts(name)) {
      for (const leaf of leaves(value)) {
        for (const bad of outOfBounds(leaf.value, leaf.path.length === 0)) {
          const at = `${name}.${part}.${leaf.path.join('.')}`;
          expect(schema.safeParse(replaced(value, leaf.path, bad)).success, at).toBe(false);
        }
      }
    }
  });
});

describe('error answers', () => {
  const example = {
    code: 'BANK_BAD_REQUEST',
    message: 'The request does not match the schema',
    details: { issues: [{ path: 'body/email', message: 'Invalid email address' }] },
  };

  it('bound every string, array and number, and the number of details', () => {
    expect(unbounded(errorBody, 'error')).toEqual([]);
    expect(errorBody.safeParse(example).success).toBe(true);
    for (const leaf of leaves(example)) {
      for (const bad of outOfBounds(leaf.value))
        expect(errorBody.safeParse(replaced(example, leaf.path, bad)).success).toBe(false);
    }
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i]));
    expect(errorBody.safeParse({ ...example, details: many }).success).toBe(false);
  });

  it.each(Object.keys(BANK_ERRORS))('types bounded details for %s', (code) => {
    const spec = BANK_ERRORS[code as keyof typeof BANK_ERRORS];
    expect(unbounded(spec.details, `${code}.details`)).toEqual([]);
  });

  it('refuses codes that are neither the bank’s nor the protocol’s', () => {
    expect(errorBody.safeParse({ ...example, code: 'BANK_NO_SUCH_CODE' }).success).toBe(false);
    expect(errorBody.safeParse({ ...example, code: 'PROTO_SCHEMA' }).success).toBe(true);
  });
});
