/**
 * Debian Chromium driven by playwright-core (../shared/TOOLCHAIN.md "Browser tests"), with a fake
 * camera that plays whatever video is in `cameraFile` when a page opens the camera — the file is
 * read at each getUserMedia, so a test writes the video of a QR code just before scanning it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export interface TestBrowser {
  browser: Browser;
  /** Points the fake camera at a video of these pictures (PNG), each shown `secondsEach`. */
  showToCamera(pngs: Buffer[], secondsEach?: number): void;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const dir = mkdtempSync(join(tmpdir(), 'offpay-e2e-camera-'));
  const cameraFile = join(dir, 'camera.y4m');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${cameraFile}`,
    ],
  });
  return {
    browser,
    showToCamera(pngs, secondsEach = 0.6) {
      const frames = join(dir, 'frames');
      rmSync(frames, { recursive: true, force: true });
      mkdirSync(frames);
      pngs.forEach((png, i) => writeFileSync(join(frames, `frame-${i}.png`), png));
      const next = join(dir, 'next.y4m');
      // White margin around the code, as a phone would see it held up; yuv420p (TOOLCHAIN.md).
      execFileSync('ffmpeg', [
        '-loglevel',
        'error',
        '-y',
        '-framerate',
        String(1 / secondsEach),
        '-i',
        join(frames, 'frame-%d.png'),
        '-vf',
        'scale=440:440:flags=neighbor,pad=640:480:100:20:white,format=yuv420p',
        '-r',
        '10',
        next,
      ]);
      renameSync(next, cameraFile);
    },
    close: () => browser.close(),
  };
}
