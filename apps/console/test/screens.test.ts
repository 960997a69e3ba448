// @vitest-environment happy-dom
/**
 * What an operator meets in the console: sign in with a code, the nav list once signed in, tables
 * a screen reader can walk, a screen whose route the bank lacks still rendering the bank's words,
 * the session in memory only, and a refused session leading back to Sign in.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startConsole as start } from '../src/app.js';
import { chainWords } from '../src/screens/audit.js';
import { payoutSteps } from '../src/screens/payouts.js';
import { dataTable } from '../src/table.js';

const LOGIN = {
  accessToken: 'op.token.value',
  tokenType: 'Bearer',
  expiresIn: 900,
  expiresAt: '2026-12-06T04:00:00.000Z',
  operator: { id: '6f1c1f3e-8d3a-4c38-9a55-1f2a3b4c5d6e', email: 'op@bank.test', role: 'operator' },
};

/** Every console a test started: each leaves its screen after the test (Live activity's stream and retry timer stop). */
const started: ReturnType<typeof start>[] = [];
const startConsole = (...args: Parameters<typeof start>): ReturnType<typeof start> => {
  const shell = start(...args);
  started.push(shell);
  return shell;
};
afterEach(async () => {
  for (const shell of started.splice(0)) await shell.open({ to: 'signin' });
});

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A bank that answers by path; every request is kept. */
function fakeBank(answers: Record<string, () => Response>) {
  const calls: { url: string; auth: string | null }[] = [];
  const fetchImpl: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : input.toString();
    calls.push({ url, auth: new Headers(init?.headers).get('authorization') });
    const path = new URL(url).pathname;
    const answer = answers[path];
    return Promise.resolve(
      answer
        ? answer()
        : json(404, { code: 'BANK_NOT_FOUND', message: `No route matches ${path}`, details: {} }),
    );
  };
  return { calls, fetchImpl };
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

function page() {
  document.body.innerHTML = '<header class="app-header"></header><main id="app"></main>';
  return document.querySelector<HTMLElement>('#app')!;
}

const heading = () => document.querySelector('h1')?.textContent;
const field = (label: string) => {
  const l = [...document.querySelectorAll('label')].find((x) => x.textContent === label);
  return document.getElementById(l!.htmlFor) as HTMLInputElement;
};
const button = (name: string) =>
  [...document.querySelectorAll('button')].find((b) => b.textContent === name)!;

async function signIn(root: HTMLElement, bank: ReturnType<typeof fakeBank>) {
  const shell = startConsole(root, 'http://bank.test', bank.fetchImpl);
  await shell.open({ to: 'signin' });
  field('Email').value = 'op@bank.test';
  field('Password').value = 'operator password';
  field('Authenticator code').value = '123456';
  button('Sign in').click();
  await until(() => heading() === 'Live activity');
  return shell;
}

