/**
 * Merchant applications: the queue in one state (pending first), and for a pending one Approve or
 * Refuse with the reason the applicant reads. Approving makes the account a verified merchant
 * under the display name, checked again against names taken or confusable at that moment.
 */
import { APPLICATION_STATES, routes, type AnswerOf } from '@offpay/api';
import { h } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { formatInstant } from '../format.js';
import { changePanel, loaded, outcome } from '../panel.js';
import { dataTable } from '../table.js';

type Application = AnswerOf<typeof routes.listMerchantApplications>['applications'][number];

export function merchantsScreen(ctx: Ctx): Promise<void> {
  const result = outcome();
  const panel = changePanel();
  const state = h(
    'select',
    { id: 'application-state' },
    ...APPLICATION_STATES.map((s) => h('option', { value: s }, s)),
  );
  const decide = (a: Application, verb: 'approve' | 'refuse'): void => {
    const route =
      verb === 'approve' ? routes.approveMerchantApplication : routes.refuseMerchantApplication;
    const label = verb === 'approve' ? 'Approve' : 'Refuse';
    panel.open(
      `${label} ${a.displayName}`,
      [h('p', {}, `${a.legalName} · ${a.email} · contact ${a.contact}`)],
      label,
      async (reason) => {
        const decided = await ctx.app.call(route, { params: { id: a.id }, body: { reason } });
        panel.close();
        result.say('ok', `${decided.displayName}: ${decided.state}`, `Reason: ${reason}`);
        await list.refresh();
      },
      verb === 'refuse' ? 'Reason (the applicant reads it)' : undefined,
    );
  };
  const list = loaded(async () => {
    const { applications } = await ctx.app.call(routes.listMerchantApplications, {
      query: { state: state.value as (typeof APPLICATION_STATES)[number], limit: 100 },
    });
    return [
      dataTable<Application>(
        `Applications: ${state.value}`,
        [
          { header: 'Display name', cell: (a) => a.displayName },
          { header: 'Legal name', cell: (a) => a.legalName },
          { header: 'Applicant', cell: (a) => a.email },
          { header: 'Contact', cell: (a) => a.contact },
          { header: 'Submitted', cell: (a) => formatInstant(a.submittedAt) },
          { header: 'Decision', cell: (a) => (a.reason ? `${a.state}: ${a.reason}` : a.state) },
          {
            header: 'Actions',
            cell: (a) =>
              a.state === 'pending'
                ? h(
                    'div',
                    { class: 'actions' },
                    h(
                      'button',
                      { type: 'button', class: 'btn-primary', onclick: () => decide(a, 'approve') },
                      `Approve ${a.displayName}`,
                    ),
                    h(
                      'button',
                      { type: 'button', onclick: () => decide(a, 'refuse') },
                      `Refuse ${a.displayName}`,
                    ),
                  )
                : '—',
          },
        ],
        applications,
        'No applications in this state.',
      ),
    ];
  });
  state.addEventListener('change', () => void list.refresh());
  ctx.show(
    'Merchant applications',
    h(
      'div',
      { class: 'field field-inline' },
      h('label', { for: 'application-state' }, 'State'),
      state,
    ),
    result.element,
    list.element,
    panel.element,
  );
  return list.refresh();
}
