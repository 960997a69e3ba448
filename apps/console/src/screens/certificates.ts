/**
 * Certificates: payer and payee certificates with their status, searchable; an operator revokes
 * one — compromised (a lost or stolen device), or closed for its owner — with a reason, after a
 * confirm step that says what revoking does. A payer revocation publishes the next signed list.
 */
import {
  CERTIFICATE_STATUSES,
  OPERATOR_REVOCATION_REASONS,
  routes,
  type AnswerOf,
} from '@offpay/api';
import { field, h } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { formatInstant, formatMinor } from '../format.js';
import { checkedForm, InputError } from '../forms.js';
import { changePanel, loaded, outcome } from '../panel.js';
import { dataTable } from '../table.js';

type Certificate = AnswerOf<typeof routes.operatorCertificates>['certificates'][number];
type RevokeReason = (typeof OPERATOR_REVOCATION_REASONS)[number];

const REASON_WORDS: Record<RevokeReason, string> = {
  compromised: 'Compromised: the device or its key is lost, stolen or copied',
  closed: 'Closed: the owner no longer uses it',
};

/** What revoking does, said before the operator confirms. */
export function revokeWarning(c: Certificate, reason: RevokeReason): string {
  const who =
    c.kind === 'payer'
      ? `${c.owner.email}'s wallet`
      : `the till of ${c.displayName ?? c.owner.email}`;
  const list =
    c.kind === 'payer'
      ? ' A new signed revocation list is published: tills refuse its payments from their next refresh.'
      : ' Payments to it are no longer accepted for settlement.';
  return `Revoke certificate #${c.serial} (${who}) as ${reason}?${list} This cannot be undone.`;
}

export function certificatesScreen(ctx: Ctx): Promise<void> {
  const result = outcome();
  const panel = changePanel();
  const query = field(
    'Search',
    { type: 'search', autocomplete: 'off' },
    'A serial, an email or a payee name.',
  );
  const status = h(
    'select',
    { id: 'certificate-status' },
    h('option', { value: '' }, 'all'),
    ...CERTIFICATE_STATUSES.map((s) => h('option', { value: s }, s)),
  );
  const revoke = (c: Certificate): void => {
    const reasonSelect = h(
      'select',
      { id: `revoke-reason-${c.serial}`, required: true },
      ...OPERATOR_REVOCATION_REASONS.map((r) => h('option', { value: r }, REASON_WORDS[r])),
    );
    const confirm = h('input', { type: 'checkbox', id: `revoke-confirm-${c.serial}` });
    const confirmLabel = h(
      'label',
      { for: confirm.id },
      'I understand: revoking cannot be undone.',
    );
    const warning = h(
      'p',
      { class: 'notice notice-error', role: 'note' },
      revokeWarning(c, 'compromised'),
    );
    reasonSelect.addEventListener(
      'change',
      () => (warning.textContent = revokeWarning(c, reasonSelect.value as RevokeReason)),
    );
    panel.open(
      `Revoke certificate #${c.serial}`,
      [
        h(
          'div',
          { class: 'field' },
          h('label', { for: reasonSelect.id }, 'Revocation reason'),
          reasonSelect,
        ),
        warning,
        h('div', { class: 'field field-check' }, confirm, confirmLabel),
      ],
      'Revoke',
      async (reason) => {
        if (!confirm.checked)
          throw new InputError('Tick the confirmation first: revoking cannot be undone.');
        const r = await ctx.app.call(routes.revokeCertificate, {
          params: { serial: c.serial },
          body: { revocationReason: reasonSelect.value as RevokeReason, reason },
        });
        panel.close();
        const published =
          r.publishedSeq === null ? '' : ` Revocation list #${r.publishedSeq} published.`;
        result.say(
          'ok',
          r.revokedNow
            ? `Certificate #${r.serial} revoked (${r.reason})`
            : `Certificate #${r.serial} was already ${r.status} (${r.reason})`,
          `Reason: ${reason}.${published}`,
        );
        await list.refresh();
      },
    );
  };
  const list = loaded(async () => {
    const q = query.input.value.trim();
    const { certificates } = await ctx.app.call(routes.operatorCertificates, {
      query: {
        ...(q ? { query: q } : {}),
        ...(status.value ? { status: status.value as Certificate['status'] } : {}),
        limit: 200,
      },
    });
    return [
      dataTable<Certificate>(
        q ? `Certificates matching “${q}”, newest first` : 'Certificates, newest first',
        [
          { header: 'Serial', cell: (c) => `#${c.serial}` },
          { header: 'Kind', cell: (c) => c.kind },
          {
            header: 'Owner',
            cell: (c) => (c.displayName ? `${c.displayName} <${c.owner.email}>` : c.owner.email),
          },
          {
            header: 'Status',
            cell: (c) =>
              h(
                'span',
                { class: 'pill', 'data-state': c.status },
                c.revocation ? `${c.status} (${c.revocation.reason})` : c.status,
              ),
          },
          {
            header: 'Reserve',
            cell: (c) =>
              c.limitMinor
                ? `${formatMinor(c.settledMinor ?? '0', c.currency)} of ${formatMinor(c.limitMinor, c.currency)} settled`
                : '—',
          },
          { header: 'Expires', cell: (c) => formatInstant(c.expiresAt) },
          {
            header: 'Actions',
            cell: (c) =>
              c.status === 'revoked'
                ? '—'
                : h(
                    'button',
                    { type: 'button', class: 'btn-danger', onclick: () => revoke(c) },
                    `Revoke #${c.serial}`,
                  ),
          },
        ],
        certificates,
        'No certificate matches.',
      ),
    ];
  });
  const search = checkedForm(
    'Search',
    [query.element, h('div', { class: 'field' }, h('label', { for: status.id }, 'Status'), status)],
    () => list.refresh(),
    { role: 'search' },
  );
  ctx.show('Certificates', search, result.element, list.element, panel.element);
  return list.refresh();
}
