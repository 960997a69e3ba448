/** Small pieces the screens share: labelled fields, forms that submit with Enter, buttons. */
import { errorNotice, h, type Attrs, type Child } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';

let nextId = 0;

/** A labelled input: `<label for>` + `<input id>` inside a `.field`. */
export function field(
  label: string,
  attrs: Attrs,
  hint?: string,
): { element: HTMLElement; input: HTMLInputElement } {
  const id = `sender-field-${++nextId}`;
  const hintId = hint ? `${id}-hint` : undefined;
  const input = h('input', { id, 'aria-describedby': hintId, ...attrs });
  const element = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    input,
    hint && h('p', { id: hintId, class: 'hint' }, hint),
  );
  return { element, input };
}

/**
 * A form whose submit button is disabled while `onSubmit` runs; a thrown error is shown in the
 * form's message area in plain words. Enter in any field submits.
 */
export function form(
  submitText: string,
  fields: Child[],
  onSubmit: (messages: HTMLElement) => Promise<void>,
  extra: Attrs = {},
): HTMLFormElement {
  const messages = h('div', { class: 'form-messages' });
  const submit = h('button', { type: 'submit', class: 'btn-primary' }, submitText);
  const el = h(
    'form',
    { novalidate: true, ...extra },
    ...fields,
    h('div', { class: 'actions' }, submit),
    messages,
  );
  el.addEventListener('submit', (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    submit.disabled = true;
    el.setAttribute('aria-busy', 'true');
    messages.replaceChildren();
    onSubmit(messages)
      .catch((e: unknown) => messages.replaceChildren(errorNotice(e)))
      .finally(() => {
        submit.disabled = false;
        el.removeAttribute('aria-busy');
      });
  });
  return el;
}

/** A button. */
export function button(
  text: string,
  onclick: () => void,
  kind: 'primary' | 'secondary' = 'secondary',
): HTMLButtonElement {
  return h('button', { type: 'button', class: `btn-${kind}`, onclick }, text);
}

/** The "Home" button most screens end with. */
export function homeButton(ctx: Ctx): HTMLElement {
  return h(
    'div',
    { class: 'actions' },
    button('Home', () => ctx.go({ to: 'home' })),
  );
}

/** A date and time for people, in the device's locale. */
export function formatTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

/** A date for people, in the device's locale. */
export function formatDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toLocaleDateString(undefined, { dateStyle: 'medium' });
}
