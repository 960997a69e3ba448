/** Walks a zod schema tree and reports every leaf that accepts unbounded input. */
import type { z } from 'zod';

type Def = {
  type: string;
  checks?: { _zod: { def: { check: string } } }[];
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
};

const TERMINAL = new Set(['literal', 'enum', 'boolean', 'null', 'undefined', 'never']);

/** Paths (`body.email`, `response.items[]`) of strings, arrays or numbers without a bound. */
export function unbounded(schema: z.ZodType, path: string): string[] {
  const def = schema._zod.def as unknown as Def;
  const s = schema as unknown as {
    maxLength?: number | null;
    maxValue?: number;
    minValue?: number;
  };
  const inner = (child: z.ZodType | undefined, at: string) => (child ? unbounded(child, at) : []);
  switch (def.type) {
    case 'string':
      return typeof s.maxLength === 'number' ? [] : [`${path}: string without a maximum length`];
    case 'number':
      return Number.isFinite(s.maxValue) && Number.isFinite(s.minValue)
        ? []
        : [`${path}: number without finite bounds`];
    case 'array': {
      const bounded = (def.checks ?? []).some((c) =>
        ['max_length', 'length_equals'].includes(c._zod.def.check),
      );
      return [
        ...(bounded ? [] : [`${path}: array without a maximum length`]),
        ...inner(def.element, `${path}[]`),
      ];
    }
    case 'object':
      return [
        ...Object.entries(def.shape ?? {}).flatMap(([k, v]) => unbounded(v, `${path}.${k}`)),
        ...(def.catchall && def.catchall._zod.def.type !== 'never'
          ? unbounded(def.catchall, `${path}.*`)
          : []),
      ];
    case 'record':
      return [...inner(def.keyType, `${path}{key}`), ...inner(def.valueType, `${path}{}`)];
    case 'union':
      return (def.options ?? []).flatMap((o, i) => unbounded(o, `${path}|${i}`));
    case 'optional':
    case 'nullable':
    case 'default':
      return inner(def.innerType, path);
    case 'pipe':
      return [...inner(def.in, path), ...inner(def.out, path)];
    default:
      return TERMINAL.has(def.type) ? [] : [`${path}: unexpected schema type ${def.type}`];
  }
}
