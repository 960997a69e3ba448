/**
 * Sign in: email, password and the six-digit code of the operator's authenticator app (TOTP,
 * RFC 6238). The password and code are never kept: the form empties them after each try.
 */
import { field, h, signInFields } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { checkedForm, InputError } from '../forms.js';

export function signInScreen(ctx: Ctx): void {
  const login = signInFields();
  const code = field(
    'Authenticator code',
    {
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      maxlength: 6,
      pattern: '[0-9]{6}',
    },
    'The six digits your authenticator app shows now.',
  );
  ctx.show(
    'Operator sign in',
    h('p', { class: 'muted' }, 'For the people who run the bank. Every action is audited.'),
    checkedForm('Sign in', [...login.elements, code.element], async () => {
      const digits = code.input.value.replace(/\s+/g, '');
      code.input.value = ''; // a code works once: the next try needs the next one
      if (!/^[0-9]{6}$/.test(digits)) throw new InputError('The code is six digits.');
      await ctx.app.signIn({
        email: login.email.value.trim(),
        password: login.password.value,
        code: digits,
      });
      ctx.go({ to: 'home' });
    }),
  );
}
