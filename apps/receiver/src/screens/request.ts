/**
 * Request payment → Waiting for payment → Payment accepted: the signed request as QR and file,
 * the panel that takes the payment in (a refusal says why, and the panel stays ready), then the
 * accepted payment's receipt for the payer.
 */
import {
  actions,
  button,
  entryNumber,
  field,
  form,
  formatTime,
  h,
  notice,
  receivePanel,
  sendPanel,
  trustedNow,
} from '@offpay/app-kit';
import { isAppError, LIMITS, merchantCode, Money } from '@offpay/protocol';
import type { Ctx } from '../ctx.js';
import type { StoredRequest } from '../db.js';
import { acceptPayment, type Accepted } from '../state/accept.js';
import { createRequest, parseRequestInput } from '../state/requests.js';
import type { Till } from '../state/till.js';

const fileAmount = (m: Money) => m.toString().replace(' ', '-');

/** The request form ("Request payment"). */
export function requestScreen(ctx: Ctx): void {
  const { app } = ctx;
  const till = app.till;
  if (!till) return ctx.go({ to: 'home' });
  const currency = till.cert.currency;
  const amount = field(
    'Amount',
    { inputmode: 'decimal', autocomplete: 'off', placeholder: '2.50' },
    `In ${currency}`,
  );
  const memo = field(
    'Memo',
    { autocomplete: 'off', maxlength: LIMITS.memoBytes },
    'Optional, shown to the payer',
  );
  const submit = form('Show request', [amount.element, memo.element], async (messages) => {
    const input = parseRequestInput(amount.input.value, memo.input.value, currency);
    if (!input.ok) {
      messages.say(
        'error',
        input.field === 'amount' ? 'Check the amount' : 'Check the memo',
        input.message,
      );
      return (input.field === 'amount' ? amount : memo).input.focus();
    }
    const { stored } = await createRequest(app.db, till, input, await trustedNow(app.db));
    ctx.go({ to: 'waiting', request: stored });
  });
  ctx.show('Request payment', codeLine(till), submit);
}

/** The till's name and merchant code, which the payer's wallet shows too (docs/protocol.md §5.5). */
function codeLine(till: Till): HTMLElement {
  return h(
    'p',
    { class: 'merchant-code' },
    `${till.cert.displayName} · merchant code `,
    h('strong', {}, merchantCode(till.cert)),
  );
}

/** The signed request as QR and file, for the payer to scan. */
function requestPanel(ctx: Ctx, till: Till, request: StoredRequest, amount: Money): HTMLElement {
  const memo: { memo?: string } = request.memo ? { memo: request.memo } : {};
  const panel = sendPanel({
    type: 'payment-request',
    bytes: request.bytes,
    fileName: `offpay-request-${fileAmount(amount)}.json`,
    readable: { amount: amount.toString(), to: till.cert.displayName, ...memo },
    label: 'Payment request QR code',
  });
  ctx.onLeave(() => panel.stop());
  return panel.element;
}

/** The waiting screen for an open request ("Waiting for payment"). */
export function waitingScreen(ctx: Ctx, request: StoredRequest): void {
  const { app } = ctx;
  const till = app.till;
  if (!till) return ctx.go({ to: 'home' });
  const amount = Money.of(request.amount, till.cert.currency);
  const help = h('div', { class: 'till-result' });
  const receive = receivePanel({
    type: 'payment',
    prompt: 'Scan the payment',
    onPayload: async (bytes) => {
      help.replaceChildren();
      try {
        const accepted = await acceptPayment(app.db, till, request.requestId, bytes);
        ctx.go({ to: 'accepted', accepted });
      } catch (e) {
        await explainRefusal(ctx, help, e);
        throw e; // the panel shows the refusal in plain words and stays ready
      }
    },
  });
  ctx.onLeave(() => receive.stop());
  const open = `Ask the payer to scan this request. Open until ${formatTime(request.expiresAt)}.`;
  ctx.show(
    'Waiting for payment',
    h('p', { class: 'request-amount' }, amount.toString()),
    request.memo && h('p', { class: 'memo' }, request.memo),
    h('p', { class: 'muted' }, open),
    codeLine(till),
    requestPanel(ctx, till, request, amount),
    help,
    receive.element,
    actions(button('New request', () => ctx.go({ to: 'request' }))),
  );
}

/** The receipt of ledger entry `index` as QR and file, to show (again) to the payer. */
function receiptPanel(ctx: Ctx, bytes: Uint8Array, amount: Money, index: number): HTMLElement {
  const panel = sendPanel({
    type: 'receipt',
    bytes,
    fileName: `offpay-receipt-${fileAmount(amount)}-${index + 1}.json`,
    readable: {
      amount: amount.toString(),
      ledger: index,
      from: ctx.app.till?.cert.displayName ?? '',
    },
    label: 'Receipt QR code',
  });
  ctx.onLeave(() => panel.stop());
  return panel.element;
}

/** The accepted payment ("Payment accepted"): the notice and the receipt to show the payer. */
export function acceptedScreen(ctx: Ctx, accepted: Accepted): void {
  const { record, amount } = accepted;
  ctx.show(
    'Payment accepted',
    notice('ok', 'Payment accepted', `${amount.toString()} from a verified payer`),
    record.memo !== '' && h('p', { class: 'memo' }, record.memo),
    h(
      'p',
      { class: 'muted' },
      `Ledger entry ${entryNumber(record.index)}. Show this receipt to the payer.`,
    ),
    receiptPanel(ctx, accepted.receiptBytes, amount, record.index),
    actions(button('New request', () => ctx.go({ to: 'request' }), 'primary')),
  );
}

/** Extra help beside a refusal: the receipt again for a duplicate, what happens to a fraud proof. */
async function explainRefusal(ctx: Ctx, into: HTMLElement, e: unknown): Promise<void> {
  if (!isAppError(e)) return;
  const index = (e.details as Record<string, unknown> | undefined)?.['index'];
  const till = ctx.app.till;
  if (e.code === 'PROTO_PAYMENT_DUPLICATE' && typeof index === 'number' && till) {
    const record = await ctx.app.db.get('ledger', index);
    if (!record) return;
    const amount = Money.of(record.amount, till.cert.currency);
    into.replaceChildren(
      button('Show the receipt again', () =>
        into.replaceChildren(receiptPanel(ctx, record.receipt, amount, index)),
      ),
    );
  } else if (e.code.startsWith('PROTO_FRAUD_')) {
    const text =
      'This payer signed conflicting payments. The till refuses it from now on and hands the proof to the bank when online.';
    into.replaceChildren(notice('info', 'Proof kept', text));
  }
}
