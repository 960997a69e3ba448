/**
 * The parts every console screen is built from: a region that loads from the bank and shows the
 * bank's refusal in words when it cannot (a screen always renders), an outcome line announced
 * politely to screen readers, and the panel where a change is made — its fields, the required
 * reason, one submit button — opened from a row's button and focused.
 */
import { errorNotice, h, notice, type Child, type Messages } from '@offpay/app-kit';
import { checkedForm, checkReason, reasonField } from './forms.js';

/** A region filled by `load`; `refresh()` loads again. A failure shows the bank's words. */
export function loaded(load: () => Promise<Child[]>): {
  element: HTMLElement;
  refresh(): Promise<void>;
} {
  const element = h('div', { class: 'loaded', 'aria-busy': 'true' });
  const refresh = async (): Promise<void> => {
    element.setAttribute('aria-busy', 'true');
    try {
      const box = h('div', {}, ...(await load()));
      element.replaceChildren(...box.childNodes);
    } catch (e) {
      element.replaceChildren(errorNotice(e));
    } finally {
      element.removeAttribute('aria-busy');
    }
  };
  return { element, refresh };
}

/** The outcome of the last action: a polite live region (what a screen reader reads out). */
export function outcome(): Messages {
  const element = h('div', { class: 'outcome', 'aria-live': 'polite' });
  return {
    element,
    say: (kind, title, text) => element.replaceChildren(notice(kind, title, text)),
    error: (e) => element.replaceChildren(errorNotice(e)),
    clear: () => element.replaceChildren(),
  };
}

/** What a change panel does once the reason is checked. */
export type Change = (reason: string, messages: Messages) => Promise<void>;

/**
 * The panel where one change is made at a time: `open` shows its heading, `fields`, the reason
 * and `submitText`, and focuses the first field; `close` empties it (focus goes to the heading).
 */
export function changePanel(): {
  element: HTMLElement;
  open(
    title: string,
    fields: Child[],
    submitText: string,
    change: Change,
    reasonLabel?: string,
  ): void;
  close(): void;
} {
  const element = h('div', { class: 'change-panel' });
  return {
    element,
    open(title, fields, submitText, change, reasonLabel) {
      const reason = reasonField(reasonLabel);
      const id = `panel-${Math.random().toString(36).slice(2)}`;
      const section = h(
        'section',
        { class: 'card', 'aria-labelledby': id },
        h('h2', { id }, title),
        checkedForm(submitText, [...fields, reason.element], (messages) =>
          change(checkReason(reason.input.value), messages),
        ),
      );
      element.replaceChildren(section);
      section.querySelector<HTMLElement>('input, select, textarea')?.focus();
    },
    close: () => {
      // Focus was in the panel: give it to the screen's heading rather than lose it to <body>
      // (the outcome is announced by its live region).
      const hadFocus = element.contains(document.activeElement);
      element.replaceChildren();
      if (hadFocus) document.querySelector<HTMLElement>('main h1')?.focus();
    },
  };
}
