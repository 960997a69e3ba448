// @vitest-environment happy-dom
/**
 * What a person sees on the till's screens: entries counted from #1, the settle results ending
 * with the bank-signed words only, and the Settle screen offering one next step — none when
 * everything is settled, and never "sent" claims when the bank cannot be reached.
 */
import { kid, toHex } from '@offpay/crypto';
import { merchantCode, Money } from '@offpay/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTill } from '../src/app.js';
import { META } from '../src/db.js';
import { resultsList } from '../src/screens/settle.js';
import type { OutcomeLine } from '../src/state/settle.js';
import { makeTill, payRequest, TestPayer, type TestTill } from './helpers.js';

// These tests stay offline unless a test stubs fetch.
Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
afterEach(() => vi.unstubAllGlobals());

const line = (index: number, status: OutcomeLine['status'], text: string): OutcomeLine => ({
  index,
  amount: Money.of(100 * (index + 1), 'EUR'),
  status,
  text,
});

const texts = (el: Element, selector: string): string[] =>
  [...el.querySelectorAll(selector)].map((e) => e.textContent ?? '');

/** The till `t` started on a page and unlocked, as a person would. */
async function opened(t: TestTill) {
  const root = document.createElement('main');
  document.body.replaceChildren(root);
  const shell = startTill(root, t.db);
  await shell.open({ to: 'unlock' });
  root.querySelector<HTMLInputElement>('input[type=password]')!.value = 'till passphrase';
  root.querySelector('form')!.requestSubmit();
  await expect.poll(() => root.querySelector('h1')?.textContent, { timeout: 10_000 }).toBe('Till');
  return { root, shell };
}

const primaries = (root: HTMLElement) => texts(root, '.btn-primary');

describe('the settle results', () => {
  it('replace a batch’s live lines with the signed result’s, in place', () => {
    const list = resultsList();
    list.show('a', [line(0, 'settled', 'Settled'), line(1, 'settled', 'Settled')], false);
    list.show('b', [line(2, 'settled', 'Settled')], false);
    expect(texts(list.element, '.settle-outcome')).toEqual(['Settled', 'Settled', 'Settled']);
    list.show('a', [line(0, 'settled', 'Settled'), line(1, 'rejected', 'Expired')], true);
    list.show('b', [], true); // never confirmed: taken back
    expect(texts(list.element, '.ledger-index')).toEqual(['Entry #1', 'Entry #2']);
    expect(texts(list.element, '.settle-outcome')).toEqual(['Settled', 'Expired']);
    expect([...list.element.querySelectorAll('li')].map((li) => li.dataset.final)).toEqual([
      'true',
      'true',
    ]);
  });
});

