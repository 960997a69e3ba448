/** A tiny DOM toolkit: no framework, just elements, accessible by construction. */

export type Child = Node | string | number | false | null | undefined;
export type Attrs = Record<string, string | number | boolean | EventListener | undefined>;

/**
 * `h('button', { type: 'button', onclick: pay }, 'Pay')`. Attributes starting with `on` become
 * listeners; `false`/`undefined` attributes are left out, `true` ones are present and empty;
 * everything else (`class`, `for`, `aria-*`, `data-*` …) is set as an attribute. Strings and
 * numbers are text nodes (never HTML); `false`, `null` and `undefined` children are skipped.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') {
      if (!name.startsWith('on')) throw new TypeError(`h(): ${name} is a function, not an on*`);
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el: HTMLElement, children: Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    el.append(typeof child === 'number' ? String(child) : child);
  }
}

let appName: string | undefined;

/** The app's name for document titles: `<meta name="application-name">`, else the first title. */
function currentAppName(): string {
  if (appName === undefined) {
    const meta = document.querySelector<HTMLMetaElement>('meta[name="application-name"]');
    appName = meta?.content || document.title.split(' · ').pop() || 'offpay';
  }
  return appName;
}

/**
 * Replaces the content of `root` with a screen: a heading (focused, so screen readers announce
 * the change) and its body. The document title becomes `<title> · <app name>`.
 */
export function showScreen(root: HTMLElement, title: string, ...body: Child[]): void {
  const name = currentAppName();
  const heading = h('h1', { tabindex: -1 }, title);
  root.replaceChildren(heading);
  append(root, body);
  document.title = `${title} · ${name}`;
  heading.focus();
}

/**
 * A status line (role=status, polite) or alert (role=alert) for outcomes and refusals: a visible
 * title and an optional explanation.
 */
export function notice(kind: 'ok' | 'error' | 'info', title: string, text?: string): HTMLElement {
  return h(
    'div',
    { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('p', { class: 'notice-title' }, title),
    text !== undefined && text !== '' && h('p', { class: 'notice-text' }, text),
  );
}

/**
 * A badge showing "Online" / "Offline" from navigator.onLine, kept up to date by the window's
 * online/offline events (listeners are dropped once the badge has left the document).
 */
export function onlineBadge(): HTMLElement {
  const badge = h('span', { class: 'online-badge', 'aria-live': 'polite' });
  let attached = false;
  const update = (): void => {
    if (badge.isConnected) attached = true;
    else if (attached) {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
      return;
    }
    const online = navigator.onLine;
    badge.textContent = online ? 'Online' : 'Offline';
    badge.dataset.state = online ? 'online' : 'offline';
  };
  update();
  window.addEventListener('online', update);
  window.addEventListener('offline', update);
  return badge;
}
