/**
 * Payouts: the queue by state. A requested payout is approved or refused (the held money comes
 * back); the approved ones of a currency are exported as one batch — an ISO 20022 pain.001 file
 * (and a CSV) to hand to the outside bank — and each exported payout is then confirmed paid or
 * marked failed (its money comes back).
 */
import { PAYOUT_STATES, routes, type AnswerOf } from '@offpay/api';
import { field, h, section } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { formatInstant, formatMinor } from '../format.js';
import { checkedForm, checkReason, reasonField, saveFile } from '../forms.js';
import { changePanel, loaded, outcome } from '../panel.js';
import { dataTable } from '../table.js';

type Payout = AnswerOf<typeof routes.operatorPayouts>['payouts'][number];
type Step = 'approve' | 'refuse' | 'confirm' | 'fail';

const STEPS = {
  approve: { route: routes.approvePayout, label: 'Approve' },
  refuse: { route: routes.refusePayout, label: 'Refuse' },
  confirm: { route: routes.confirmPayout, label: 'Confirm paid' },
  fail: { route: routes.failPayout, label: 'Mark failed' },
} as const;

/** The steps an operator may take on a payout in `state`. */
export function payoutSteps(state: Payout['state']): Step[] {
  if (state === 'requested') return ['approve', 'refuse'];
  if (state === 'in_flight') return ['confirm', 'fail'];
  return [];
}

/** The buttons that download an exported batch's files. */
function batchDownloads(ctx: Ctx, batchId: string, say: (e: unknown) => void): HTMLElement {
  const get = (kind: 'pain.001' | 'csv') => async () => {
    try {
      if (kind === 'pain.001') {
        const xml = await ctx.app.text(routes.payoutBatchFile, { params: { id: batchId } });
        saveFile(`payouts-${batchId}.pain.001.xml`, xml, 'application/xml');
      } else {
        const csv = await ctx.app.text(routes.payoutBatchCsv, { params: { id: batchId } });
        saveFile(`payouts-${batchId}.csv`, csv, 'text/csv');
      }
    } catch (e) {
      say(e);
    }
  };
  return h(
    'div',
    { class: 'actions' },
    h(
      'button',
      { type: 'button', class: 'btn-primary', onclick: () => void get('pain.001')() },
      'Download pain.001',
    ),
    h('button', { type: 'button', onclick: () => void get('csv')() }, 'Download CSV'),
  );
}

export function payoutsScreen(ctx: Ctx): Promise<void> {
  const result = outcome();
  const panel = changePanel();
  const batch = h('div', { class: 'batch' });
  const state = h(
    'select',
    { id: 'payout-state' },
    ...PAYOUT_STATES.map((s) => h('option', { value: s }, s.replace('_', ' '))),
  );
  const step = (p: Payout, s: Step): void => {
    const { route, label } = STEPS[s];
    const what = `${formatMinor(p.amountMinor, p.currency)} to ${p.holderName}`;
    panel.open(
      `${label}: ${what}`,
      [h('p', {}, `${p.email} · ${p.iban} · payout ${p.id}`)],
      label,
      async (reason) => {
        const after = await ctx.app.call(route, { params: { id: p.id }, body: { reason } });
        panel.close();
        result.say('ok', `Payout ${after.state.replace('_', ' ')}: ${what}`, `Reason: ${reason}`);
        await list.refresh();
      },
    );
  };
  const list = loaded(async () => {
    const current = state.value as Payout['state'];
    const { payouts } = await ctx.app.call(routes.operatorPayouts, {
      query: { state: current, limit: 200 },
    });
    const batches = [
      ...new Set(payouts.map((p) => p.batchId).filter((b): b is string => b !== null)),
    ];
    return [
      dataTable<Payout>(
        `Payouts: ${current.replace('_', ' ')}`,
        [
          { header: 'Requested by', cell: (p) => p.email },
          { header: 'Amount', cell: (p) => formatMinor(p.amountMinor, p.currency), numeric: true },
          {
            header: 'To',
            cell: (p) => [p.holderName, h('br'), h('span', { class: 'mono' }, p.iban)],
          },
          { header: 'Requested', cell: (p) => formatInstant(p.requestedAt) },
          {
            header: 'State',
            cell: (p) =>
              h('span', { class: 'pill', 'data-state': p.state }, p.state.replace('_', ' ')),
          },
          { header: 'Reason', cell: (p) => p.settledReason ?? p.reason ?? '—' },
          {
            header: 'Actions',
            cell: (p) => {
              const steps = payoutSteps(p.state);
              return steps.length === 0
                ? '—'
                : h(
                    'div',
                    { class: 'actions' },
                    ...steps.map((s) =>
                      h(
                        'button',
                        { type: 'button', onclick: () => step(p, s) },
                        `${STEPS[s].label} ${formatMinor(p.amountMinor, p.currency)} to ${p.holderName}`,
                      ),
                    ),
                  );
            },
          },
        ],
        payouts,
        'No payouts in this state.',
      ),
      ...batches.map((id) =>
        section(
          `Batch ${id}`,
          batchDownloads(ctx, id, (e) => result.error(e)),
        ),
      ),
    ];
  });
  state.addEventListener('change', () => void list.refresh());
  const currency = field('Currency', {
    value: 'EUR',
    maxlength: 3,
    required: true,
    autocomplete: 'off',
  });
  const reason = reasonField();
  const exportForm = checkedForm('Export a batch', [currency.element, reason.element], async () => {
    const b = await ctx.app.call(routes.exportPayoutBatch, {
      body: {
        currency: currency.input.value.trim().toUpperCase(),
        reason: checkReason(reason.input.value),
      },
    });
    result.say(
      'ok',
      `Batch exported: ${b.payouts} payouts, ${formatMinor(b.totalMinor, b.currency)}`,
      `Message id ${b.messageId}; the payouts are in flight until confirmed or failed.`,
    );
    batch.replaceChildren(
      section(
        `Batch ${b.id}`,
        batchDownloads(ctx, b.id, (e) => result.error(e)),
      ),
    );
    await list.refresh();
  });
  ctx.show(
    'Payouts',
    result.element,
    h('div', { class: 'field field-inline' }, h('label', { for: 'payout-state' }, 'State'), state),
    list.element,
    panel.element,
    section(
      'Export approved payouts',
      h(
        'p',
        { class: 'muted' },
        'Every approved payout of the currency (oldest 500) goes into one pain.001 file; they are then in flight.',
      ),
      exportForm,
      batch,
    ),
  );
  return list.refresh();
}
