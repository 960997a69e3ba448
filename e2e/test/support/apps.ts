/**
 * What a person does with the apps, as Playwright steps: find things by role and label (the
 * names a screen reader reads out), type, click, and carry files and QR codes between devices.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Download, Locator, Page } from 'playwright-core';
import { ROOT } from './stack.js';

export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 };
const WAIT = { timeout: 60_000 };

/** Opens an app and waits until it rendered and its service worker controls the page. */
export async function openApp(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  watch(page);
  await page.goto(url);
  await ready(page);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, WAIT);
  return page;
}

/**
 * What Chromium says keeps the app from being installed (manifest, icons, service worker), leaving
 * out `in-incognito`: every Playwright context is one, which says nothing about the app.
 */
export async function installabilityErrors(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    return installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito');
  } finally {
    await cdp.detach();
  }
}

/** Waits for the app's boot to finish (main.ts sets window.__offpay.ready). */
export async function ready(page: Page): Promise<void> {
  await page.waitForFunction(
    () => (window as { __offpay?: { ready?: boolean } }).__offpay?.ready === true,
    undefined,
    WAIT,
  );
}

/** Page errors fail loudly in the test log instead of as a mysterious timeout. */
function watch(page: Page): void {
  page.on('pageerror', (err) => console.error(`[${page.url()}] page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.error(`[${page.url()}] console: ${msg.text()}`);
  });
}

export function heading(page: Page, name: string | RegExp): Locator {
  return page.getByRole('heading', { name, level: 1, exact: typeof name === 'string' });
}

/** Waits until `text` is visible on the page; returns its locator. */
export async function see(page: Page, text: string | RegExp): Promise<Locator> {
  const found = page.getByText(text).first();
  await found.waitFor({ state: 'visible', ...WAIT });
  return found;
}

export async function onScreen(page: Page, title: string | RegExp): Promise<void> {
  await heading(page, title).waitFor({ state: 'visible', ...WAIT });
}

export async function click(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole('button', { name, exact: typeof name === 'string' }).click();
}

/** Clicks "Download file" (or `button`) and returns the downloaded file's text. */
export async function download(
  page: Page,
  button = 'Download file',
): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download', WAIT), click(page, button)]);
  return { name: file.suggestedFilename(), text: readFileSync(await pathOf(file), 'utf8') };
}

async function pathOf(file: Download): Promise<string> {
  const path = await file.path();
  if (!path) throw new Error(`download ${file.suggestedFilename()} failed`);
  return path;
}

/** Hands a file to the "Open file" input (what a person does by picking or dropping a file). */
export async function openFile(
  page: Page,
  file: { name: string; text: string },
  label = 'Open file',
): Promise<void> {
  await page.getByLabel(label, { exact: true }).setInputFiles({
    name: file.name,
    mimeType: 'application/json',
    buffer: Buffer.from(file.text),
  });
}

/** A photo of the QR code named `label` as the other phone's camera would take it. */
export async function photoOfQr(page: Page, label: string): Promise<Buffer> {
  return page.getByRole('img', { name: label }).screenshot();
}

/** `scanner` takes a picture of the QR code `label` shown by `shower` ("Scan a picture"). */
export async function scanPictureOf(scanner: Page, shower: Page, label: string): Promise<void> {
  await scanner.getByLabel('Scan a picture').setInputFiles({
    name: 'qr.png',
    mimeType: 'image/png',
    buffer: await photoOfQr(shower, label),
  });
}

/** Saves a screenshot of the whole screen into docs/screenshots when SCREENSHOTS=1. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env['SCREENSHOTS'] !== '1') return;
  const dir = join(ROOT, 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/** First run: bank address, passphrase twice, create. */
export async function setUp(
  page: Page,
  o: { bankUrl: string; passphrase: string; create: 'Create wallet' | 'Create till' },
): Promise<void> {
  await page.getByLabel('Bank address').fill(o.bankUrl);
  await page.getByLabel('Passphrase', { exact: true }).fill(o.passphrase);
  await page.getByLabel('Repeat passphrase').fill(o.passphrase);
  await click(page, o.create);
}

export async function unlock(page: Page, passphrase: string): Promise<void> {
  await onScreen(page, 'Unlock');
  await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await click(page, 'Unlock');
}

export async function enroll(
  page: Page,
  o: { email: string; password: string; allowance?: string },
): Promise<void> {
  await onScreen(page, 'Enroll with your bank');
  await page.getByLabel('Email').fill(o.email);
  await page.getByLabel('Password', { exact: true }).fill(o.password);
  if (o.allowance !== undefined) await page.getByLabel('Allowance').fill(o.allowance);
  await click(page, 'Enroll');
}

/** Signs in where a screen asks for the bank login (sync, settle). */
export async function signIn(page: Page, o: { email: string; password: string }): Promise<void> {
  await page.getByLabel('Email').fill(o.email);
  await page.getByLabel('Password', { exact: true }).fill(o.password);
  await click(page, 'Sign in');
}

/**
 * Films an animated QR code: reads the canvas's pixels and its "Part k of n" caption in one task
 * (so they belong together) until every part was seen; returns the parts' pictures in order.
 */
export async function filmAnimatedQr(page: Page, label: string): Promise<Buffer[]> {
  const parts = new Map<number, string>();
  let total = 0;
  const deadline = Date.now() + 30_000;
  while (total === 0 || parts.size < total) {
    if (Date.now() > deadline) throw new Error(`saw ${parts.size} of ${total} parts of ${label}`);
    const frame = await page.evaluate((name) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`canvas[aria-label="${name}"]`);
      const caption = canvas?.closest('figure')?.querySelector('figcaption')?.textContent ?? '';
      if (!canvas) return { caption, png: '' };
      // The canvas holds one pixel per module (CSS scales it on screen): the picture is scaled
      // up the same way, unsmoothed, as the screen shows it.
      const shown = document.createElement('canvas');
      shown.width = shown.height = canvas.width * 4;
      const ctx = shown.getContext('2d')!;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(canvas, 0, 0, shown.width, shown.height);
      return { caption, png: shown.toDataURL('image/png') };
    }, label);
    const match = /^Part (\d+) of (\d+)$/.exec(frame.caption);
    if (match && frame.png) {
      total = Number(match[2]);
      parts.set(Number(match[1]), frame.png);
    }
    await page.waitForTimeout(60);
  }
  return [...parts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, png]) => Buffer.from(png.replace(/^data:image\/png;base64,/, ''), 'base64'));
}

/** Makes a request on the till and returns to its "Waiting for payment" screen. */
export async function requestPayment(till: Page, amount: string, memo: string): Promise<void> {
  await click(till, 'Request payment');
  await onScreen(till, 'Request payment');
  await till.getByLabel('Amount').fill(amount);
  await till.getByLabel('Memo').fill(memo);
  await click(till, 'Show request');
  await onScreen(till, 'Waiting for payment');
}

/** Back to Home by what the screen offers: "Done" after a finished payment, else "Home". */
export async function home(page: Page, title: string): Promise<void> {
  if (!(await heading(page, title).isVisible())) {
    const done = page.getByRole('button', { name: 'Done', exact: true });
    await click(page, (await done.isVisible()) ? 'Done' : 'Home');
  }
  await onScreen(page, title);
}
