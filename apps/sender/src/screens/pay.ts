/** Pay: take the receiver's payment request (camera, picture, file or pasted text) and check it. */
import { h, notice, receivePanel } from '@offpay/app-kit';
import { Money, decodePaymentRequest, isAppError } from '@offpay/protocol';
import type { Ctx } from '../ctx.js';
import { OWN, preparePayment } from '../state/pay.js';
import { overview } from '../state/wallet.js';
import { homeButton } from './parts.js';

const deviceNow = () => Math.floor(Date.now() / 1000);

/**
 * The wallet's own refusals in its own words (the kit's words for these codes speak of a payer
 * seen by a receiver); undefined for every other error, which the panel shows itself.
 */
function ownRefusal(
  e: unknown,
  left: string,
  asked: string | undefined,
): { title: string; text: string } | undefined {
  if (!isAppError(e)) return undefined;
  const own = (e.details as Record<string, unknown> | undefined)?.['whose'] === OWN.whose;
  if (e.code === 'PROTO_PAYMENT_OVER_LIMIT') {
    return {
      title: 'Not enough allowance',
      text: `${asked ? `This request asks for ${asked}; you` : 'You'} have ${left} left. Sync with your bank and renew for a new allowance.`,
    };
  }
  if (own && e.code === 'PROTO_CERT_EXPIRED') {
    return { title: 'Your certificate has expired', text: 'Go online and renew it before paying.' };
  }
  if (own && e.code === 'PROTO_CERT_REVOKED') {
    return {
      title: 'Your certificate is revoked',
      text: 'Receivers would refuse it. Go online and renew it before paying.',
    };
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
  const vault = ctx.unlocked();
  const o = await overview(ctx.db, vault, deviceNow());
  const refusal = h('div', { class: 'form-messages' });
  const panel = receivePanel({
    type: 'payment-request',
    prompt: 'Scan the payment request',
    onPayload: async (bytes) => {
      refusal.replaceChildren();
      try {
        const prepared = await preparePayment(ctx.db, vault, bytes);
        if (prepared.kind === 'paid') {
          ctx.go({ to: 'payment', item: prepared.item, alreadyPaid: true });
        } else ctx.go({ to: 'confirm', prepared });
      } catch (e) {
        const left = (await overview(ctx.db, vault, deviceNow())).remaining;
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
    homeButton(ctx),
  );
}
