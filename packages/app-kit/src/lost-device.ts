/**
 * "Lost or stolen device" in Backup and settings (docs/threat-model.md §4.1): the account's other
 * wallets (or tills) as the bank lists them, each reportable lost or stolen — a restored wallet
 * reports the phone it replaced. Both apps show the same section for their own kind. The bank
 * ends every session of the account on a report — the lost phone's tab held one — so this one
 * forgets its token too and asks the user to sign in again (docs/apps.md "Lost or stolen device").
 */
import { Money } from '@offpay/protocol';
import type { OwnCertificate } from './bank.js';
import { isSignedOut } from './errors.js';
import { errorNotice } from './exchange.js';
import { actions, button, form, formatDate, section, signInFields } from './forms.js';
import type { BankSession } from './session.js';
import { h, notice } from './ui.js';

/** What a certificate is called in each app. */
const NOUN = { payer: 'Wallet', payee: 'Till' } as const;

const EXPLAIN = {
  payer:
    'If a phone with one of your wallets is lost or stolen, report it: the bank revokes that wallet at once, and from then on takes nothing from your account beyond what is left of its allowance.',
  payee:
    'If a phone with one of your tills is lost or stolen, report it: the bank revokes that till at once and settles nothing its key signs. Restore its backup on a new till to settle what it accepted.',
} as const;

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** One line about a certificate: serial, this device or not, allowance, state. */
function describe(c: OwnCertificate, current: number | undefined): string {
  const name = `${NOUN[c.kind]} ${c.serial}${Number(c.serial) === current ? ' (this one)' : ''}`;
  const what =
    c.limitMinor !== null
      ? `allowance ${Money.of(c.limitMinor, c.currency).toString()}`
      : (c.displayName ?? '');
  const state =
    c.reportedAt !== null
      ? `reported lost or stolen on ${formatDate(seconds(c.reportedAt))}`
      : c.status === 'active'
        ? `valid until ${formatDate(seconds(c.expiresAt))}`
        : c.status;
  return `${name}: ${what}, ${state}`;
}

/**
 * The section: lists the account's certificates of `kind` (signing in first when needed) with a
 * "Report lost or stolen" action on each that is not reported yet. `current` is this device's
 * serial, marked "(this one)".
 */
export function lostDeviceSection(
  session: BankSession,
  kind: 'payer' | 'payee',
  current?: number,
): HTMLElement {
  const area = h('div', { class: 'lost-device', 'aria-live': 'polite' });
  const signIn = (): HTMLElement => {
    const fields = signInFields();
    return form('Sign in', fields.elements, async () => {
      await session.signIn(fields.email.value, fields.password.value);
      await load();
    });
  };
  const item = (c: OwnCertificate): HTMLElement => {
    const row = h('li', {}, h('p', {}, describe(c, current)));
    if (c.reportedAt !== null || c.status === 'revoked') return row;
    const report = (reason: 'lost' | 'stolen') => async () => {
      try {
        const answer = await session.authed((client, token) =>
          client.reportCertificate(token, c.serial, reason),
        );
        const done = `${NOUN[kind]} ${c.serial} reported ${reason}: the bank revoked it.`;
        if (answer.signedOut) signedOut(done);
        else await load(done);
      } catch (e) {
        row.append(errorNotice(e));
      }
    };
    const choose = () =>
      row.replaceChildren(
        h('p', {}, describe(c, current)),
        h('p', {}, 'What happened? The bank revokes it at once; this cannot be undone.'),
        actions(
          button('It is lost', () => void report('lost')()),
          button('It was stolen', () => void report('stolen')()),
          button('Cancel', () => void load()),
        ),
      );
    row.append(actions(button('Report lost or stolen', choose)));
    return row;
  };
  /** The bank ended every session, this one's too: no token is kept, the user signs in again. */
  const signedOut = (done: string): void => {
    session.signOut();
    area.replaceChildren(
      notice(
        'ok',
        'Reported',
        `${done} Every session of your account was signed out, including this one: sign in again to continue.`,
      ),
      signIn(),
    );
  };
  const load = async (done?: string): Promise<void> => {
    area.replaceChildren(h('p', { class: 'muted' }, 'Asking the bank…'));
    try {
      const list = await session.authed((client, token) => client.certificates(token));
      const mine = list.filter((c) => c.kind === kind);
      area.replaceChildren(
        ...(done ? [notice('ok', 'Reported', done)] : []),
        mine.length === 0
          ? h('p', { class: 'muted' }, `The bank lists no ${NOUN[kind].toLowerCase()}s for you.`)
          : h('ul', { class: 'certificates' }, ...mine.map(item)),
      );
    } catch (e) {
      area.replaceChildren(
        errorNotice(e),
        isSignedOut(e) ? signIn() : actions(button('Try again', () => void load())),
      );
    }
  };
  if (session.signedIn) void load();
  else
    area.replaceChildren(h('p', { class: 'muted' }, 'Sign in to your bank to see them.'), signIn());
  return section('Lost or stolen device', h('p', {}, EXPLAIN[kind]), area);
}
