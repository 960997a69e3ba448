/**
 * The console's tables, accessible by construction: a <caption> names the table, column headers
 * are <th scope="col">, and each row's first cell is its <th scope="row"> (what a screen reader
 * reads out when moving along a column). An empty table says so in words.
 */
import { h, type Child } from '@offpay/app-kit';

/** One column: its header and how a row fills its cell. */
export interface Column<T> {
  header: string;
  cell: (row: T) => Child | Child[];
  /** Right-aligned, tabular figures (amounts, counts). */
  numeric?: boolean;
}

/** A table of `rows` under `caption`; `empty` is said instead when there is none. */
export function dataTable<T>(
  caption: string,
  columns: readonly Column<T>[],
  rows: readonly T[],
  empty = 'None.',
): HTMLElement {
  const head = h(
    'tr',
    {},
    ...columns.map((c) =>
      h('th', { scope: 'col', class: c.numeric ? 'num' : undefined }, c.header),
    ),
  );
  const body = rows.map((row) =>
    h(
      'tr',
      {},
      ...columns.map((c, i) => {
        const content = c.cell(row);
        const cells = Array.isArray(content) ? content : [content];
        const cls = c.numeric ? 'num' : undefined;
        return i === 0
          ? h('th', { scope: 'row', class: cls }, ...cells)
          : h('td', { class: cls }, ...cells);
      }),
    ),
  );
  return h(
    'div',
    { class: 'table-wrap' },
    h('table', {}, h('caption', {}, caption), h('thead', {}, head), h('tbody', {}, ...body)),
    rows.length === 0 && h('p', { class: 'muted' }, empty),
  );
}

/** A <dl class="summary"> of label/value pairs. */
export function facts(pairs: readonly [string, Child][]): HTMLElement {
  return h(
    'dl',
    { class: 'summary' },
    ...pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );
}
