// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { h, notice, onlineBadge, showScreen } from '../src/ui.js';

afterEach(() => {
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

describe('h', () => {
  it('keeps markup in strings as text, never HTML', () => {
    const el = h('p', {}, '<script>alert(1)</script>', ' & <b>bold</b>');
    expect(el.querySelector('script')).toBeNull();
    expect(el.querySelector('b')).toBeNull();
    expect(el.textContent).toBe('<script>alert(1)</script> & <b>bold</b>');
  });

  it('sets class, for, aria-* and data-* as attributes, numbers as strings', () => {
    const el = h('label', { class: 'field wide', for: 'amount', 'aria-describedby': 'hint' });
    expect(el.className).toBe('field wide');
    expect(el.htmlFor).toBe('amount');
    expect(el.getAttribute('aria-describedby')).toBe('hint');
    const row = h('li', { 'data-state': 'settled', 'data-index': 12 });
    expect(row.dataset.state).toBe('settled');
    expect(row.dataset.index).toBe('12');
  });

  it('adds true booleans as empty attributes and leaves out false and undefined ones', () => {
    const el = h('input', { required: true, disabled: false, placeholder: undefined });
    expect(el.hasAttribute('required')).toBe(true);
    expect(el.getAttribute('required')).toBe('');
    expect(el.hasAttribute('disabled')).toBe(false);
    expect(el.hasAttribute('placeholder')).toBe(false);
  });

  it('turns on* functions into event listeners, not attributes', () => {
    const onClick = vi.fn();
    const el = h('button', { type: 'button', onclick: onClick }, 'Pay');
    expect(el.hasAttribute('onclick')).toBe(false);
    el.click();
    el.click();
    expect(onClick).toHaveBeenCalledTimes(2);
  });

  it('appends nodes, strings and numbers in order and skips false, null and undefined', () => {
    const el = h('div', {}, h('span', {}, 'a'), false, 'b', null, 3, undefined);
    expect(el.childNodes).toHaveLength(3);
    expect(el.textContent).toBe('ab3');
  });
});

describe('showScreen', () => {
  it('replaces the content with a focused heading and the body, and titles the document', () => {
    document.title = 'offpay sender';
    const root = h('main', {}, h('p', {}, 'old screen'));
    document.body.append(root);
    showScreen(root, 'Pay', h('p', {}, 'Scan the request'), 'text');
    const heading = root.querySelector('h1')!;
    expect(heading.textContent).toBe('Pay');
    expect(heading.getAttribute('tabindex')).toBe('-1');
    expect(document.activeElement).toBe(heading);
    expect(root.textContent).not.toContain('old screen');
    expect(root.textContent).toContain('Scan the request');
    expect(root.firstElementChild).toBe(heading);
    expect(document.title).toBe('Pay · offpay sender');

    showScreen(root, 'History');
    expect(document.title).toBe('History · offpay sender');
    expect(root.children).toHaveLength(1);
  });
});

describe('notice', () => {
  it('is an alert for errors and a status otherwise, with a visible title and text', () => {
    const error = notice('error', 'Already accepted', 'This payment is ledger entry #12.');
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toContain('Already accepted');
    expect(error.textContent).toContain('This payment is ledger entry #12.');
    expect(notice('ok', 'Saved').getAttribute('role')).toBe('status');
    expect(notice('info', 'Offline').getAttribute('role')).toBe('status');
    expect(notice('ok', 'Saved').querySelectorAll('p')).toHaveLength(1);
  });

  it('shows markup in a title as text', () => {
    const el = notice('error', '<img src=x onerror=alert(1)>');
    expect(el.querySelector('img')).toBeNull();
  });
});

describe('onlineBadge', () => {
  it('follows the online and offline events', () => {
    let online = true;
    vi.spyOn(navigator, 'onLine', 'get').mockImplementation(() => online);
    const badge = onlineBadge();
    document.body.append(badge);
    expect(badge.textContent).toBe('Online');
    online = false;
    window.dispatchEvent(new Event('offline'));
    expect(badge.textContent).toBe('Offline');
    expect(badge.dataset.state).toBe('offline');
    online = true;
    window.dispatchEvent(new Event('online'));
    expect(badge.textContent).toBe('Online');
  });
});
