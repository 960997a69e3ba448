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

const FPS = 10;

/** Headless, and none of the background connections this machine's closed network refuses. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

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
      ...CHROMIUM_ARGS,
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
      // 10 frames a second, each picture repeated for its time on screen (a one-frame video
      // does not play as a camera stream).
      const repeat = Math.max(2, Math.round(secondsEach * FPS));
      pngs.forEach((png, i) => {
        for (let k = 0; k < repeat; k++) {
          writeFileSync(join(frames, `frame-${i * repeat + k}.png`), png);
        }
      });
      const next = join(dir, 'next.y4m');
      // A 720p phone camera with the code held up in the middle; yuv420p (TOOLCHAIN.md).
      execFileSync('ffmpeg', [
        '-loglevel',
        'error',
        '-y',
        '-framerate',
        String(FPS),
        '-i',
        join(frames, 'frame-%d.png'),
        '-vf',
        'scale=600:600:flags=area,pad=1280:720:340:60:white,format=yuv420p',
        next,
      ]);
      renameSync(next, cameraFile);
    },
    close: () => browser.close(),
  };
}
