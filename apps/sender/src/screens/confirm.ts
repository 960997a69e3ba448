/**
 * Confirm: the amount, the payee's bank-verified name and its merchant code (docs/protocol.md
 * §5.5: the till shows the same code), before anything is signed.
 */
import { actions, button, h, messages } from '@offpay/app-kit';
import { merchantCode } from '@offpay/protocol';
import type { Ctx } from '../ctx.js';
import { commitPayment, type PreparedPayment } from '../state/pay.js';

/** The Confirm screen ("Confirm payment"). */
export function confirmScreen(ctx: Ctx, prepared: PreparedPayment): void {
  const { app } = ctx;
  const vault = app.unlocked();
  const out = messages();
  // While the payment is being made neither button acts: the screen moves on only to the payment
  // (or stays, with the refusal), never back Home under a payment being signed.
  const busy = (on: boolean): void => {
    pay.disabled = on;
    cancel.disabled = on;
  };
  const pay = button(
    'Confirm and pay',
    () => {
      if (pay.disabled) return;
      busy(true);
      out.clear();
      commitPayment(app.db, vault, prepared).then(
        (item) => ctx.go({ to: 'payment', item }),
        (e: unknown) => {
          busy(false);
          out.error(e);
        },
      );
    },
    'primary',
  );
  const cancel = button('Cancel', () => {
    if (!cancel.disabled) ctx.go({ to: 'home' });
  });
  ctx.show(
    'Confirm payment',
    h(
      'section',
      { class: 'card confirm', 'aria-label': 'Payment' },
      h('p', { class: 'amount-big' }, prepared.amount.toString()),
      h('p', { class: 'payee' }, 'to ', h('strong', {}, prepared.payeeName)),
      h(
        'p',
        { class: 'merchant-code' },
        'Merchant code ',
        h('strong', {}, merchantCode(prepared.request.payeeCert)),
        ' — the till shows the same',
      ),
      prepared.memo !== '' && h('p', { class: 'memo' }, prepared.memo),
      h('p', { class: 'hint verified' }, 'Verified by your bank'),
      h('p', { class: 'muted' }, `${prepared.remainingAfter.toString()} left after this payment.`),
    ),
    actions(pay, cancel),
    out.element,
  );
}