describe('the console', () => {
  it('asks for a six-digit code before it calls the bank', async () => {
    const bank = fakeBank({ '/v1/operator/auth/login': () => json(200, LOGIN) });
    const root = page();
    await startConsole(root, 'http://bank.test', bank.fetchImpl).open({ to: 'merchants' });
    expect(heading()).toBe('Operator sign in');
    field('Email').value = 'op@bank.test';
    field('Password').value = 'x';
    field('Authenticator code').value = '12345';
    button('Sign in').click();
    await until(() => document.querySelector('[role=alert]') !== null);
    expect(document.querySelector('[role=alert]')?.textContent).toContain('six digits');
    expect(bank.calls).toHaveLength(0);
  });

  it('signs in, keeps the token in memory only, and shows the nav list', async () => {
    const bank = fakeBank({ '/v1/operator/auth/login': () => json(200, LOGIN) });
    await signIn(page(), bank);
    const nav = document.querySelector<HTMLElement>('nav[aria-label="Console"]')!;
    expect(nav.hidden).toBe(false);
    expect(nav.querySelector('[aria-current="page"]')?.textContent).toBe('Live activity');
    expect(nav.textContent).toContain('op@bank.test (operator)');
    expect(localStorage.length + sessionStorage.length).toBe(0);
    expect(document.body.innerHTML).not.toContain(LOGIN.accessToken);
    // The activity stream went out with the Bearer header, never the token in the URL.
    await until(() => bank.calls.some((c) => c.url.endsWith('/v1/operator/activity')));
    const stream = bank.calls.find((c) => c.url.endsWith('/v1/operator/activity'))!;
    expect(stream.auth).toBe(`Bearer ${LOGIN.accessToken}`);
  });

  it("renders a screen whose route this bank lacks, with the bank's refusal in words", async () => {
    const bank = fakeBank({ '/v1/operator/auth/login': () => json(200, LOGIN) });
    const shell = await signIn(page(), bank);
    await shell.open({ to: 'refunds' });
    expect(heading()).toBe('Refunds');
    expect(document.querySelector('[role=alert]')?.textContent).toMatch(/does not offer this/);
  });

  it('signs out at the bank and here with "Sign out"', async () => {
    const bank = fakeBank({
      '/v1/operator/auth/login': () => json(200, LOGIN),
      '/v1/operator/auth/logout': () => new Response(null, { status: 204 }),
    });
    const shell = await signIn(page(), bank);
    await shell.open({ to: 'audit' });
    button('Sign out').click();
    await until(() => heading() === 'Operator sign in');
    expect(bank.calls.some((c) => c.url.endsWith('/v1/operator/auth/logout'))).toBe(true);
    expect(document.querySelector<HTMLElement>('nav[aria-label="Console"]')!.hidden).toBe(true);
    // Signed out: a screen opened now asks to sign in first.
    await shell.open({ to: 'payouts' });
    expect(heading()).toBe('Operator sign in');
  });

  it('opens Sign in again when the bank refuses the session', async () => {
    const bank = fakeBank({
      '/v1/operator/auth/login': () => json(200, LOGIN),
      '/v1/operator/merchant-applications': () =>
        json(401, { code: 'BANK_TOKEN_EXPIRED', message: 'expired', details: {} }),
    });
    const shell = await signIn(page(), bank);
    await shell.open({ to: 'merchants' });
    await until(() => heading() === 'Operator sign in');
    expect(document.querySelector<HTMLElement>('nav[aria-label="Console"]')!.hidden).toBe(true);
  });
});

describe('tables', () => {
  it('have a caption, column headers and row headers', () => {
    const el = dataTable(
      'Payouts: requested',
      [
        { header: 'Who', cell: (r: { who: string; n: string }) => r.who },
        { header: 'Amount', cell: (r) => r.n, numeric: true },
      ],
      [{ who: 'bob@example.com', n: '1.50 EUR' }],
    );
    expect(el.querySelector('caption')?.textContent).toBe('Payouts: requested');
    expect([...el.querySelectorAll('thead th')].map((t) => t.getAttribute('scope'))).toEqual([
      'col',
      'col',
    ]);
    expect(el.querySelector('tbody th[scope=row]')?.textContent).toBe('bob@example.com');
    expect(el.querySelector('tbody td.num')?.textContent).toBe('1.50 EUR');
  });

  it('say so when empty', () => {
    const el = dataTable('Refunds', [{ header: 'Who', cell: (r: string) => r }], [], 'No refunds.');
    expect(el.querySelectorAll('tbody tr')).toHaveLength(0);
    expect(el.textContent).toContain('No refunds.');
  });
});

describe('words', () => {
  it('say where the audit chain broke', () => {
    expect(chainWords({ ok: true, count: 12, brokenAt: null }).title).toBe('Chain verified ✓');
    const broken = chainWords({ ok: false, count: 12, brokenAt: '7' });
    expect(broken.ok).toBe(false);
    expect(broken.title).toBe('Chain broken at entry 7');
  });

  it('offer the steps a payout in each state allows', () => {
    expect(payoutSteps('requested')).toEqual(['approve', 'refuse']);
    expect(payoutSteps('in_flight')).toEqual(['confirm', 'fail']);
    expect(payoutSteps('confirmed')).toEqual([]);
    expect(payoutSteps('approved')).toEqual([]);
  });
});
