/**
 * Refund (docs/apps.md "Till"): give back all or part of a settled payment, online. The screen
 * shows what the bank says was refunded already, takes an amount (at most what remains) and a
 * reason, and sends them with one idempotency key per refund: a retry after a lost answer repeats
 * the same refund and never makes a second one.
 */
import {
  actions,
  button,
  entryNumber,
  field,
  form,
  h,
  messages,
  notice,
  signInFields,
  type RefundablePayment,
} from '@offpay/app-kit';
import { Money } from '@offpay/protocol';
import type { Ctx } from '../ctx.js';
import type { LedgerRow } from '../state/ledger.js';

/** "Refunded so far: …; refundable: …", from the bank's answer. */
function standing(p: RefundablePayment, currency: string): HTMLElement {
  const money = (minor: string) => Money.of(minor, currency).toString();
  return h(
    'p',
    { class: 'refund-standing' },
    `Paid ${money(p.settledMinor)} · refunded ${money(p.refundedMinor)} · refundable ${money(p.refundableMinor)}`,
  );
}

/** The refund screen for one settled ledger entry. */
export async function refundScreen(ctx: Ctx, row: LedgerRow): Promise<void> {
  const { app } = ctx;
  const till = app.till;
  if (!till) return ctx.go({ to: 'home' });
  const currency = till.cert.currency;
  const title = `Refund entry ${entryNumber(row.index)}`;
  const back = actions(button('Back to the ledger', () => ctx.go({ to: 'ledger' })));
  const out = messages();

  if (!app.bank.signedIn) {
    const fields = signInFields();
    ctx.show(
      title,
      h('p', { class: 'ledger-amount' }, row.amount.toString()),
      notice(
        'info',
        'Sign in to refund',
        'A refund moves money at the bank: it needs your merchant login.',
      ),
      form('Sign in', fields.elements, async () => {
        await app.bank.signIn(fields.email.value, fields.password.value);
        await refundScreen(ctx, row);
      }),
      back,
    );
    fields.email.focus();
    return;
  }

  let payment: RefundablePayment;
  try {
    payment = await app.bank.authed((client, token) => client.refunds(token, row.paymentId));
  } catch (e) {
    out.error(e);
    ctx.show(title, h('p', { class: 'ledger-amount' }, row.amount.toString()), out.element, back);
    return;
  }

  const status = h('div', { class: 'refund-status' }, standing(payment, currency));
  // One key per refund meant: kept across retries of it, renewed once the bank has made it.
  let key = crypto.randomUUID();
  const amount = field(
    'Amount to refund',
    {
      inputmode: 'decimal',
      autocomplete: 'off',
      value: Money.of(payment.refundableMinor, currency).toString().split(' ')[0],
    },
    `In ${currency}; at most what is refundable.`,
  );
  const reason = field('Reason (optional)', { maxlength: '200', autocomplete: 'off' });
  const submit = form('Refund', [amount.element, reason.element], async (say) => {
    let minor: number;
    try {
      minor = Money.parse(amount.input.value.trim(), currency).minor;
    } catch {
      return say.say('error', 'Check the amount', `Enter an amount such as 2.50 (in ${currency}).`);
    }
    if (minor <= 0) return say.say('error', 'Check the amount', 'Enter an amount above zero.');
    const answer = await app.bank.authed((client, token) =>
      client.refund(token, {
        paymentId: row.paymentId,
        amountMinor: BigInt(minor),
        reason: reason.input.value.trim(),
        key,
      }),
    );
    key = crypto.randomUUID();
    status.replaceChildren(standing(answer.payment, currency));
    amount.input.value = Money.of(answer.payment.refundableMinor, currency)
      .toString()
      .split(' ')[0]!;
    reason.input.value = '';
    say.say(
      'ok',
      `Refunded ${Money.of(answer.refund.amountMinor, currency).toString()}`,
      'The bank has credited the customer’s account.',
    );
  });
  ctx.show(
    title,
    h('p', { class: 'ledger-amount' }, row.amount.toString()),
    status,
    submit,
    out.element,
    back,
  );
}