describe('the till’s screens', () => {
  it('Home says how much is not settled; the Ledger counts entries from #1 and shows memos', async () => {
    const t = await makeTill();
    await payRequest(t, new TestPayer(t.bank), '2.50');
    const { root, shell } = await opened(t);
    expect(root.textContent).toContain('1 payment; 1 not yet settled (2.50 EUR).');
    await shell.open({ to: 'ledger' });
    expect(texts(root, '.ledger-index')).toEqual(['Entry #1']);
  });

  it('Home and Request payment show the merchant code the payer’s wallet shows', async () => {
    const t = await makeTill();
    const { root, shell } = await opened(t);
    const code = merchantCode(t.till.cert);
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(texts(root, '.merchant-code strong')).toEqual([code]);
    await shell.open({ to: 'request' });
    expect(texts(root, '.merchant-code strong')).toEqual([code]);
  });

  it('Settle with nothing to settle says so and offers nothing to press', async () => {
    const { root, shell } = await opened(await makeTill());
    await shell.open({ to: 'settle' });
    expect(root.textContent).toContain('Everything is settled');
    expect(texts(root, 'button')).toEqual([]);
  });

  it('Settle signed out offers one next step: "Settle now", then the sign-in form', async () => {
    const t = await makeTill();
    await payRequest(t, new TestPayer(t.bank), '2.50');
    const { root, shell } = await opened(t);
    await shell.open({ to: 'settle' });
    expect(primaries(root)).toEqual(['Settle now']);
    expect(texts(root, 'button')).toContain('Export batch file');
    root.querySelector<HTMLButtonElement>('.btn-primary')!.click();
    expect(primaries(root)).toEqual(['Sign in']);
    expect(root.textContent).toContain('Sign in to settle');
  });

  it('Settle refused as a revoked till offers to take its ledger over on new keys', async () => {
    const t = await makeTill();
    await payRequest(t, new TestPayer(t.bank), '2.50');
    const key = (pk: Uint8Array) => ({
      kid: toHex(kid(pk)),
      publicKey: toHex(pk),
      createdAt: '2027-01-01T00:00:00.000Z',
      retiredAt: null,
      previousKid: null,
      announcement: null,
    });
    const json = (status: number, body: unknown) =>
      Promise.resolve(
        new Response(JSON.stringify(body), {
          status,
          headers: { 'content-type': 'application/json' },
        }),
      );
    const refusal = (code: string, status: number) =>
      json(status, { code, message: code, details: {} });
    vi.stubGlobal('fetch', (input: RequestInfo | URL) => {
      const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
      if (path === '/v1/auth/login') {
        return json(200, {
          accessToken: 'tok',
          tokenType: 'Bearer',
          expiresIn: 3600,
          expiresAt: '2027-01-15T09:00:00.000Z',
        });
      }
      if (path === '/v1/keys') {
        return json(200, { signKeys: [key(t.bank.signPk)], kemKeys: [key(t.bank.kemPk)] });
      }
      if (path === '/v1/settlements') return refusal('BANK_PAYEE_REVOKED', 403);
      return refusal('BANK_TOKEN_INVALID', 401);
    });
    const { root, shell } = await opened(t);
    await shell.open({ to: 'settle' });
    root.querySelector<HTMLButtonElement>('.btn-primary')!.click();
    const form = root.querySelector('form')!;
    form.querySelector<HTMLInputElement>('input[type=email]')!.value = 'bob@example.com';
    form.querySelector<HTMLInputElement>('input[type=password]')!.value = 'pw';
    form.requestSubmit();
    await expect
      .poll(() => root.querySelector('[role=alert]')?.getAttribute('data-code'), {
        timeout: 10_000,
      })
      .toBe('BANK_PAYEE_REVOKED');
    await expect.poll(() => primaries(root)).toEqual(['Take over this ledger on new keys']);
    expect(texts(root, 'button')).not.toContain('Export batch file');
  });

  it('Settle with a ledger takeover under way offers only to continue it, after signing in', async () => {
    const t = await makeTill();
    await payRequest(t, new TestPayer(t.bank), '2.50');
    await t.db.write([{ put: 'meta', key: META.handover, value: { step: 'keys' } }]);
    const { root, shell } = await opened(t);
    await shell.open({ to: 'settle' });
    expect(texts(root, 'h2')).toContain('Take over this ledger on new keys');
    expect(primaries(root)).toEqual(['Continue taking over']);
    expect(texts(root, 'button')).not.toContain('Export batch file');
    root.querySelector<HTMLButtonElement>('.btn-primary')!.click();
    expect(primaries(root)).toEqual(['Sign in']);
    expect(root.textContent).toContain('Sign in to take over');
  });

  it('Settle with the bank unreachable says only that, and keeps no batch as waiting', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const t = await makeTill();
    await payRequest(t, new TestPayer(t.bank), '2.50');
    const { root, shell } = await opened(t);
    await shell.open({ to: 'settle' });
    root.querySelector<HTMLButtonElement>('.btn-primary')!.click();
    const form = root.querySelector('form')!;
    form.querySelector<HTMLInputElement>('input[type=email]')!.value = 'bob@example.com';
    form.querySelector<HTMLInputElement>('input[type=password]')!.value = 'pw';
    form.requestSubmit();
    await expect
      .poll(() => root.querySelector('[role=alert]')?.getAttribute('data-code'), {
        timeout: 10_000,
      })
      .toBe('APP_OFFLINE');
    expect(root.textContent).not.toMatch(/Sent to the bank|Sending|checking|waiting for the bank/);
    expect(await t.db.all('batches')).toEqual([]);
  });
});
