/**
 * Preloaded into a bank process (`node --import tsx --import clock-shift.ts …`) when a scenario
 * must move the bank clock — the bank offers no clock of its own to move from outside. It shifts
 * `Date` by the milliseconds written in PROOF_CLOCK_FILE, re-read on SIGUSR2, and acknowledges
 * each change by writing the offset it applied to `<file>.ack`, so the suite knows when it holds.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env['PROOF_CLOCK_FILE'];
if (file) {
  const RealDate = Date;
  const read = (): number => {
    try {
      return Number(readFileSync(file, 'utf8').trim()) || 0;
    } catch {
      return 0;
    }
  };
  let offset = read();
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...(args as [string | number]));
    }
    static override now(): number {
      return RealDate.now() + offset;
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
  process.on('SIGUSR2', () => {
    offset = read();
    writeFileSync(`${file}.ack`, String(offset));
  });
}
