// @vitest-environment happy-dom
/**
 * Screen pieces people see (src/screens/form.ts, src/screens/settle.ts): a failed form ends as a
 * notice in plain words, and the settle results end with the bank-signed words only.
 */
import { Money } from '@offpay/protocol';
import { AppError } from '@offpay/app-kit';
import { describe, expect, it } from 'vitest';
import { form } from '../src/screens/form.js';
import { resultsList } from '../src/screens/settle.js';
import type { OutcomeLine } from '../src/state/settle.js';

const line = (index: number, status: OutcomeLine['status'], text: string): OutcomeLine => ({
  index,
  amount: Money.of(100 * (index + 1), 'EUR'),
  status,
  text,
});

const texts = (el: HTMLElement, selector: string): string[] =>
  [...el.querySelectorAll(selector)].map((e) => e.textContent ?? '');

describe('a form', () => {
  it('shows a failure its submit handler did not show, and can be sent again', async () => {
    let fail = true;
    const { element, button } = form('Unlock', () =>
      fail ? Promise.reject(new AppError('APP_STORAGE_FAILED')) : Promise.resolve(),
    );
    document.body.append(element);
    element.dispatchEvent(new Event('submit', { cancelable: true }));
    await expect.poll(() => button.disabled).toBe(false);
    const alert = element.querySelector('[role="alert"]');
    expect(alert?.getAttribute('data-code')).toBe('APP_STORAGE_FAILED');
    expect(alert?.textContent).not.toBe('');

    fail = false;
    element.dispatchEvent(new Event('submit', { cancelable: true }));
    await expect.poll(() => element.querySelector('[role="alert"]')).toBeNull();
  });
});

describe('the settle results', () => {
  it('replace a batch’s live lines with the signed result’s, in place', () => {
    const list = resultsList();
    list.show('a', [line(0, 'settled', 'Settled'), line(1, 'settled', 'Settled')], false);
    list.show('b', [line(2, 'settled', 'Settled')], false);
    expect(texts(list.element, '.settle-outcome')).toEqual(['Settled', 'Settled', 'Settled']);

    list.show('a', [line(0, 'settled', 'Settled'), line(1, 'rejected', 'Expired')], true);
    list.show('b', [], true); // never confirmed: taken back
    expect(texts(list.element, '.ledger-index')).toEqual(['#0', '#1']);
    expect(texts(list.element, '.settle-outcome')).toEqual(['Settled', 'Expired']);
    expect(
      [...list.element.querySelectorAll('li')].map((li) => li.getAttribute('data-final')),
    ).toEqual(['true', 'true']);
  });
});
