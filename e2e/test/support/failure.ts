/**
 * What each screen showed when a step failed, for whoever reads the CI log: after a failed test,
 * every open page's text is printed and a full-page screenshot saved in the temp directory
 * (`<prefix>-<page name>.png`), then the tail of the bank's log is printed.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach } from 'vitest';

/** How much of the bank's log (characters, from its end) a failure prints. */
const BANK_LOG_TAIL = 3000;

/** What {@link dumpScreensOnFailure} reads once a test has failed. */
export interface FailureDump {
  /** The file's screens by name; read at failure time (pages are opened in `beforeAll`). */
  pages: () => Record<string, Page | undefined>;
  /** The bank's output so far (the stack's `bankLog`). */
  bankLog: () => string;
  /** Start of the screenshots' file names, unique per test file (`offpay-e2e-console`). */
  prefix: string;
}

/** Registers, in the calling test file, an `afterEach` that dumps the screens of a failed test. */
export function dumpScreensOnFailure({ pages, bankLog, prefix }: FailureDump): void {
  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    for (const [name, page] of Object.entries(pages())) {
      if (!page || page.isClosed()) continue;
      const text = await page
        .locator('body')
        .innerText()
        .catch(() => '(unreadable)');
      console.error(`--- ${name} screen after "${task.name}":\n${text}`);
      await page.screenshot({ path: join(tmpdir(), `${prefix}-${name}.png`), fullPage: true });
    }
    console.error(`--- bank log tail:\n${bankLog().slice(-BANK_LOG_TAIL)}`);
  });
}
