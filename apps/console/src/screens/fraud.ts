/**
 * Fraud proofs: each proven double spend with what was recovered; one proof opened shows its two
 * payments side by side — the same payer certificate, the same counter or chain link, two
 * different payments — and what the reserve and the payer's balance covered.
 */
import { routes, type AnswerOf } from '@offpay/api';
import { h, section } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { formatInstant, formatMinor } from '../format.js';
import { loaded } from '../panel.js';
import { dataTable, type Column } from '../table.js';

type Proof = AnswerOf<typeof routes.operatorFraudProofs>['proofs'][number];
type Detail = AnswerOf<typeof routes.operatorFraudProof>;
type Payment = Detail['first'];

/** The rows of the side-by-side comparison: a label and each payment's value. */
export function sideBySide(first: Payment, second: Payment): [string, string, string][] {
  const row = (label: string, f: (p: Payment) => string): [string, string, string] => [
    label,
    f(first),
    f(second),
  ];
  return [
    row('Payment id', (p) => p.paymentId),
    row('Payer certificate', (p) => `#${p.payerSerial}`),
    row('Counter', (p) => String(p.counter)),
    row('Previous payment', (p) => p.prev),
    row('Payee', (p) =>
      p.payeeName ? `${p.payeeName} (#${p.payeeSerial ?? '?'})` : `kid ${p.payeeKid}`,
    ),
    row('Amount', (p) => formatMinor(p.amountMinor, p.currency)),
    row('Spent in all', (p) => formatMinor(p.spentMinor, p.currency)),
    row('Made (payer’s clock)', (p) => formatInstant(p.createdAt)),
    row('At the bank', (p) =>
      p.settledAt ? `${p.status} ${formatInstant(p.settledAt)}` : p.status,
    ),
  ];
}

/** What was recovered, as label/value pairs. */
export function recovered(r: Proof['recovery']): [string, string][] {
  const m = (v: string) => formatMinor(v, r.currency);
  return [
    ['Reserve issued', m(r.limitMinor)],
    ['Settled against the certificate', m(r.settledMinor)],
    ['Taken from the reserve', m(r.reserveUsedMinor)],
    ['Settled beyond the reserve', m(r.beyondReserveMinor)],
    ['Recovered from the payer’s balance', m(r.recoveredFromBalanceMinor)],
    ['Not recovered (the bank bears it)', m(r.unrecoveredMinor)],
  ];
}

function detail(d: Detail): HTMLElement {
  const cols: Column<[string, string, string]>[] = [
    { header: 'Field', cell: (r) => r[0] },
    { header: 'First payment', cell: (r) => h('span', { class: 'mono' }, r[1]) },
    { header: 'Second payment', cell: (r) => h('span', { class: 'mono' }, r[2]) },
  ];
  return section(
    `Proof #${d.id}: certificate #${d.serial} (${d.kind.replaceAll('_', ' ')})`,
    h(
      'p',
      {},
      `${d.payer.email} · detected ${formatInstant(d.detectedAt)} · revoked ${formatInstant(d.revokedAt)} · public proof ${d.path}`,
    ),
    dataTable('The two payments side by side', cols, sideBySide(d.first, d.second)),
    dataTable(
      'What was recovered',
      [
        { header: 'What', cell: (r: [string, string]) => r[0] },
        { header: 'Amount', cell: (r: [string, string]) => r[1], numeric: true },
      ],
      recovered(d.recovery),
    ),
  );
}

export function fraudScreen(ctx: Ctx): Promise<void> {
  const opened = loaded(() => Promise.resolve([]));
  const open = (id: string): void => {
    void (async () => {
      const shown = loaded(async () => [
        detail(await ctx.app.call(routes.operatorFraudProof, { params: { id } })),
      ]);
      opened.element.replaceChildren(shown.element);
      await shown.refresh();
      shown.element.querySelector('h2')?.setAttribute('tabindex', '-1');
      (shown.element.querySelector('h2') as HTMLElement | null)?.focus();
    })();
  };
  const list = loaded(async () => {
    const { proofs } = await ctx.app.call(routes.operatorFraudProofs, { query: { limit: 100 } });
    return [
      dataTable<Proof>(
        'Fraud proofs, newest first',
        [
          { header: 'Proof', cell: (p) => `#${p.id}` },
          { header: 'Payer', cell: (p) => `${p.payer.email} (certificate #${p.serial})` },
          { header: 'Kind', cell: (p) => p.kind.replaceAll('_', ' ') },
          { header: 'Detected', cell: (p) => formatInstant(p.detectedAt) },
          {
            header: 'Beyond reserve',
            cell: (p) => formatMinor(p.recovery.beyondReserveMinor, p.recovery.currency),
            numeric: true,
          },
          {
            header: 'Not recovered',
            cell: (p) => formatMinor(p.recovery.unrecoveredMinor, p.recovery.currency),
            numeric: true,
          },
          {
            header: 'Detail',
            cell: (p) =>
              h(
                'button',
                { type: 'button', class: 'btn-link', onclick: () => open(p.id) },
                `Open proof #${p.id}`,
              ),
          },
        ],
        proofs,
        'No fraud proofs: no double spend has been proven.',
      ),
    ];
  });
  ctx.show('Fraud proofs', list.element, opened.element);
  return list.refresh();
}
