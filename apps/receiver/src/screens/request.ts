/**
 * Request payment → Waiting for payment: the signed request as QR and file, and the panel that
 * takes the payment in; an accepted payment shows its receipt, a refused one says why.
 */
import {
  h,
  notice,
  receivePanel,
  sendPanel,
  showScreen,
  trustedNow,
  type SendPanel,
} from '@offpay/app-kit';
import { encodePaymentRequest, isAppError, LIMITS, Money } from '@offpay/protocol';
import type { App } from '../app.js';
import { createRequest, parseRequestInput } from '../state/requests.js';
import { recordAt } from '../state/ledger.js';
import { acceptPayment, type Accepted } from '../state/till.js';
import { button, dateTime, field, form, statusArea } from './form.js';

/** What the waiting screen needs of a request. */
export interface ShownRequest {
  /** The only request a payment scanned on this screen may answer. */
  requestId: Uint8Array;
  bytes: Uint8Array;
  amount: number;
  memo: string;
  expiresAt: number;
}

/** The request form. */
export function requestScreen(app: App): void {
  const till = app.till;
  if (!till) return app.go('home');
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
  const status = statusArea();
  const { element } = form(
    'Show request',
    async () => {
      status.clear();
      const input = parseRequestInput(amount.input.value, memo.input.value, currency);
      if (!input.ok) {
        status.say(
          'error',
          input.field === 'amount' ? 'Check the amount' : 'Check the memo',
          input.message,
        );
        (input.field === 'amount' ? amount : memo).input.focus();
        return;
      }
      try {
        const now = await trustedNow(app.db);
        const r = await createRequest(app.db, till, input, now);
        showWaiting(app, {
          requestId: r.requestId,
          bytes: encodePaymentRequest(r),
          amount: r.amount,
          memo: r.memo,
          expiresAt: r.expiresAt,
        });
      } catch (e) {
        status.error(e);
      }
    },
    amount.element,
    memo.element,
    status.element,
  );
  showScreen(app.root, 'Request payment', element);
}

/** The waiting screen for an open request. */
export function showWaiting(app: App, request: ShownRequest): void {
  app.show(() => renderWaiting(app, request));
}

function renderWaiting(app: App, request: ShownRequest): void {
  const till = app.till;
  if (!till) return app.go('home');
  const amountText = Money.of(request.amount, till.cert.currency).toString();
  const send = sendPanel({
    type: 'payment-request',
    bytes: request.bytes,
    fileName: `offpay-request-${amountText.replace(' ', '-')}.json`,
    readable: {
      amount: amountText,
      to: till.cert.displayName,
      ...(request.memo ? { memo: request.memo } : {}),
    },
    label: 'Payment request QR code',
  });
  const result = h('div', { class: 'till-result', tabindex: -1 });
  const receive = receivePanel({
    type: 'payment',
    prompt: 'Scan the payment',
    onPayload: async (bytes) => {
      result.replaceChildren();
      let accepted: Accepted;
      try {
        accepted = await acceptPayment(app.db, till, request.requestId, bytes);
      } catch (e) {
        await explainRefusal(app, result, e);
        throw e; // the panel shows the refusal in plain words and stays ready
      }
      send.stop();
      receive.stop();
      body.replaceChildren(acceptedView(app, accepted));
      body.focus();
    },
  });
  app.onLeave(() => send.stop());
  app.onLeave(() => receive.stop());
  const body = h(
    'div',
    { class: 'till-waiting', tabindex: -1 },
    h('p', { class: 'request-amount' }, amountText),
    request.memo && h('p', { class: 'request-memo' }, request.memo),
    h(
      'p',
      { class: 'muted' },
      `Ask the payer to scan this request. Open until ${dateTime(request.expiresAt)}.`,
    ),
    send.element,
    result,
    receive.element,
  );
  showScreen(
    app.root,
    'Waiting for payment',
    body,
    h(
      'div',
      { class: 'actions' },
      button('New request', () => app.go('request')),
    ),
  );
}

/** The accepted payment: the notice and the receipt to show the payer. */
function acceptedView(app: App, accepted: Accepted): HTMLElement {
  const receipt = receiptPanel(app, accepted.receiptBytes, accepted.amount, accepted.record.index);
  return h(
    'div',
    {},
    notice('ok', 'Payment accepted', `${accepted.amount.toString()} from a verified payer`),
    h('p', { class: 'muted' }, `Ledger #${accepted.record.index}. Show this receipt to the payer.`),
    receipt.element,
  );
}

function receiptPanel(app: App, bytes: Uint8Array, amount: Money, index: number): SendPanel {
  const panel = sendPanel({
    type: 'receipt',
    bytes,
    fileName: `offpay-receipt-${amount.toString().replace(' ', '-')}-${index}.json`,
    readable: { amount: amount.toString(), ledger: index, from: app.till?.cert.displayName ?? '' },
    label: 'Receipt QR code',
  });
  app.onLeave(() => panel.stop());
  return panel;
}

/** Extra help beside a refusal: the receipt again for a duplicate, what happens to a fraud proof. */
async function explainRefusal(app: App, into: HTMLElement, e: unknown): Promise<void> {
  if (!isAppError(e)) return;
  const details = (e.details ?? {}) as Record<string, unknown>;
  if (e.code === 'PROTO_PAYMENT_DUPLICATE' && typeof details['index'] === 'number') {
    const record = await recordAt(app.db, details['index']);
    const till = app.till;
    if (!record || !till) return;
    const amount = Money.of(record.amount, till.cert.currency);
    into.replaceChildren(
      button('Show the receipt again', () =>
        into.replaceChildren(receiptPanel(app, record.receipt, amount, record.index).element),
      ),
    );
  } else if (e.code.startsWith('PROTO_FRAUD_')) {
    into.replaceChildren(
      notice(
        'info',
        'Proof kept',
        'This payer signed conflicting payments. The till refuses it from now on and hands the proof to the bank when online.',
      ),
    );
  }
}
