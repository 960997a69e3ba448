/**
 * Settle: what the bank has not settled yet, and one next step — "Settle now" (online: sign in
 * first if needed, then live status and per-entry results) — or, with no network, "Export batch
 * file" for anyone to carry to the bank. With nothing left to settle, neither is offered.
 * A till the bank refuses as reported lost or stolen (its backup restored here) offers "Take over
 * this ledger on new keys" instead (state/handover.ts), and "Continue" while one is under way.
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
import { isAppError } from '@offpay/protocol';
import type { Ctx } from '../ctx.js';
import { exportBatches, pendingBatches } from '../state/batches.js';
import { ledgerSummary, type LedgerSummary } from '../state/ledger.js';
import { followTillKeys } from '../state/bank-keys.js';
import { handoverStep, takeOverLedger } from '../state/handover.js';
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
      revoked = isAppError(e, 'BANK_PAYEE_REVOKED');
    } finally {
      busy = false;
      await update();
    }
  };
  let revoked = false;
  const takeOver = async (): Promise<void> => {
    const vault = app.vault;
    if (busy || !vault) return;
    busy = true;
    out.clear();
    log.replaceChildren();
    try {
      const done = await app.bank.authed(async (client, token) => {
        const current = await followTillKeys(app.db, app.till ?? till, client);
        app.till = current;
        return takeOverLedger(app.db, vault, current, client, token, progress);
      });
      app.till = done.till ?? app.till;
      revoked = !done.till;
      out.say(
        'ok',
        done.till ? 'This till now has new keys' : 'Payments were accepted meanwhile',
        done.till
          ? `The old ledger is settled (${plural(done.settled.entries, 'payment')} just now) and handed over; new payments go to a fresh ledger. Make a new backup.`
          : 'Take over again to settle them too.',
      );
    } catch (e) {
      out.error(e);
    } finally {
      busy = false;
      await update();
    }
  };
  const update = async (): Promise<void> => {
    const current = app.till ?? till;
    const [s, pending, step] = await Promise.all([
      ledgerSummary(app.db, current),
      pendingBatches(app.db),
      handoverStep(app.db),
    ]);
    const settled = s.unsettledCount === 0 && pending.length === 0;
    summary.replaceChildren(...summaryView(s, pending.length));
    if (busy) return;
    if (revoked || step) {
      next.replaceChildren(...takeoverStep(ctx, step !== undefined, () => void takeOver()));
    } else if (settled) next.replaceChildren();
    else next.replaceChildren(...nextStep(ctx, current, () => void settle(), out, update));
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
  const login = 'Settling online needs your merchant login.';
  const now = signedInButton(ctx, 'Settle now', ['Sign in to settle', login], settle);
  return [actions(now), ...offline];
}

/** A primary button that asks for the merchant login first when signed out. */
function signedInButton(
  ctx: Ctx,
  label: string,
  [title, why]: [string, string],
  then: () => void,
): HTMLElement {
  const { app } = ctx;
  const it = button(
    label,
    () => {
      if (app.bank.signedIn) return then();
      const fields = signInFields();
      it.replaceWith(
        notice('info', title, why),
        form('Sign in', fields.elements, async () => {
          await app.bank.signIn(fields.email.value, fields.password.value);
          then();
        }),
      );
      fields.email.focus();
    },
    'primary',
  );
  return it;
}

/**
 * The till was reported lost or stolen (this is its backup, restored): new keys for the shop take
 * its ledger over and settle it (docs/protocol.md §9.7) — or finish a takeover under way.
 */
function takeoverStep(ctx: Ctx, underWay: boolean, takeOver: () => void): HTMLElement[] {
  const label = underWay ? 'Continue taking over' : 'Take over this ledger on new keys';
  const why = 'Enrolling the new keys needs your merchant login.';
  const signIn: [string, string] = ['Sign in to take over', why];
  return [
    h('h2', {}, 'Take over this ledger on new keys'),
    h(
      'p',
      { class: 'muted' },
      'The bank refuses this till’s key: it was reported lost or stolen. New keys for your shop take its ledger over from its last settlement and settle the rest; then this till takes payments on a fresh ledger under the new keys.',
    ),
    actions(signedInButton(ctx, label, signIn, takeOver)),
  ];
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
