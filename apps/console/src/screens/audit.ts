/**
 * The audit log: every operator action and read, hash-chained, with the bank's verification of
 * the whole chain ("Chain verified ✓" or "Chain broken at entry N"), a page at a time.
 */
import { routes, type AnswerOf } from '@offpay/api';
import { button, h, notice } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { formatInstant } from '../format.js';
import { loaded } from '../panel.js';
import { dataTable } from '../table.js';

type Audit = AnswerOf<typeof routes.operatorAudit>;
type Entry = Audit['entries'][number];

/** The chain's verdict in words. */
export function chainWords(chain: Audit['chain']): { ok: boolean; title: string; text: string } {
  if (chain.ok) {
    return {
      ok: true,
      title: 'Chain verified ✓',
      text: `All ${chain.count} entries link to the one before.`,
    };
  }
  return {
    ok: false,
    title: `Chain broken at entry ${chain.brokenAt ?? '?'}`,
    text: `The log was changed: entry ${chain.brokenAt ?? '?'} does not link to the one before (${chain.count} entries). Report it.`,
  };
}

/** "key: value; …" of an entry's data (values are already text, numbers, booleans or null). */
export function entryData(data: Entry['data']): string {
  return Object.entries(data)
    .map(([k, v]) => `${k}: ${v === null ? '—' : String(v)}`)
    .join('; ');
}

const PAGE = 50;

export function auditScreen(ctx: Ctx): Promise<void> {
  let after = '0';
  const verdict = h('div', { 'aria-live': 'polite' });
  const more = button('Next page', () => void page.refresh());
  const page = loaded(async () => {
    const answer = await ctx.app.call(routes.operatorAudit, { query: { after, limit: PAGE } });
    const words = chainWords(answer.chain);
    verdict.replaceChildren(notice(words.ok ? 'ok' : 'error', words.title, words.text));
    const first = answer.entries[0]?.id;
    const last = answer.entries.at(-1)?.id;
    if (last) after = last;
    more.hidden = answer.entries.length < PAGE;
    return [
      dataTable<Entry>(
        first ? `Entries ${first} to ${last}` : 'No more entries',
        [
          { header: 'Entry', cell: (e) => e.id, numeric: true },
          { header: 'When', cell: (e) => formatInstant(e.at) },
          { header: 'Who', cell: (e) => e.actor },
          { header: 'Action', cell: (e) => e.action },
          { header: 'What', cell: (e) => h('span', { class: 'audit-data' }, entryData(e.data)) },
        ],
        answer.entries,
        'No entries after these.',
      ),
    ];
  });
  ctx.show(
    'Audit log',
    h('p', { class: 'muted' }, 'Oldest first. Reading this log is itself recorded in it.'),
    verdict,
    page.element,
    h('div', { class: 'actions' }, more),
  );
  return page.refresh();
}
