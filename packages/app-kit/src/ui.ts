/** A tiny DOM toolkit: no framework, just elements, accessible by construction. */

export type Child = Node | string | number | false | null | undefined;
export type Attrs = Record<string, string | number | boolean | EventListener | undefined>;

/**
 * `h('button', { type: 'button', onclick: pay }, 'Pay')`. Attributes starting with `on` become
 * listeners; `false`/`undefined` attributes are left out; strings are text nodes (never HTML).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  void tag;
  void attrs;
  void children;
  throw new Error('app-kit: not implemented yet');
}

/**
 * Replaces the content of `root` with a screen: a heading (focused, so screen readers announce
 * the change) and its body.
 */
export function showScreen(root: HTMLElement, title: string, ...body: Child[]): void {
  void root;
  void title;
  void body;
  throw new Error('app-kit: not implemented yet');
}

/** A status line (role=status, polite) or alert (role=alert) for outcomes and refusals. */
export function notice(kind: 'ok' | 'error' | 'info', title: string, text?: string): HTMLElement {
  void kind;
  void title;
  void text;
  throw new Error('app-kit: not implemented yet');
}

/** Keeps `el` showing "Online" / "Offline" from navigator.onLine and its events. */
export function onlineBadge(): HTMLElement {
  throw new Error('app-kit: not implemented yet');
}
