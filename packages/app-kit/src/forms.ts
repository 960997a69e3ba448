/**
 * The form kit both apps build their screens with: labelled fields, forms that submit with Enter
 * and show a failure in plain words under the fields, buttons, message areas, sections, and the
 * dates and counts people read.
 */
import { errorNotice } from './exchange.js';
import { h, notice, type Attrs, type Child } from './ui.js';

let nextId = 0;

/** A labelled input: `<label for>` + `<input id>` inside a `.field`, with an optional hint. */
export function field(
  label: string,
  attrs: Attrs = {},
  hint?: string,
): { element: HTMLElement; input: HTMLInputElement } {
  const id = `offpay-field-${++nextId}`;
  const hintId = hint ? `${id}-hint` : undefined;
  const input = h('input', { id, type: 'text', 'aria-describedby': hintId, ...attrs });
  const element = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    input,
    hint && h('p', { id: hintId, class: 'hint' }, hint),
  );
  return { element, input };
}

/** A region for outcomes: a notice in plain words, replaced by the next one. */
export interface Messages {
  element: HTMLElement;
  say(kind: 'ok' | 'error' | 'info', title: string, text?: string): void;
  /** The plain words of any thrown value. */
  error(e: unknown): void;
  clear(): void;
}

/** A message region (role=status/alert notices inside). */
export function messages(): Messages {
  const element = h('div', { class: 'form-messages' });
  return {
    element,
    say: (kind, title, text) => element.replaceChildren(notice(kind, title, text)),
    error: (e) => element.replaceChildren(errorNotice(e)),
    clear: () => element.replaceChildren(),
  };
}

/**
 * A form whose submit button is disabled while `onSubmit` runs; what it throws is shown under the
 * fields in plain words. Enter in any field submits. Password fields are emptied after each
 * submit: a secret never stays on screen.
 */
export function form(
  submitText: string,
  fields: Child[],
  onSubmit: (messages: Messages) => Promise<void>,
  attrs: Attrs = {},
): HTMLFormElement {
  const out = messages();
  const submit = h('button', { type: 'submit', class: 'btn-primary' }, submitText);
  const el = h(
    'form',
    { novalidate: true, ...attrs },
    ...fields,
    out.element,
    h('div', { class: 'actions' }, submit),
  );
  el.addEventListener('submit', (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    submit.disabled = true;
    el.setAttribute('aria-busy', 'true');
    out.clear();
    onSubmit(out)
      .catch((e: unknown) => out.error(e))
      .finally(() => {
        for (const input of el.querySelectorAll('input[type=password]')) {
          (input as HTMLInputElement).value = '';
        }
        submit.disabled = false;
        el.removeAttribute('aria-busy');
      });
  });
  return el;
}

/** A button: `primary` for the one next step a screen offers, else secondary. */
export function button(
  text: string,
  onclick: () => void,
  kind: 'primary' | 'secondary' = 'secondary',
): HTMLButtonElement {
  return h('button', { type: 'button', class: `btn-${kind}`, onclick }, text);
}

/** A row of buttons. */
export function actions(...buttons: Child[]): HTMLElement {
  return h('div', { class: 'actions' }, ...buttons);
}

/** A card with a heading (`aria-labelledby` names the section). */
export function section(title: string, ...body: Child[]): HTMLElement {
  const id = `offpay-section-${++nextId}`;
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...body);
}

/** The bank sign-in fields (email, password); the password is never stored. */
export function signInFields(): {
  elements: HTMLElement[];
  email: HTMLInputElement;
  password: HTMLInputElement;
} {
  const email = field('Email', { type: 'email', autocomplete: 'username', inputmode: 'email' });
  const password = field('Password', { type: 'password', autocomplete: 'current-password' });
  return {
    elements: [email.element, password.element],
    email: email.input,
    password: password.input,
  };
}

/** "1 payment", "3 payments". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A date and time for people, in the device's locale, from Unix seconds. */
export function formatTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

/** A date for people, in the device's locale, from Unix seconds. */
export function formatDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toLocaleDateString(undefined, { dateStyle: 'medium' });
}
