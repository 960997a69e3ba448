/**
 * The registry and docs/errors.md agree (STYLE.md "Errors"): every BANK_ code of the registry has
 * a row with its status, meaning and advice, every row names a code of the registry, and the codes
 * with typed details are exactly those listed under "Typed details". The codes come from the
 * registry; the document is only read as tables.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BANK_CODES, BANK_ERRORS } from '../src/index.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

/** The markdown tables of the section whose heading starts with `heading`, as rows of cells. */
function tables(heading: string): string[][][] {
  const start = doc.indexOf(`\n## ${heading}`);
  if (start === -1) throw new Error(`docs/errors.md has no section ${heading}`);
  const end = doc.indexOf('\n## ', start + 1);
  const lines = doc.slice(start, end === -1 ? undefined : end).split('\n');
  const found: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of lines) {
    if (!line.startsWith('|')) {
      current = null;
      continue;
    }
    // Cells split on unescaped pipes; `\|` stands for a pipe inside a cell.
    const cells = line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim().replaceAll('\\|', '|'));
    if (cells.every((c) => /^-+$/.test(c))) continue;
    if (!current) found.push((current = []));
    current.push(cells);
  }
  return found;
}

const [codesTable, detailsTable] = tables('BANK_');
const unquote = (cell: string) => /^`([A-Z0-9_]+)`$/.exec(cell)?.[1] ?? cell;
const rows = new Map((codesTable ?? []).slice(1).map((cells) => [unquote(cells[0] ?? ''), cells]));
const detailRows = new Set((detailsTable ?? []).slice(1).map((cells) => unquote(cells[0] ?? '')));

describe('docs/errors.md, BANK_ section', () => {
  it('has the codes table and the typed details table', () => {
    expect(codesTable?.[0]).toEqual(['code', 'HTTP', 'meaning', 'what the client should do']);
    expect(detailsTable?.[0]).toEqual(['code', 'details']);
  });

  it.each(BANK_CODES)(
    'documents %s with the status, meaning and advice of the registry',
    (code) => {
      const spec = BANK_ERRORS[code];
      expect(rows.get(code)).toEqual([
        `\`${code}\``,
        String(spec.status),
        spec.meaning,
        spec.advice,
      ]);
    },
  );

  it('has a row for no code the registry lacks', () => {
    const stale = [...rows.keys()].filter((code) => !(BANK_CODES as string[]).includes(code));
    expect(stale).toEqual([]);
  });

  it('lists under "Typed details" exactly the codes whose details have fields', () => {
    const typed = BANK_CODES.filter((code) => Object.keys(BANK_ERRORS[code].details.shape).length);
    expect([...detailRows].sort()).toEqual([...typed].sort());
  });
});
