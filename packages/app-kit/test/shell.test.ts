// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.js';
import { field, form } from '../src/forms.js';
import { startShell, type ScreenCtx } from '../src/shell.js';

type Route =
  | { to: 'home' }
  | { to: 'slow' }
  | { to: 'fast' }
  | { to: 'broken' }
  | { to: 'setup' }
  | { to: 'unlock' };

function shell(refresh?: () => Promise<void>) {
  document.body.replaceChildren();
  const root = document.createElement('main');
  document.body.append(root);
  const log: string[] = [];
  let release = () => {};
  const render = async (ctx: ScreenCtx<Route, null>, route: Route) => {
    if (route.to === 'slow') {
      ctx.onLeave(() => log.push('slow left'));
      await new Promise<void>((done) => (release = done));
    }
    if (route.to === 'broken') throw new AppError('APP_VAULT_LOCKED');
    ctx.show(route.to);
  };
  const s = startShell<Route, null>({
    root,
    app: null,
    screens: {
      home: render,
      slow: render,
      fast: render,
      broken: render,
      setup: render,
      unlock: render,
    },
    ...(refresh ? { refresh } : {}),
  });
  const home = document.querySelector<HTMLButtonElement>('header nav button')!;
  return { s, root, log, release: () => release(), home };
}

describe('the shell', () => {
  it('ignores a slow screen that finishes after the user moved on, and runs its clean-ups', async () => {
    const { s, root, log, release } = shell();
    const slow = s.open({ to: 'slow' });
    await s.open({ to: 'fast' });
    expect(log).toEqual(['slow left']);
    release();
    await slow;
    expect(root.querySelector('h1')?.textContent).toBe('fast');
    expect(document.activeElement).toBe(root.querySelector('h1'));
  });

  it('shows a failed screen in plain words with one way out', async () => {
    const { s, root } = shell();
    await s.open({ to: 'broken' });
    expect(root.querySelector('h1')?.textContent).toBe('Something went wrong');
    expect(root.querySelector('[role=alert]')?.getAttribute('data-code')).toBe('APP_VAULT_LOCKED');
    const buttons = [...root.querySelectorAll('button')];
    expect(buttons.map((b) => b.textContent)).toEqual(['Unlock']);
    buttons[0]!.click();
    await new Promise((r) => setTimeout(r, 0));
    expect(root.querySelector('h1')?.textContent).toBe('unlock');
  });

  it('shows the header’s Home button only where it leads somewhere new', async () => {
    const { s, root, home } = shell();
    await s.open({ to: 'home' });
    expect(home.hidden).toBe(true);
    await s.open({ to: 'fast' });
    expect(home.hidden).toBe(false);
    home.click();
    await new Promise((r) => setTimeout(r, 0));
    expect(root.querySelector('h1')?.textContent).toBe('home');
  });

  it('says when the quiet refresh failed, and clears it when one succeeds', async () => {
    let fail = true;
    const { s } = shell(() =>
      fail ? Promise.reject(new AppError('APP_OFFLINE')) : Promise.resolve(),
    );
    const status = () => document.querySelector('#bank-status')?.textContent ?? '';
    s.refresh();
    await expect.poll(status, { timeout: 10_000 }).toContain('Could not refresh from the bank');
    fail = false;
    s.refresh();
    await expect.poll(status, { timeout: 10_000 }).toBe('');
  });
});

describe('forms', () => {
  it('show a refusal under the fields and never keep a password on screen', async () => {
    const pass = field('Passphrase', { type: 'password' });
    const el = form('Go', [pass.element], () =>
      Promise.reject(new AppError('APP_WRONG_PASSPHRASE')),
    );
    document.body.replaceChildren(el);
    pass.input.value = 'secret words';
    el.requestSubmit();
    await expect
      .poll(() => el.querySelector('[role=alert]')?.getAttribute('data-code'), { timeout: 10_000 })
      .toBe('APP_WRONG_PASSPHRASE');
    expect(pass.input.value).toBe('');
    expect(el.querySelector('button')?.disabled).toBe(false);
  });
});
