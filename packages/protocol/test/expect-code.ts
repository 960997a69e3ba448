/** Assertions on offpay's coded errors, shared by every protocol test file. */
import { expect } from 'vitest';

/** Asserts that `fn` throws an offpay error with `code` (and, if given, these details). */
export function expectCode(
  fn: () => unknown,
  code: string,
  details?: Record<string, unknown>,
): void {
  const expected: Record<string, unknown> = { code };
  if (details !== undefined) expected.details = expect.objectContaining(details) as unknown;
  expect(fn).toThrow(expect.objectContaining(expected));
}

/** The code of the error `fn` throws, or undefined when it returns normally. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' ? code : `not a coded error: ${String(e)}`;
  }
}
