/** Pay: take the receiver's payment request (camera, picture, file or pasted text) and check it. */
import { h, notice, receivePanel } from '@offpay/app-kit';
import { Money, decodePaymentRequest, isAppError } from '@offpay/protocol';
import type { Ctx } from '../ctx.js';
import { OWN, preparePayment } from '../state/pay.js';
import { overview } from '../state/wallet.js';

const deviceNow = () => Math.floor(Date.now() / 1000);

/**
 * The wallet's own refusals in its own words (the kit's words for these codes speak of a payer
 * seen by a receiver); undefined for every other error, which the panel shows itself.
 */
function ownRefusal(e: unknown, left: string, asked: string | undefined) {
  if (!isAppError(e)) return undefined;
  const own = (e.details as Record<string, unknown> | undefined)?.['whose'] === OWN.whose;
  const renew = 'Go online and renew your allowance before paying.';
  if (e.code === 'PROTO_PAYMENT_OVER_LIMIT') {
    const needs = asked ? `This request asks for ${asked}; you` : 'You';
    return { title: 'Not enough allowance', text: `${needs} have ${left} left. ${renew}` };
  }
  if (own && e.code === 'PROTO_CERT_EXPIRED')
    return { title: 'Your allowance has expired', text: renew };
  if (own && e.code === 'PROTO_CERT_REVOKED') {
    return { title: 'Your certificate is revoked', text: `Receivers would refuse it. ${renew}` };
  }
  return undefined;
}

/** The amount a request asks for, for the refusal's words (undefined when it does not decode). */
function askedAmount(bytes: Uint8Array, currency: string): string | undefined {
  try {
    return Money.of(decodePaymentRequest(bytes).amount, currency).toString();
  } catch {
    return undefined;
  }
}

/** The Pay screen. */
export async function payScreen(ctx: Ctx): Promise<void> {
  const { app } = ctx;
  const vault = app.unlocked();
  const o = await overview(app.db, vault, deviceNow());
  const refusal = h('div', { class: 'form-messages' });
  const panel = receivePanel({
    type: 'payment-request',
    prompt: 'Scan the payment request',
    onPayload: async (bytes) => {
      refusal.replaceChildren();
      try {
        const prepared = await preparePayment(app.db, vault, bytes);
        if (prepared.kind === 'paid')
          ctx.go({ to: 'payment', item: prepared.item, alreadyPaid: true });
        else ctx.go({ to: 'confirm', prepared });
      } catch (e) {
        const left = (await overview(app.db, vault, deviceNow())).remaining;
        const words = ownRefusal(e, left.toString(), askedAmount(bytes, left.currency));
        if (!words || !isAppError(e)) throw e;
        const el = notice('error', words.title, words.text);
        el.dataset.code = e.code;
        refusal.replaceChildren(el);
      }
    },
  });
  ctx.onLeave(() => panel.stop());
  ctx.show(
    'Pay',
    h('p', { class: 'muted' }, `You have ${o.remaining.toString()} left.`),
    refusal,
    panel.element,
  );
}
