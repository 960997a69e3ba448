/** Small form helpers shared by the screens: labelled fields, a status area, busy buttons. */
import { errorNotice, h, notice, type Child } from '@offpay/app-kit';

let nextId = 0;

/** A labelled input (every input has a <label>). */
export function field(
  label: string,
  attrs: Record<string, string | number | boolean | undefined> = {},
  hint?: string,
): { element: HTMLElement; input: HTMLInputElement } {
  const id = `till-field-${++nextId}`;
  const hintId = hint ? `${id}-hint` : undefined;
  const input = h('input', { id, type: 'text', 'aria-describedby': hintId, ...attrs });
  const element = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    input,
    hint && h('p', { id: hintId, class: 'muted' }, hint),
  );
  return { element, input };
}

/**
 * A form that submits with Enter or its submit button, which is disabled while `onSubmit` runs.
 * A failure `onSubmit` did not show itself ends as a plain-words notice under the fields, never
 * as a form that silently does nothing.
 */
export function form(
  submitText: string,
  onSubmit: () => Promise<void>,
  ...children: Child[]
): { element: HTMLFormElement; button: HTMLButtonElement } {
  const button = h('button', { type: 'submit', class: 'btn-primary' }, submitText);
  const failure = h('div', { class: 'form-status form-failure' });
  const element = h(
    'form',
    { novalidate: true },
    ...children,
    failure,
    h('div', { class: 'actions' }, button),
  );
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    element.setAttribute('aria-busy', 'true');
    failure.replaceChildren();
    onSubmit()
      .catch((e: unknown) => failure.replaceChildren(errorNotice(e)))
      .finally(() => {
        button.disabled = false;
        element.removeAttribute('aria-busy');
      });
  });
  return { element, button };
}

/** A region for a form's outcome: an error in plain words, or a short line. */
export function statusArea(): {
  element: HTMLElement;
  error(e: unknown): void;
  say(kind: 'ok' | 'error' | 'info', title: string, text?: string): void;
  clear(): void;
} {
  const element = h('div', { class: 'form-status' });
  return {
    element,
    error: (e) => element.replaceChildren(errorNotice(e)),
    say: (kind, title, text) => element.replaceChildren(notice(kind, title, text)),
    clear: () => element.replaceChildren(),
  };
}

/** A plain button. */
export function button(text: string, onClick: () => void, primary = false): HTMLButtonElement {
  return h(
    'button',
    { type: 'button', class: primary ? 'btn-primary' : 'btn-secondary', onclick: onClick },
    text,
  );
}

/** "YYYY-MM-DD" of a Unix-milliseconds time, for file names. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A date and time in the reader's locale, from Unix seconds. */
export function dateTime(seconds: number): string {
  return new Date(seconds * 1000).toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}
