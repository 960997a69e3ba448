/**
 * Settle: what the bank has not settled yet, and one next step — "Settle now" (online: sign in
 * first if needed, then live status and per-entry results) — or, with no network, "Export batch
 * file" for anyone to carry to the bank. With nothing left to settle, neither is offered.
 */
import {
  actions,
  button,
  downloadText,
  entryNumber,
  form,
  h,
  messages,
  notice,
  plural,
  signInFields,
  type Messages,
} from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { exportBatches, pendingBatches } from '../state/batches.js';
import { ledgerSummary, type LedgerSummary } from '../state/ledger.js';
import { followTillKeys } from '../state/bank-keys.js';
import { settleNow, type OutcomeLine, type SettleProgress } from '../state/settle.js';
import type { Till } from '../state/till.js';

/**
 * The per-entry results, batch by batch: a batch's lines replace the ones shown for it before (the
 * live event's, provisional, give way to the signed result's), in place; `data-final` tells them
 * apart.
 */
export function resultsList() {
  const element = h('ul', { class: 'list settle-results' });
  const shown = new Map<string, HTMLElement[]>();
  const view = (l: OutcomeLine, final: boolean) =>
    h(
      'li',
      { class: 'settle-result', 'data-state': l.status, 'data-final': String(final) },
      h('span', { class: 'ledger-index' }, `Entry ${entryNumber(l.index)}`),
      h('span', { class: 'ledger-amount' }, l.amount.toString()),
      h('span', { class: 'settle-outcome' }, l.text),
    );
  return {
    element,
    show(batchKey: string, lines: readonly OutcomeLine[], final: boolean) {
      const views = lines.map((l) => view(l, final));
      const before = shown.get(batchKey) ?? [];
      if (before[0]) before[0].before(...views);
      else element.append(...views);
      for (const old of before) old.remove();
      shown.set(batchKey, views);
    },
  };
}

/** The settle screen. */
export async function settleScreen(ctx: Ctx): Promise<void> {
  const { app } = ctx;
  const till = app.till;
  if (!till) return ctx.go({ to: 'home' });
  const summary = h('div', { class: 'settle-summary' });
  const next = h('div', { class: 'settle-next' });
  const out = messages();
  const log = h('div', { class: 'settle-log', role: 'status', 'aria-live': 'polite' });
  const results = resultsList();
  let busy = false;

  const progress = (p: SettleProgress): void => {
    if (p.kind === 'status') log.append(h('p', {}, p.text));
    else results.show(p.batchKey, p.lines, p.final);
  };
  const settle = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    out.clear();
    log.replaceChildren();
    try {
      const done = await app.bank.authed(async (client, token) => {
        // The bank's current keys first: batches are sealed to its current KEM key (§12).
        const current = await followTillKeys(app.db, app.till ?? till, client);
        app.till = current;
        return settleNow(app.db, current, client, token, progress);
      });
      if (done.signedOut) app.bank.signOut();
      log.append(h('p', {}, `Done: the bank answered for ${plural(done.entries, 'payment')}`));
    } catch (e) {
      log.replaceChildren();
      out.error(e);
    } finally {
      busy = false;
      await update();
    }
  };
  const update = async (): Promise<void> => {
    const [s, pending] = await Promise.all([ledgerSummary(app.db, till), pendingBatches(app.db)]);
    const settled = s.unsettledCount === 0 && pending.length === 0;
    summary.replaceChildren(...summaryView(s, pending.length));
    if (settled) next.replaceChildren();
    else if (!busy) next.replaceChildren(...nextStep(ctx, till, () => void settle(), out, update));
  };
  await update();
  ctx.show('Settle', summary, next, out.element, log, results.element);
}

/** What is not settled yet (or that everything is), and the batches waiting for an answer. */
function summaryView(s: LedgerSummary, pending: number): HTMLElement[] {
  const view =
    s.unsettledCount === 0 && pending === 0
      ? [
          notice(
            'ok',
            'Everything is settled',
            `${plural(s.count, 'payment')} in the ledger, all settled by the bank.`,
          ),
        ]
      : [
          h(
            'p',
            { class: 'till-summary' },
            `${plural(s.unsettledCount, 'payment')} not yet settled (${s.unsettled.toString()})`,
          ),
        ];
  if (pending > 0) {
    const waiting = `${plural(pending, 'batch', 'batches')} waiting for the bank’s answer: Settle now asks for it.`;
    view.push(h('p', { class: 'muted' }, waiting));
  }
  return view;
}

/** Signed in: "Settle now" and the offline export. Signed out: the sign-in form first. */
function nextStep(
  ctx: Ctx,
  till: Till,
  settle: () => void,
  out: Messages,
  update: () => Promise<void>,
) {
  const { app } = ctx;
  const exportFile = button('Export batch file', () => void exportAll(ctx, till, out).then(update));
  const offline = [
    h('h2', {}, 'No network here?'),
    h(
      'p',
      { class: 'muted' },
      'Export the sealed batch as a file: anyone can carry it to the bank.',
    ),
    actions(exportFile),
  ];
  const now = button(
    'Settle now',
    () => {
      if (app.bank.signedIn) return settle();
      const fields = signInFields();
      now.replaceWith(
        notice('info', 'Sign in to settle', 'Settling online needs your merchant login.'),
        form('Sign in', fields.elements, async () => {
          await app.bank.signIn(fields.email.value, fields.password.value);
          settle();
        }),
      );
      fields.email.focus();
    },
    'primary',
  );
  return [actions(now), ...offline];
}

/** "Export batch file": works offline; says who can carry the file. */
async function exportAll(ctx: Ctx, till: Till, out: Messages): Promise<void> {
  out.clear();
  try {
    const files = await exportBatches(ctx.app.db, till, Date.now());
    for (const f of files) downloadText(f.fileName, f.text);
    const names = files.map((f) => f.fileName).join(', ');
    out.say(
      'ok',
      'Batch file saved',
      `${names}. Anyone can take it to the bank, no login needed; Settle now also sends it once you are online.`,
    );
  } catch (e) {
    out.error(e);
  }
}
