/**
 * Settle: send what the bank has not settled yet (online, with live status and per-entry results)
 * or export it as a batch file anyone can carry to the bank.
 */
import { BankError, downloadText, h, notice, showScreen } from '@offpay/app-kit';
import type { App } from '../app.js';
import { exportBatches, pendingBatches } from '../state/batches.js';
import { ledgerSummary } from '../state/ledger.js';
import { settleNow, type OutcomeLine, type SettleProgress } from '../state/settle.js';
import { bankUrl, type Till } from '../state/store.js';
import { button, field, form, statusArea } from './form.js';

/** The settle screen. */
export async function settleScreen(app: App): Promise<void> {
  const till = app.till;
  if (!till) return app.go('home');
  const summary = summaryView(app, till);
  await summary.update().catch(() => undefined);
  showScreen(
    app.root,
    'Settle',
    summary.element,
    onlineSection(app, till, summary.update),
    h('h2', {}, 'No network here?'),
    h(
      'p',
      { class: 'muted' },
      'Export the sealed batch as a file: anyone can carry it to the bank.',
    ),
    exportSection(app, till, summary.update),
  );
}

/** What is not settled yet, and how many exported batches wait for an answer. */
function summaryView(app: App, till: Till): { element: HTMLElement; update: () => Promise<void> } {
  const line = h('p', { class: 'till-summary' });
  const waiting = h('p', { class: 'muted' });
  const update = async (): Promise<void> => {
    const s = await ledgerSummary(app.db, till);
    const n = s.unsettledCount;
    line.textContent = `${n} payment${n === 1 ? '' : 's'} not yet settled (${s.unsettled.toString()})`;
    const pending = (await pendingBatches(app.db)).length;
    waiting.textContent =
      pending === 0
        ? ''
        : `${pending} exported batch${pending === 1 ? ' is' : 'es are'} waiting for the bank’s answer: Settle now learns it.`;
  };
  return { element: h('div', {}, line, waiting), update };
}

/** Sign in, "Settle now", the live status lines and each entry's result. */
function onlineSection(app: App, till: Till, update: () => Promise<void>): HTMLElement {
  const log = h('div', { class: 'settle-log', role: 'status', 'aria-live': 'polite' });
  const results = resultsList();
  const problem = statusArea();
  const signIn = h('div', { class: 'settle-sign-in' });
  // "Settle now" pressed while signed out: settling goes on by itself after the sign-in.
  let waitingForSignIn = false;
  const renderSignIn = (): void => {
    signIn.replaceChildren(
      app.token ? h('p', { class: 'muted' }, 'Signed in to the bank.') : signInForm(app, signedIn),
    );
  };
  const signedIn = (): void => {
    renderSignIn();
    if (waitingForSignIn) start();
  };
  renderSignIn();
  const say = (text: string): void => void log.append(h('p', {}, text));
  const progress = (p: SettleProgress): void => {
    if (p.kind === 'status') say(p.text);
    else results.show(p.batchKey, p.lines, p.final);
  };
  const settle = async (): Promise<void> => {
    problem.clear();
    if (!app.token) {
      waitingForSignIn = true;
      problem.say('info', 'Sign in to settle', 'Settling online needs your merchant login.');
      signIn.querySelector('input')?.focus();
      return;
    }
    waitingForSignIn = false;
    log.replaceChildren();
    results.clear();
    try {
      const done = await settleNow(app.db, till, await app.bank(), app.token, progress);
      if (done.signedOut) signOut(app, renderSignIn);
      const n = done.entries;
      say(
        n === 0
          ? 'Nothing to settle'
          : `Done: the bank answered for ${n} payment${n === 1 ? '' : 's'}`,
      );
    } catch (e) {
      if (e instanceof BankError && e.status === 401) signOut(app, renderSignIn);
      problem.error(e);
    }
    await update().catch(() => undefined);
  };
  const start = (): void => {
    if (now.disabled) return;
    now.disabled = true;
    void settle().finally(() => (now.disabled = false));
  };
  const now = button('Settle now', start, true);
  return h(
    'div',
    {},
    signIn,
    h('div', { class: 'actions' }, now),
    problem.element,
    log,
    results.element,
  );
}

/**
 * The per-entry results, batch by batch: a batch's lines replace the ones shown for it before (the
 * live event's, provisional, give way to the signed result's), in place.
 */
export function resultsList(): {
  element: HTMLElement;
  show(batchKey: string, lines: readonly OutcomeLine[], final: boolean): void;
  clear(): void;
} {
  const element = h('ul', { class: 'list settle-results' });
  const shown = new Map<string, HTMLElement[]>();
  return {
    element,
    show(batchKey, lines, final) {
      const views = lines.map((l) => resultView(l, final));
      const before = shown.get(batchKey) ?? [];
      const at = before[0];
      if (at) at.before(...views);
      else element.append(...views);
      for (const old of before) old.remove();
      shown.set(batchKey, views);
    },
    clear() {
      shown.clear();
      element.replaceChildren();
    },
  };
}

/**
 * One entry's outcome: index, amount, and the plain words alone in their own element;
 * `data-final` tells the signed result's lines from the live event's.
 */
function resultView(l: OutcomeLine, final: boolean): HTMLElement {
  return h(
    'li',
    { class: 'settle-result', 'data-state': l.status, 'data-final': String(final) },
    h('span', { class: 'ledger-index' }, `#${l.index}`),
    ' ',
    h('span', { class: 'ledger-amount' }, l.amount.toString()),
    ' ',
    h('span', { class: 'settle-outcome' }, l.text),
  );
}

function signOut(app: App, renderSignIn: () => void): void {
  app.token = undefined;
  renderSignIn();
}

/** "Export batch file": works offline; says how to carry the file. */
function exportSection(app: App, till: Till, update: () => Promise<void>): HTMLElement {
  const area = statusArea();
  const exportFile = async (): Promise<void> => {
    area.clear();
    try {
      const files = await exportBatches(app.db, till, Date.now());
      if (files.length === 0) {
        area.say('info', 'Nothing to export', 'Every payment is settled already.');
        return;
      }
      for (const f of files) downloadText(f.fileName, f.text);
      const url = await bankUrl(app.db);
      const names = files.map((f) => f.fileName).join(', ');
      area.element.replaceChildren(
        notice(
          'ok',
          'Batch file saved',
          `${names}: anyone can take it to the bank, no login needed.`,
        ),
        h(
          'pre',
          { class: 'curl' },
          `curl -X POST ${url}/v1/settlements -H 'content-type: application/json' --data-binary @${files[0]!.fileName}`,
        ),
      );
      await update();
    } catch (e) {
      area.error(e);
    }
  };
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'actions' },
      button('Export batch file', () => void exportFile()),
    ),
    area.element,
  );
}

function signInForm(app: App, done: () => void): HTMLElement {
  const email = field('Email', { type: 'email', autocomplete: 'username', inputmode: 'email' });
  const password = field('Password', { type: 'password', autocomplete: 'current-password' });
  const status = statusArea();
  const { element } = form(
    'Sign in',
    async () => {
      status.clear();
      try {
        const bank = await app.bank();
        app.token = await bank.login(email.input.value.trim(), password.input.value);
      } catch (e) {
        status.error(e);
        return;
      } finally {
        password.input.value = '';
      }
      done();
    },
    email.element,
    password.element,
    status.element,
  );
  return h('section', { 'aria-label': 'Sign in to the bank' }, element);
}
