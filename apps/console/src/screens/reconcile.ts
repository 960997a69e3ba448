/**
 * Reconcile: the bank's reconciliation check (docs/operations.md "Reconciliation") run now, on
 * one read-only snapshot: what it checked, and each broken invariant with its first rows.
 */
import { routes, type AnswerOf } from '@offpay/api';
import { h, notice, section } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { formatInstant } from '../format.js';
import { checkedForm } from '../forms.js';
import { dataTable, facts } from '../table.js';

type Result = AnswerOf<typeof routes.runReconcile>;
type Finding = Result['findings'][number];

function findingTable(f: Finding): HTMLElement {
  const keys = [...new Set(f.rows.flatMap((r) => Object.keys(r)))];
  return section(
    `${f.code}: ${f.rowCount} ${f.rowCount === 1 ? 'row' : 'rows'}`,
    h('p', {}, f.detail),
    dataTable<Finding['rows'][number]>(
      `First rows breaking ${f.code}`,
      keys.map((k) => ({
        header: k,
        cell: (r) => (r[k] === null || r[k] === undefined ? '—' : String(r[k])),
      })),
      f.rows,
    ),
  );
}

/** The verdict of a run in words. */
export function reconcileWords(r: Result): { ok: boolean; title: string; text: string } {
  if (r.ok)
    return {
      ok: true,
      title: 'The books agree ✓',
      text: `Checked at ${formatInstant(r.checkedAt)}: no finding.`,
    };
  const more = r.findingsTruncated ? ' (more not shown)' : '';
  return {
    ok: false,
    title: `${r.findings.length} ${r.findings.length === 1 ? 'finding' : 'findings'}${more}`,
    text: `Checked at ${formatInstant(r.checkedAt)}. Each one below is an invariant the books break.`,
  };
}

export function reconcileScreen(ctx: Ctx): void {
  const out = h('div', { class: 'reconcile-result', 'aria-live': 'polite' });
  const run = checkedForm('Run the check now', [], async () => {
    const r = await ctx.app.call(routes.runReconcile, {});
    const words = reconcileWords(r);
    out.replaceChildren(
      notice(words.ok ? 'ok' : 'error', words.title, words.text),
      section('Checked', facts(Object.entries(r.checked).map(([k, v]) => [k, String(v)]))),
      ...r.findings.map(findingTable),
    );
  });
  ctx.show(
    'Reconcile',
    h(
      'p',
      { class: 'muted' },
      'Read-only: the check changes nothing. It may take a while on a large bank.',
    ),
    run,
    out,
  );
}
